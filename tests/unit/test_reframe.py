"""The pure parts of re-framing: the current version of a view, why a snapshot needs a new
frame, and frames as the trash journals them."""

from __future__ import annotations

from datetime import UTC, datetime

from heatmap_tui.core.models import Snapshot, SnapshotAttributes
from heatmap_tui.core.reframe import EXPIRED, OUTDATED, Frame, reframe_reason, summarize
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.stale import AppFacts, Verdict, ViewFacts, judge

NOW = datetime(2026, 1, 25, tzinfo=UTC)


def event(event_id: str, day: int, version: str | None, *, replay: bool = True) -> ViewEvent:
    return ViewEvent(
        event_id=event_id, date=datetime(2026, 1, day, tzinfo=UTC), application_id="app",
        session_id=f"s-{event_id}", view_id=f"v-{event_id}", view_name="/cart", url=None,
        device_type="desktop", time_spent_ms=1000, has_replay=replay, version=version,
    )  # fmt: skip


def snapshot(event_id: str, saved: datetime | None = None) -> Snapshot:
    return Snapshot(
        id="snap",
        attributes=SnapshotAttributes(
            application_id="app", view_name="/cart", device_type="desktop", snapshot_name="cart",
            event_id=event_id, start=1500, session_id=f"s-{event_id}", view_id=f"v-{event_id}",
            created_at=saved or datetime(2026, 1, 20, tzinfo=UTC), modified_at=saved,
        ),
    )  # fmt: skip


EVENTS = [event("a", 1, "2.9.1"), event("b", 3, "2.10.0"), event("c", 9, "2.10.0"), event("d", 7, "2.9.9")]


def test_the_current_version_is_the_newest_by_number_and_its_newest_replay_is_the_frame() -> None:
    traffic = summarize(EVENTS)
    assert traffic.current == "2.10.0"  # "2.10.0" > "2.9.9" as dotted numbers, not as text
    assert traffic.since == datetime(2026, 1, 3, tzinfo=UTC)
    assert traffic.newest is not None and traffic.newest.event_id == "c"


def test_the_view_s_current_version_when_rum_told_it_wins_over_the_events_seen() -> None:
    traffic = summarize(EVENTS, current="2.9.9")
    assert traffic.current == "2.9.9" and traffic.newest is not None and traffic.newest.event_id == "d"


def verdict_of(
    snap: Snapshot, *, frame: ViewEvent | None, newest: str | None = "2.10.0", now: datetime = NOW
) -> Verdict:
    """core/stale.py's verdict on `snap` whose frame's event is `frame`, its view on `newest`."""
    view = ViewFacts(recent=True, newest_version=newest, newest_since=datetime(2026, 1, 3, tzinfo=UTC))
    frames = {frame.view_id or "": frame} if frame is not None else {}
    facts = AppFacts(views={"/cart": view}, versioned=newest is not None, frames=frames)
    (verdict,) = judge([snap], {"app": facts}, now)
    return verdict


def test_the_reasons_are_core_stale_s_outdated_or_expired_with_its_evidence() -> None:
    by_event = {e.event_id: e for e in EVENTS}
    assert reframe_reason(verdict_of(snapshot("a"), frame=by_event["a"])) == (
        OUTDATED,
        "frame from 2.9.1, view on 2.10.0 since 2026-01-03",
    )
    assert reframe_reason(verdict_of(snapshot("b"), frame=by_event["b"])) is None  # current already
    gone = verdict_of(snapshot("gone", saved=datetime(2025, 11, 1, tzinfo=UTC)), frame=None)
    why = reframe_reason(gone)
    assert why is not None and why[0] == EXPIRED and why[1] == gone.evidence["expired"]
    later = datetime(2026, 3, 1, tzinfo=UTC)  # the current version's replay, 30+ days on
    late = verdict_of(snapshot("b"), frame=by_event["b"], now=later)
    assert reframe_reason(late) == (EXPIRED, late.evidence["expired"])
    assert reframe_reason(verdict_of(snapshot("x"), frame=event("x", 20, None), newest=None)) is None


def test_a_frame_round_trips_through_its_record_and_says_what_it_is() -> None:
    frame = Frame.of(snapshot("a"), EVENTS[0])
    assert frame.holds(snapshot("a")) and not frame.holds(snapshot("b"))
    assert Frame.from_record(frame.to_record()) == frame
    assert frame.label() == "2.9.1 2026-01-01"
    assert Frame.of(snapshot("q")).label() == "event q"
    update = frame.update_for(snapshot("b"))
    assert (update.event_id, update.start, update.session_id, update.view_id) == ("a", 1500, "s-a", "v-a")
