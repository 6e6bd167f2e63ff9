"""Stale reasons: why a snapshot is stale, each with a sentence of evidence. Pure; no I/O.

  orphaned   its view has had no RUM view events for `orphan_after` (30 days by default)
  outdated   its frame comes from an app version older than the newest its view ran in the
             window; where the application sets no version, a frame older than `old_after`
  expired    its frame's session replay is older than the replay retention (30 days by default),
             so the frame can no longer be re-picked
  duplicate  the same view, device and frame as a newer snapshot, or the same name, view and
             device (cleanup.find_duplicates: the newest of each group is not one)
  old        not modified for `old_after` (cleanup's rule, 90 days by default)

The facts (traffic, versions, frames) are looked up by the caller (core/rum.py) and passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from heatmap_tui.core.cleanup import (
    DEFAULT_OLD_AGE,
    find_duplicates,
    format_age,
    old_reason,
    same_name_key,
)
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.versions import version_key

REASONS = ("orphaned", "outdated", "expired", "duplicate", "old")
BADGES = {
    "orphaned": "ORPHAN",
    "outdated": "OUTDATED",
    "expired": "EXPIRED",
    "duplicate": "DUP",
    "old": "OLD",
}
DEFAULT_ORPHAN_AGE = timedelta(days=30)
DEFAULT_REPLAY_RETENTION_DAYS = 30


@dataclass(frozen=True, slots=True)
class StaleSettings:
    orphan_after: timedelta = DEFAULT_ORPHAN_AGE
    old_after: timedelta = DEFAULT_OLD_AGE
    replay_retention: timedelta = timedelta(days=DEFAULT_REPLAY_RETENTION_DAYS)


@dataclass(frozen=True, slots=True)
class ViewFacts:
    """What RUM says of one view."""

    recent: bool  # view events within `orphan_after`
    last_traffic: datetime | None = None  # the last view event when not recent; None: none kept
    newest_version: str | None = None  # the newest app version on the view in the window
    newest_since: datetime | None = None  # when that version was first seen on the view


@dataclass(slots=True)
class AppFacts:
    """What RUM says of one application's views and of its snapshots' frames."""

    views: dict[str, ViewFacts] = field(default_factory=dict)
    versioned: bool = False  # its events carry a version
    frames: dict[str, ViewEvent] = field(default_factory=dict)  # view id -> the frame's event


@dataclass(frozen=True, slots=True)
class Verdict:
    snapshot: Snapshot
    evidence: dict[str, str]  # reason -> sentence, in REASONS order

    @property
    def reasons(self) -> list[str]:
        return list(self.evidence)


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _days(span: timedelta) -> int:
    return max(0, span.days)


def orphaned(view: ViewFacts | None, settings: StaleSettings, now: datetime) -> str | None:
    if view is not None and view.recent:
        return None
    window = format_age(settings.orphan_after)
    if view is None or view.last_traffic is None:
        return f"no view events in the window RUM keeps (none in {window} or more)"
    if now - view.last_traffic <= settings.orphan_after:
        return None
    ago = _days(now - view.last_traffic)
    return f"last view event on {_day(view.last_traffic)}, {ago}d ago (over {window})"


def outdated(
    snapshot: Snapshot, app: AppFacts, view: ViewFacts | None, settings: StaleSettings, now: datetime
) -> str | None:
    frame = app.frames.get(snapshot.attributes.view_id or "")
    if not app.versioned:
        taken = frame.date if frame is not None else snapshot.attributes.created_at
        if taken is None or now - taken <= settings.old_after:
            return None
        return (
            f"the application sets no version: frame from {_day(taken)}, {_days(now - taken)}d old "
            f"(over {format_age(settings.old_after)})"
        )
    if frame is None or not frame.version or view is None or not view.newest_version:
        return None
    if version_key(frame.version) >= version_key(view.newest_version):
        return None
    since = f" since {_day(view.newest_since)}" if view.newest_since is not None else ""
    return f"frame from {frame.version}, view on {view.newest_version}{since}"


def expired(snapshot: Snapshot, app: AppFacts, settings: StaleSettings, now: datetime) -> str | None:
    retention = format_age(settings.replay_retention)
    frame = app.frames.get(snapshot.attributes.view_id or "")
    if frame is not None:
        if now - frame.date <= settings.replay_retention and frame.has_replay:
            return None
        return f"replay from {_day(frame.date)}, {_days(now - frame.date)}d old: past the {retention} replay retention"
    saved = snapshot.attributes.created_at
    if saved is None or now - saved <= settings.replay_retention:
        return None
    return (
        f"frame not found in RUM; saved {_days(now - saved)}d ago, so its replay is past the "
        f"{retention} replay retention"
    )


def duplicates(snapshots: Sequence[Snapshot]) -> dict[str, str]:
    """Snapshot id -> why it duplicates a newer one (same frame, or same name)."""
    found = {
        s_id: f"same view, device and frame as newer {keep.id}"
        for s_id, keep in find_duplicates(snapshots).items()
    }
    for s_id, keep in find_duplicates(snapshots, same_name_key).items():
        found.setdefault(s_id, f"same name, view and device as newer {keep.id}")
    return found


def judge(
    snapshots: Sequence[Snapshot],
    facts: dict[str, AppFacts],
    now: datetime,
    settings: StaleSettings | None = None,
) -> list[Verdict]:
    """A verdict for each snapshot (its evidence empty when it is not stale), order as given."""
    settings = settings or StaleSettings()
    unique = list({s.id: s for s in snapshots}.values())
    dups = duplicates(unique)
    verdicts = []
    for snapshot in unique:
        a = snapshot.attributes
        app = facts.get(a.application_id) or AppFacts()
        view = app.views.get(a.view_name)
        found = {
            "orphaned": orphaned(view, settings, now),
            "outdated": outdated(snapshot, app, view, settings, now),
            "expired": expired(snapshot, app, settings, now),
            "duplicate": dups.get(snapshot.id),
            "old": old_reason(snapshot, settings.old_after, now),
        }
        verdicts.append(Verdict(snapshot, {r: text for r, text in found.items() if text is not None}))
    return verdicts
