"""core.timefmt: how an offset, a duration, an age and a moment read, in the TUI and the CLI alike.
That both show the same text for the same snapshot and event: test_times_read_the_same.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heatmap_tui.commands import output
from heatmap_tui.core import timefmt
from heatmap_tui.core.timefmt import format_absolute, format_duration, format_relative, format_start
from heatmap_tui.ui import format as ui_format
from heatmap_tui.ui.forms import parse_start

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def test_the_ui_and_the_cli_use_the_formatters_of_core() -> None:
    for name in ("format_absolute", "format_duration", "format_relative", "format_start"):
        assert getattr(ui_format, name) is getattr(timefmt, name), name
    assert output.format_start is timefmt.format_start
    assert output.format_relative is timefmt.format_relative


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "00:00.000"),
        (5_004, "00:05.004"),
        (83_500, "01:23.500"),
        (125 * 60_000 + 3_004, "125:03.004"),
        (-5, "00:00.000"),
    ],
)
def test_a_start_reads_as_minutes_seconds_and_milliseconds(ms: int, text: str) -> None:
    assert format_start(ms) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_a_start_reads_back_as_the_form_takes_it(ms: int) -> None:
    assert parse_start(format_start(ms)) == (ms, None)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "-"),
        (-20, "0 ms"),
        (850, "850 ms"),
        (999, "999 ms"),
        (1_000, "1.0s"),
        (12_340, "12.3s"),
        (12_399, "12.3s"),  # cut, never rounded up
        (59_999, "59.9s"),  # not "60.0s"
        (60_000, "1m 00s"),
        (65_000, "1m 05s"),
        (65_999, "1m 05s"),
        (125_000, "2m 05s"),
        (3_599_999, "59m 59s"),
        (3_600_000, "1h 00m"),
        (3_720_000, "1h 02m"),
        (100 * 3_600_000, "100h 00m"),
    ],
)
def test_a_duration_reads_in_its_largest_units(ms: int | None, text: str) -> None:
    assert format_duration(ms) == text


def read_back(text: str) -> int:
    """The milliseconds a duration's text says, to its precision."""
    if text.endswith(" ms"):
        return int(text.removesuffix(" ms"))
    if " " not in text:
        return round(float(text.removesuffix("s")) * 1000)
    big, small = text.split(" ")
    if big.endswith("h"):
        return (int(big[:-1]) * 60 + int(small.removesuffix("m"))) * 60_000
    return (int(big[:-1]) * 60 + int(small.removesuffix("s"))) * 1000


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=10**10))
def test_a_duration_says_how_long_to_its_last_unit_never_longer_and_in_order(a: int, b: int) -> None:
    for ms in (a, b):
        said = read_back(format_duration(ms))
        unit = 1 if ms < 1000 else 100 if ms < 60_000 else 1000 if ms < 3_600_000 else 60_000
        assert 0 <= ms - said < unit, (ms, format_duration(ms))
    short, long = sorted((a, b))
    assert read_back(format_duration(short)) <= read_back(format_duration(long))


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=-30), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=5), "5m ago"),
        (timedelta(hours=3, minutes=59), "3h ago"),
        (timedelta(days=3), "3d ago"),
        (timedelta(days=12), "12d ago"),
        (timedelta(days=240), "8mo ago"),
        (timedelta(days=363), "11mo ago"),
        (timedelta(days=365 * 2 + 10), "2y ago"),
    ],
)
def test_an_age_reads_in_its_largest_unit(age: timedelta, text: str) -> None:
    assert format_relative(NOW - age, NOW) == text


def test_an_age_counts_the_same_whatever_the_offsets() -> None:
    paris = timezone(timedelta(hours=2))
    assert format_relative(datetime(2026, 5, 1, 11, 0, tzinfo=paris), NOW) == "3h ago"
    assert format_relative(datetime(2026, 4, 28, 12, 0), NOW) == "3d ago"  # naive: UTC


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 20, 11, 11, 12, tzinfo=timezone(timedelta(hours=1))), "2026-11-20 10:11:12 UTC"),
        (datetime(2026, 11, 20, 10, 11, 12), "2026-11-20 10:11:12 UTC"),  # naive: UTC
        (
            datetime(2026, 11, 20, 10, 11, 12, 999_999, tzinfo=UTC),
            "2026-11-20 10:11:12 UTC",
        ),  # cut, not rounded
        (
            datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2025-12-31 19:00:00 UTC",
        ),
    ],
)
def test_a_moment_reads_in_utc_to_the_second(moment: datetime, text: str) -> None:
    assert format_absolute(moment) == text


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)))
def test_a_moment_reads_as_strftime_would_write_it(moment: datetime) -> None:
    assert format_absolute(moment) == moment.strftime("%Y-%m-%d %H:%M:%S UTC")
