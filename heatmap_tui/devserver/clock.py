"""Time for the server: an optionally frozen clock and the RFC 3339 format Datadog answers in."""

from __future__ import annotations

from datetime import UTC, datetime

from heatmap_tui.core.clock import Clock, running_from, utc_now


def to_ms(dt: datetime) -> datetime:
    """`dt` in UTC, cut to whole milliseconds (what the wire format can carry)."""
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


def rfc3339(dt: datetime) -> str:
    """`2024-05-01T12:00:00.123Z`: milliseconds and a Z, as Datadog writes timestamps."""
    dt = to_ms(dt)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def epoch_ms(dt: datetime) -> int:
    return int(to_ms(dt).timestamp() * 1000 + 0.5)


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def server_clock(frozen: datetime | None = None) -> Clock:
    """The server's clock, in whole milliseconds: the wall clock, or one started at `frozen`."""
    read = running_from(to_ms(frozen)) if frozen is not None else utc_now

    def now() -> datetime:
        return to_ms(read())

    return now
