"""The pure parts of re-framing: the current version of a view, why a snapshot needs a new
frame, and frames as the trash journals them."""

from __future__ import annotations

from datetime import UTC, datetime

from heatmap_tui.core.models import Snapshot, SnapshotAttributes
from heatmap_tui.core.reframe import EXPIRED, OUTDATED, Frame, reframe_reason, summarize
from heatmap_tui.core.rum_models import ViewEvent


def event(event_id: str, day: int, version: str | None, *, replay: bool = True) -> ViewEvent:
    return ViewEvent(
        event_id=event_id, date=datetime(2026, 1, day, tzinfo=UTC), application_id="app",
        session_id=f"s-{event_id}", view_id=f"v-{event_id}", view_name="/cart", url=None,
        device_type="desktop", time_spent_ms=1000, has_replay=replay, version=version,
    )  # fmt: skip


def snapshot(event_id: str) -> Snapshot:
    return Snapshot(
        id="snap",
        attributes=SnapshotAttributes(
            application_id="app", view_name="/cart", device_type="desktop", snapshot_name="cart",
            event_id=event_id, start=1500, session_id=f"s-{event_id}", view_id=f"v-{event_id}",
        ),
    )  # fmt: skip


EVENTS = [event("a", 1, "2.9.1"), event("b", 3, "2.10.0"), event("c", 9, "2.10.0"), event("d", 7, "2.9.9")]


def test_the_current_version_is_the_newest_by_number_and_its_newest_replay_is_the_frame() -> None:
    traffic = summarize(EVENTS)
    assert traffic.current == "2.10.0"  # "2.10.0" > "2.9.9" as dotted numbers, not as text
    assert traffic.since == datetime(2026, 1, 3, tzinfo=UTC)
    assert traffic.newest is not None and traffic.newest.event_id == "c"


def test_reasons_outdated_expired_or_none() -> None:
    traffic = summarize(EVENTS)
    assert reframe_reason(snapshot("a"), traffic) == (
        OUTDATED,
        "frame from 2.9.1, view on 2.10.0 since 2026-01-03",
    )
    assert reframe_reason(snapshot("b"), traffic) is None  # on the current version already
    why = reframe_reason(snapshot("gone"), traffic)
    assert why is not None and why[0] == EXPIRED
    unversioned = summarize([event("x", 1, None), event("y", 2, None)])
    assert unversioned.current is None and reframe_reason(snapshot("x"), unversioned) is None


def test_a_frame_round_trips_through_its_record_and_says_what_it_is() -> None:
    frame = Frame.of(snapshot("a"), EVENTS[0])
    assert frame.holds(snapshot("a")) and not frame.holds(snapshot("b"))
    assert Frame.from_record(frame.to_record()) == frame
    assert frame.label() == "2.9.1 2026-01-01"
    assert Frame.of(snapshot("q")).label() == "event q"
    update = frame.update_for(snapshot("b"))
    assert (update.event_id, update.start, update.session_id, update.view_id) == ("a", 1500, "s-a", "v-a")
