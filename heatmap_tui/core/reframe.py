"""Re-framing: giving an outdated or expired snapshot the newest replay frame of its view.

A snapshot's frame (`event_id`, `start`, `session_id`, `view_id`) is the replay view event its
heatmap is drawn over. Once the page is redeployed, or the replay ages out, that frame no longer
shows the page as it is. Which snapshots need a new frame is core/stale.py's to say (its reasons
`outdated` and `expired`, with its evidence), so `snapshots reframe` and `snapshots stale` agree.
The frame it would get instead: the newest replay view event of the same view name and device
type on the current version (the newest version seen on that view), with `start` computed as the
replay picker does (RumService.start_offset).

Applying a plan journals the old frame in the trash (fsynced) before each PATCH, so `trash
restore` puts it back (core/restore.py); the name and everything else are kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from heatmap_tui.core.clock import utc_now
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot, SnapshotUpdateAttributes
from heatmap_tui.core.rum import FRAME_SEARCH_LIMIT, RumService
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.stale import AppFacts, StaleSettings, Verdict, judge
from heatmap_tui.core.stale_lookup import app_facts
from heatmap_tui.core.trash_entries import FrameRecord, TrashError, frame_label, iso, when
from heatmap_tui.core.trash_journal import Trash
from heatmap_tui.core.versions import version_key

DEFAULT_REFRAME_CONCURRENCY = 8
OUTDATED, EXPIRED = "outdated", "expired"
REFRAME_REASONS = (OUTDATED, EXPIRED)  # of core/stale.py's reasons, those a new frame cures
MAX_EVENT_PAGES = 50  # 50,000 replay views of one view and device: far more than a window holds

ReframeProgress = Callable[[str, ApiError | None], None]  # (snapshot id, its failure or None)


class NotJournaled(ApiError):
    """Raised in place of a PATCH whose old frame could not be journaled: it is not sent."""

    reason = "its old frame could not be saved to the trash, so it was not changed"


@dataclass(frozen=True, slots=True)
class Frame:
    """Where a snapshot's heatmap is drawn: a replay view event and the offset into its session;
    its app version and date when the event was found."""

    event_id: str
    start: int
    session_id: str | None
    view_id: str | None
    version: str | None = None
    date: datetime | None = None

    @classmethod
    def of(cls, snapshot: Snapshot, event: ViewEvent | None = None) -> Frame:
        a = snapshot.attributes
        version, date = (event.version, event.date) if event is not None else (None, None)
        return cls(a.event_id, a.start, a.session_id, a.view_id, version, date)

    @classmethod
    def from_record(cls, record: FrameRecord) -> Frame:
        date = record.get("date")
        return cls(
            str(record["event_id"]),
            int(record["start"]),
            record.get("session_id"),
            record.get("view_id"),
            record.get("version"),
            when(date) if isinstance(date, str) else None,
        )

    def to_record(self) -> FrameRecord:
        return {
            "event_id": self.event_id,
            "start": self.start,
            "session_id": self.session_id,
            "view_id": self.view_id,
            "version": self.version,
            "date": iso(self.date) if self.date is not None else None,
        }

    def label(self) -> str:
        """`2.5.0 2026-02-01`, or the event id when neither is known."""
        return frame_label(self.to_record())

    def holds(self, snapshot: Snapshot) -> bool:
        """Whether `snapshot` is drawn over this frame."""
        a = snapshot.attributes
        return (a.event_id, a.start, a.session_id, a.view_id) == (
            self.event_id,
            self.start,
            self.session_id,
            self.view_id,
        )

    def update_for(self, snapshot: Snapshot) -> SnapshotUpdateAttributes:
        """The PATCH that puts `snapshot` on this frame (its name and device choice kept)."""
        return SnapshotUpdateAttributes(
            event_id=self.event_id,
            is_device_type_selected_by_user=snapshot.attributes.is_device_type_selected_by_user,
            start=self.start,
            session_id=self.session_id,
            view_id=self.view_id,
        )


@dataclass(frozen=True, slots=True)
class ViewTraffic:
    """What the replay view events of one view and device in the window say."""

    current: str | None  # the newest version seen (None: the application sets none)
    since: datetime | None  # the first view seen on it
    newest: ViewEvent | None  # the newest replay view event on it: the frame to take
    by_id: dict[str, ViewEvent] = field(default_factory=dict)


def summarize(events: Iterable[ViewEvent], current: str | None = None) -> ViewTraffic:
    """The current version of a view (`current` when RUM told it, else the newest among
    `events`), since when, and its newest replay view event on it."""
    by_id = {e.event_id: e for e in events}
    versions = {e.version for e in by_id.values() if e.version}
    if current is None:
        current = max(versions, key=version_key) if versions else None
    on_current = [e for e in by_id.values() if e.version == current and e.has_replay]
    since = min((e.date for e in on_current), default=None)
    newest = max(on_current, key=lambda e: e.date, default=None)
    return ViewTraffic(current, since, newest, by_id)


def reframe_reason(verdict: Verdict) -> tuple[str, str] | None:
    """(reason, evidence) when the snapshot of `verdict` needs a new frame: core/stale.py judged
    its frame outdated or expired (outdated first when both)."""
    for reason in REFRAME_REASONS:
        if reason in verdict.evidence:
            return reason, verdict.evidence[reason]
    return None


@dataclass(frozen=True, slots=True)
class ReframePlan:
    """One snapshot, why it needs a new frame, its frame now and the one it would get."""

    snapshot: Snapshot
    reason: str
    evidence: str
    old: Frame
    new: Frame | None  # None: no replay view on the current version to take one from
    note: str = ""  # why there is no new frame

    def to_json(self) -> dict[str, Any]:
        a = self.snapshot.attributes
        return {
            "id": self.snapshot.id,
            "application_id": a.application_id,
            "view_name": a.view_name,
            "device_type": a.device_type,
            "snapshot_name": a.snapshot_name,
            "reason": self.reason,
            "evidence": self.evidence,
            "frame": self.old.to_record(),
            "new_frame": self.new.to_record() if self.new is not None else None,
            "note": self.note or None,
        }


async def view_traffic(
    rum: RumService,
    app_id: str,
    view_name: str,
    device_type: str,
    *,
    since: str = "now-30d",
    current: str | None = None,
) -> ViewTraffic:
    """Every replay view event of the view on the device in the window, summarized (`current`:
    the view's current version, when known)."""
    events: list[ViewEvent] = []
    cursor: str | None = None
    for _ in range(MAX_EVENT_PAGES):
        page = await rum.search_view_events(
            app_id, view_name, device_type, since, cursor, limit=FRAME_SEARCH_LIMIT
        )
        events += page.events
        cursor = page.cursor
        if not cursor or not page.events:
            break
    return summarize(events, current)


async def needing_frames(
    rum: RumService,
    snapshots: Sequence[Snapshot],
    settings: StaleSettings,
    now: datetime,
    gate: asyncio.Semaphore,
) -> tuple[list[tuple[Verdict, str, str]], dict[str, AppFacts]]:
    """The snapshots core/stale.py judges outdated or expired, with (reason, evidence), and the
    facts it judged them on (stale_lookup.app_facts, per application)."""
    apps = list(dict.fromkeys(s.application_id for s in snapshots))

    async def facts_of(app_id: str) -> AppFacts:
        mine = [s for s in snapshots if s.application_id == app_id]
        views = dict.fromkeys(s.view_name for s in mine)
        return await app_facts(rum, app_id, views, mine, settings, gate)

    facts = dict(zip(apps, await asyncio.gather(*(facts_of(a) for a in apps)), strict=True))
    chosen = [(v, *why) for v in judge(snapshots, facts, now, settings) if (why := reframe_reason(v))]
    return chosen, facts


async def plan_reframes(
    rum: RumService,
    snapshots: Sequence[Snapshot],
    *,
    since: str = "now-30d",
    concurrency: int = DEFAULT_REFRAME_CONCURRENCY,
    settings: StaleSettings | None = None,
    now: datetime | None = None,
) -> list[ReframePlan]:
    """A plan for each of `snapshots` that core/stale.py judges outdated or expired, in their
    order: the stale look-ups, one events search (paged) per view and device of those, one
    session look-up per new frame."""
    settings = settings or StaleSettings()
    gate = asyncio.Semaphore(concurrency)
    chosen, facts = await needing_frames(rum, snapshots, settings, now or utc_now(), gate)
    groups = list(
        dict.fromkeys(
            (v.snapshot.application_id, v.snapshot.view_name, v.snapshot.device_type) for v, *_ in chosen
        )
    )

    async def traffic_of(app_id: str, view: str, device: str) -> ViewTraffic:
        seen = facts[app_id].views.get(view)
        async with gate:
            return await view_traffic(
                rum, app_id, view, device, since=since, current=seen.newest_version if seen else None
            )

    traffic = dict(zip(groups, await asyncio.gather(*(traffic_of(*g) for g in groups)), strict=True))
    starts: dict[str, int | None] = {}

    async def start_of(event: ViewEvent) -> None:
        async with gate:
            starts[event.event_id] = await rum.start_offset(event)

    newest = {t.newest.event_id: t.newest for t in traffic.values() if t.newest is not None}
    await asyncio.gather(*(start_of(e) for e in newest.values()))
    plans: list[ReframePlan] = []
    for verdict, reason, evidence in chosen:
        snapshot = verdict.snapshot
        seen = traffic[(snapshot.application_id, snapshot.view_name, snapshot.device_type)]
        event = facts[snapshot.application_id].frames.get(snapshot.attributes.view_id or "")
        old = Frame.of(snapshot, event)
        new, note = _new_frame(seen, starts)
        if new is not None and new.holds(snapshot):
            new, note = None, "it is on the newest replay of this view and device already"
        plans.append(ReframePlan(snapshot, reason, evidence, old, new, note))
    return plans


def _new_frame(traffic: ViewTraffic, starts: dict[str, int | None]) -> tuple[Frame | None, str]:
    event = traffic.newest
    if event is None:
        return None, "no replay of this view and device on its current version in the window"
    start = starts.get(event.event_id)
    if start is None:
        return None, f"the start of the session of replay view {event.event_id} cannot be told"
    return Frame(event.event_id, start, event.session_id, event.view_id, event.version, event.date), ""


@dataclass(slots=True)
class ReframeResult:
    done: list[ReframePlan] = field(default_factory=list)
    failed: dict[str, ApiError] = field(default_factory=dict)  # by snapshot id
    updated: dict[str, Snapshot] = field(default_factory=dict)  # the server's answers, by id

    def summary(self) -> str:
        return f"{len(self.done)} re-framed, {len(self.failed)} failed"


async def apply_reframes(
    service: SnapshotService,
    plans: Sequence[ReframePlan],
    trash: Trash,
    *,
    site: Site | str,
    profile: str,
    batch_id: str,
    concurrency: int = DEFAULT_REFRAME_CONCURRENCY,
    on_progress: ReframeProgress | None = None,
) -> ReframeResult:
    """PATCH each plan's new frame (those with one), its old frame journaled in `trash` (batch
    `batch_id`, fsynced) first; a frame that cannot be journaled is not changed."""
    label = site.label if isinstance(site, Site) else site
    result = ReframeResult()
    gate = asyncio.Semaphore(concurrency)

    async def one(plan: ReframePlan, new: Frame) -> None:
        snapshot = plan.snapshot
        error: ApiError | None = None
        async with gate:
            try:
                await asyncio.to_thread(
                    trash.record_reframe,
                    snapshot,
                    plan.old.to_record(),
                    new.to_record(),
                    site=label,
                    profile=profile,
                    batch_id=batch_id,
                )
            except TrashError as exc:
                error = NotJournaled(
                    f"re-frame snapshot {snapshot.id}", label, detail=f"{NotJournaled.reason}: {exc}"
                )
            if error is None:
                try:
                    result.updated[snapshot.id] = await service.update(snapshot.id, new.update_for(snapshot))
                except ApiError as exc:
                    error = exc
        if error is None:
            trash.confirm_reframe(snapshot.id, batch_id)
            result.done.append(plan)
        else:
            if not isinstance(error, NotJournaled):
                trash.record_failure(snapshot.id, batch_id, str(error))
            result.failed[snapshot.id] = error
        if on_progress is not None:
            on_progress(snapshot.id, error)

    await asyncio.gather(*(one(p, p.new) for p in plans if p.new is not None))
    order = {p.snapshot.id: i for i, p in enumerate(plans)}
    result.done.sort(key=lambda p: order[p.snapshot.id])
    return result
