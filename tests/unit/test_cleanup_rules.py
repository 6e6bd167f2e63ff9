"""Cleanup rules: pure functions over a list of snapshots (the CLI's use of them: test_cleanup_cli.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heatmap_tui.core.cleanup import CleanupError, CleanupRules, format_age, parse_age, plan_cleanup
from heatmap_tui.core.models import Snapshot, SnapshotAttributes

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def snap(
    id: str,
    *,
    days_old: float = 1,
    author: str = "Ada Lovelace",
    handle: str = "ada@x.example",
    device: str = "desktop",
    view: str = "/home",
    event: str | None = None,
    app: str = "app-1",
) -> Snapshot:
    modified = NOW - timedelta(days=days_old)
    return Snapshot(
        id=id,
        attributes=SnapshotAttributes(
            application_id=app,
            view_name=view,
            device_type=device,
            snapshot_name=f"snap {id}",
            event_id=event or f"ev-{id}",
            start=0,
            created_at=modified - timedelta(days=1),
            modified_at=modified,
            created_by=author,
            created_by_handle=handle,
        ),
    )


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("30m", timedelta(minutes=30)),
        (" 45s ", timedelta(seconds=45)),
        ("7D", timedelta(days=7)),
    ],
)
def test_parse_age(text, age) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "90", "d", "-3d", "1.5d", "3y", "3 days"])
def test_parse_age_refuses_what_it_cannot_read(text) -> None:
    with pytest.raises(CleanupError, match="is not an age"):
        parse_age(text)


def test_format_age_round_trips() -> None:
    for text in ("90d", "12h", "2w", "30m", "45s"):
        assert format_age(parse_age(text)) == text


def test_older_than_uses_modified_at_and_an_injected_now() -> None:
    snaps = [snap("new", days_old=10), snap("edge", days_old=90), snap("old", days_old=91)]
    plan = plan_cleanup(snaps, CleanupRules(older_than=timedelta(days=90)), now=NOW)
    assert [s.id for s in plan.snapshots] == ["old"]
    assert plan.reasons == {"old": ("not modified for 91d (over 90d)",)}
    assert plan.considered == 3


def test_author_matches_name_or_handle_case_insensitively() -> None:
    snaps = [snap("a"), snap("b", author="Grace Hopper", handle="grace@x.example")]
    for who in ("ada lovelace", "ADA@X.EXAMPLE"):
        assert [s.id for s in plan_cleanup(snaps, CleanupRules(author=who), now=NOW).snapshots] == ["a"]
    assert not plan_cleanup(snaps, CleanupRules(author="ada"), now=NOW).selected  # whole names only


def test_rules_combine_with_and() -> None:
    snaps = [
        snap("match", days_old=100, device="mobile"),
        snap("too-new", days_old=5, device="mobile"),
        snap("other-device", days_old=100, device="desktop"),
        snap("other-author", days_old=100, device="mobile", author="Grace", handle="grace@x.example"),
    ]
    rules = CleanupRules(older_than=timedelta(days=30), author="Ada Lovelace", device="Mobile")
    plan = plan_cleanup(snaps, rules, now=NOW)
    assert [s.id for s in plan.snapshots] == ["match"]
    assert plan.reasons["match"] == ("not modified for 100d (over 30d)", "by ada@x.example", "device mobile")


def test_duplicates_keep_the_newest_of_each_group() -> None:
    snaps = [
        snap("keep", days_old=1, event="e1"),
        snap("dup-old", days_old=50, event="e1"),
        snap("dup-older", days_old=80, event="e1"),
        snap("other-device", days_old=80, event="e1", device="mobile"),  # another group
        snap("other-app", days_old=80, event="e1", app="app-2"),
        snap("alone", days_old=80, event="e2"),
    ]
    plan = plan_cleanup(snaps, CleanupRules(duplicates=True), now=NOW)
    assert sorted(s.id for s in plan.snapshots) == ["dup-old", "dup-older"]
    assert plan.reasons["dup-old"] == ("duplicate of newer keep",)

    # With another rule, only the duplicates that also match it; the newest is never taken.
    plan = plan_cleanup(snaps, CleanupRules(duplicates=True, older_than=timedelta(days=60)), now=NOW)
    assert [s.id for s in plan.snapshots] == ["dup-older"]
    plan = plan_cleanup(snaps, CleanupRules(duplicates=True, older_than=timedelta(hours=1)), now=NOW)
    assert "keep" not in {s.id for s in plan.snapshots}


def test_no_rule_selects_nothing_rather_than_everything() -> None:
    with pytest.raises(CleanupError, match="no cleanup rule"):
        plan_cleanup([snap("a")], CleanupRules(), now=NOW)
