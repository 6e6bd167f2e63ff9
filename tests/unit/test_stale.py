"""Stale reasons from constructed facts: each reason, its evidence, and the no-version fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from heatmap_tui.core.models import Snapshot, SnapshotAttributes
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.stale import AppFacts, StaleSettings, ViewFacts, judge
from heatmap_tui.core.versions import version_key

NOW = datetime(2025, 6, 1, tzinfo=UTC)
APP = "app-1"


def snap(
    id: str, *, days_old: float = 1, view: str = "/home", view_id: str | None = None, name: str | None = None
) -> Snapshot:
    modified = NOW - timedelta(days=days_old)
    return Snapshot(
        id=id,
        attributes=SnapshotAttributes(
            application_id=APP,
            view_name=view,
            device_type="desktop",
            snapshot_name=name or f"snap {id}",
            event_id=f"ev-{id}",
            start=0,
            view_id=view_id,
            created_at=modified,
            modified_at=modified,
        ),
    )


def frame(view_id: str, *, days_old: float, version: str | None, has_replay: bool = True) -> ViewEvent:
    return ViewEvent(
        event_id=f"ev-{view_id}",
        date=NOW - timedelta(days=days_old),
        application_id=APP,
        session_id="s",
        view_id=view_id,
        view_name="/home",
        url=None,
        device_type="desktop",
        time_spent_ms=1000,
        has_replay=has_replay,
        version=version,
    )


def evidence(snapshot: Snapshot, facts: AppFacts, settings: StaleSettings | None = None) -> dict[str, str]:
    return judge([snapshot], {APP: facts}, NOW, settings)[0].evidence


def recent(version: str | None = "2.5.0") -> dict[str, ViewFacts]:
    since = NOW - timedelta(days=10) if version else None
    return {"/home": ViewFacts(recent=True, newest_version=version, newest_since=since)}


def test_a_fresh_snapshot_on_the_newest_version_is_not_stale() -> None:
    facts = AppFacts(views=recent(), versioned=True, frames={"v1": frame("v1", days_old=2, version="2.5.0")})
    assert evidence(snap("a", view_id="v1"), facts) == {}


def test_orphaned_names_the_last_traffic_or_none() -> None:
    quiet = ViewFacts(recent=False, last_traffic=NOW - timedelta(days=45))
    facts = AppFacts(views={"/home": quiet})
    assert evidence(snap("a"), facts)["orphaned"] == "last view event on 2025-04-17, 45d ago (over 30d)"
    gone = AppFacts(views={"/home": ViewFacts(recent=False)})
    assert "no view events" in evidence(snap("a"), gone)["orphaned"]
    assert "orphaned" not in evidence(snap("a"), AppFacts(views=recent()))


def test_outdated_names_the_frame_version_and_the_newest() -> None:
    facts = AppFacts(views=recent(), versioned=True, frames={"v1": frame("v1", days_old=20, version="2.4.0")})
    found = evidence(snap("a", view_id="v1"), facts)
    assert found == {"outdated": "frame from 2.4.0, view on 2.5.0 since 2025-05-22"}


def test_versions_compare_as_numbers() -> None:
    assert version_key("2.10.0") > version_key("2.9.1")
    facts = AppFacts(
        views=recent("2.9.1"), versioned=True, frames={"v1": frame("v1", days_old=5, version="2.10.0")}
    )
    assert "outdated" not in evidence(snap("a", view_id="v1"), facts)


def test_without_versions_outdated_falls_back_to_age_and_says_so() -> None:
    facts = AppFacts(views=recent(None), versioned=False)
    found = evidence(snap("a", days_old=120), facts)
    assert found["outdated"].startswith("the application sets no version: frame from 2025-02-01, 120d old")
    assert "outdated" not in evidence(snap("b", days_old=20), facts)


def test_expired_from_the_frame_or_from_the_save_date() -> None:
    facts = AppFacts(views=recent(), versioned=True, frames={"v1": frame("v1", days_old=40, version="2.5.0")})
    assert evidence(snap("a", view_id="v1", days_old=39), facts)["expired"] == (
        "replay from 2025-04-22, 40d old: past the 30d replay retention"
    )
    assert "frame not found in RUM" in evidence(snap("b", days_old=35), facts)["expired"]
    longer = StaleSettings(replay_retention=timedelta(days=60))
    assert "expired" not in evidence(snap("a", view_id="v1", days_old=39), facts, longer)


def test_duplicate_by_frame_or_by_name_and_old() -> None:
    facts = AppFacts(views=recent())
    older, newer = snap("a", days_old=5), snap("b", days_old=1)
    newer = Snapshot(id="b", attributes=newer.attributes.model_copy(update={"event_id": "ev-a"}))
    same_name = snap("c", days_old=3, name="snap a")
    verdicts = {v.snapshot.id: v for v in judge([older, newer, same_name], {APP: facts}, NOW)}
    assert verdicts["a"].evidence["duplicate"] == "same view, device and frame as newer b"
    assert verdicts["c"].evidence == {}  # the newest of "snap a" by name
    assert "duplicate" not in verdicts["b"].evidence
    assert evidence(snap("d", days_old=100), facts)["old"] == "not modified for 100d (over 90d)"
    # Reasons come in one order; an app without versions falls back to age for `outdated`.
    assert judge([snap("d", days_old=100)], {APP: facts}, NOW)[0].reasons == ["outdated", "expired", "old"]
