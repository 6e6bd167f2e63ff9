"""Cleanup rules: which snapshots to delete, and why. Pure functions over a list; no I/O.

Rules:
  older_than  last modified (else created) longer ago than this, relative to `now`
  author      created_by or created_by_handle equals this, case-insensitively
  device      device_type equals this, case-insensitively
  duplicates  more than one snapshot of the same application, view, device and event id: the
              newest by modified_at is kept, the others are selected

The rules given combine with AND. `duplicates` can be used alone, or with the others, and then
selects only the duplicates that also match them. The newest of a duplicate group is always kept,
whatever the other rules say, so a cleanup never removes every copy of a frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from heatmap_tui.core.models import Snapshot

_AGE_RE = re.compile(r"\s*(\d+)\s*([smhdw])\s*", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_EPOCH = datetime.min.replace(tzinfo=UTC)
DEFAULT_OLD_AGE = timedelta(days=90)  # "old": the age the clean-up dialog suggests


class CleanupError(ValueError):
    """Rules that cannot be used (none at all, an unreadable age); str() is a plain sentence."""


def parse_age(text: str) -> timedelta:
    """`90d`, `12h`, `2w`, `30m`, `45s` -> timedelta."""
    match = _AGE_RE.fullmatch(text)
    if match is None:
        raise CleanupError(f"{text!r} is not an age: use a number and a unit, e.g. 90d, 12h or 2w")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(**{_UNITS[unit]: amount})


def format_age(age: timedelta) -> str:
    """The largest whole unit: `90d`, `12h`, `2w` (for reasons and messages)."""
    seconds = int(age.total_seconds())
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True, slots=True)
class CleanupRules:
    older_than: timedelta | None = None
    author: str | None = None
    device: str | None = None
    duplicates: bool = False

    @property
    def empty(self) -> bool:
        return self.older_than is None and not self.author and not self.device and not self.duplicates

    def describe(self) -> str:
        parts = []
        if self.older_than is not None:
            parts.append(f"not modified for {format_age(self.older_than)}")
        if self.author:
            parts.append(f"by {self.author}")
        if self.device:
            parts.append(f"on {self.device}")
        if self.duplicates:
            parts.append("duplicates (the newest of each kept)")
        return " and ".join(parts) or "no rule"


@dataclass(frozen=True, slots=True)
class Selected:
    snapshot: Snapshot
    reasons: tuple[str, ...]


@dataclass(slots=True)
class CleanupPlan:
    rules: CleanupRules
    considered: int
    selected: list[Selected] = field(default_factory=list)

    @property
    def snapshots(self) -> list[Snapshot]:
        return [s.snapshot for s in self.selected]

    @property
    def reasons(self) -> dict[str, tuple[str, ...]]:
        return {s.snapshot.id: s.reasons for s in self.selected}

    def __len__(self) -> int:
        return len(self.selected)


def last_change(snapshot: Snapshot) -> datetime | None:
    a = snapshot.attributes
    return a.modified_at or a.created_at


def duplicate_key(snapshot: Snapshot) -> tuple[str, str, str, str]:
    a = snapshot.attributes
    return (a.application_id, a.view_name, a.device_type, a.event_id)


def same_name_key(snapshot: Snapshot) -> tuple[str, str, str, str]:
    """Same name, view and device (and application): a duplicate saved under the same name."""
    a = snapshot.attributes
    return (a.application_id, a.view_name, a.device_type, a.snapshot_name)


def old_reason(snapshot: Snapshot, older_than: timedelta, now: datetime) -> str | None:
    """Why the snapshot is old (not modified for longer than `older_than`), or None."""
    changed = last_change(snapshot)
    if changed is None or now - changed <= older_than:
        return None
    return f"not modified for {(now - changed).days}d (over {format_age(older_than)})"


def _newest_first(snapshot: Snapshot) -> tuple[datetime, datetime, str]:
    a = snapshot.attributes
    return (last_change(snapshot) or _EPOCH, a.created_at or _EPOCH, snapshot.id)


def find_duplicates(
    snapshots: Sequence[Snapshot], key: Callable[[Snapshot], tuple[str, ...]] = duplicate_key
) -> dict[str, Snapshot]:
    """Each snapshot that is not the newest of its group -> the newest (the one kept)."""
    groups: dict[tuple[str, ...], list[Snapshot]] = {}
    for snapshot in {s.id: s for s in snapshots}.values():
        groups.setdefault(key(snapshot), []).append(snapshot)
    extra: dict[str, Snapshot] = {}
    for group in groups.values():
        if len(group) > 1:
            keep, *rest = sorted(group, key=_newest_first, reverse=True)
            extra.update((s.id, keep) for s in rest)
    return extra


def plan_cleanup(
    snapshots: Sequence[Snapshot], rules: CleanupRules, *, now: datetime | None = None
) -> CleanupPlan:
    """The snapshots the rules select, each with its reasons; order as given."""
    if rules.empty:
        raise CleanupError(
            "no cleanup rule was given: say what to remove (an age, an author, a device, duplicates)"
        )
    now = now or datetime.now(UTC)
    unique = list({s.id: s for s in snapshots}.values())
    duplicates = find_duplicates(unique) if rules.duplicates else {}
    plan = CleanupPlan(rules=rules, considered=len(unique))
    for snapshot in unique:
        reasons = _reasons(snapshot, rules, now, duplicates)
        if reasons is not None:
            plan.selected.append(Selected(snapshot, tuple(reasons)))
    return plan


def _reasons(
    snapshot: Snapshot, rules: CleanupRules, now: datetime, duplicates: dict[str, Snapshot]
) -> list[str] | None:
    """Why every rule matches, or None when one does not."""
    a = snapshot.attributes
    reasons = []
    if rules.older_than is not None:
        old = old_reason(snapshot, rules.older_than, now)
        if old is None:
            return None
        reasons.append(old)
    if rules.author:
        wanted = rules.author.casefold()
        names = {(a.created_by or "").casefold(), (a.created_by_handle or "").casefold()}
        if wanted not in names:
            return None
        reasons.append(f"by {a.created_by_handle or a.created_by}")
    if rules.device:
        if a.device_type.casefold() != rules.device.casefold():
            return None
        reasons.append(f"device {a.device_type}")
    if rules.duplicates:
        keep = duplicates.get(snapshot.id)
        if keep is None:
            return None
        reasons.append(f"duplicate of newer {keep.id}")
    return reasons
