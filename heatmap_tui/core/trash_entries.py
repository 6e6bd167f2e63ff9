"""What the trash holds, as its readers see it: entries, their states, batches, purge results.

An entry is the "trashed" record of one (batch_id, id) plus the later records about it
(core/trash_records.py lists the kinds):

    deleted      the server confirmed: restore re-creates it.
    unconfirmed  no confirmation: the process died between the copy and the answer, or the
                 DELETE failed. The snapshot may still exist, so restore first lists its view at
                 the server and skips it (with a note) when its id is still there.
    restored     re-created as `restored_as`: restore skips it, so no entry is restored twice
                 (nor another entry of the same snapshot id, from another batch).
    re-framed    not a delete: the snapshot's frame was changed (`reframe` holds the old and the
                 new frame). Restore PATCHes the old frame back onto the same snapshot, and
                 `restored_as` is then its own id.

An entry with an intent and no "restored" record had its create sent, and the answer was
never recorded (a kill, a quit, a lost connection): restore settles it by looking for an
identical snapshot in its view before it creates anything (core/restore.py).

Batches belong to whoever made them: every delete writes its own batch id (see new_batch_id)
with the user and the machine that made it.

A restore cannot bring a snapshot back as it was: the API sets a new id, the caller as its
author and the time of the create as its dates. So an entry keeps the original author and dates
(from its copy) to be shown beside what came back; entries of older records may lack them.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from heatmap_tui.core.clock import utc_now
from heatmap_tui.core.fileio import FileError

if TYPE_CHECKING:
    from heatmap_tui.core.models import Snapshot
    from heatmap_tui.core.trash_journal import Trash

EntryKey = tuple[str, str]  # (batch_id, snapshot id)


class TrashError(FileError):
    """The trash file cannot be read or written, or holds no usable copy; str() says which."""


class EntryState(StrEnum):
    DELETED = "deleted"
    UNCONFIRMED = "unconfirmed"
    RESTORED = "restored"
    REFRAMED = "re-framed"


# A frame as the journal keeps it: event_id, start, session_id, view_id, and version and date
# (RFC 3339) when known. core/reframe.py's Frame reads and writes it.
FrameRecord = dict[str, Any]


def when(text: str) -> datetime:
    """A record's time; one without a zone (a hand-edited line) is taken as UTC."""
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(dt: datetime) -> str:
    """`2026-01-05` (UTC)."""
    return f"{dt.astimezone(UTC):%Y-%m-%d}"


@dataclass(slots=True)
class TrashEntry:
    """One deleted snapshot in the trash. Its `snapshot` is read from the journal on demand."""

    batch_id: str
    id: str  # the snapshot's id before the delete
    deleted_at: datetime  # when the copy was taken, just before the DELETE
    site: str  # Site.label: a site name, or a custom base URL
    profile: str
    application_id: str
    name: str
    view_name: str
    device_type: str
    user: str | None = None  # who deleted it, and on which machine (None: not recorded)
    host: str | None = None
    confirmed: bool = False
    error: str | None = None  # the last DELETE failure, when there was one
    restored_as: str | None = None
    restored_at: datetime | None = None
    intent: bool = False  # a restore sent its create, and its answer was never recorded
    # The original author and dates, as the copy holds them (None: the server sent none); the
    # dates as their text, read when shown: 20,000 entries are made on each read of the trash.
    created_by: str | None = None
    created_by_handle: str | None = None
    created_text: str | None = field(default=None, repr=False)
    modified_text: str | None = field(default=None, repr=False)
    # A frame change instead of a delete: (old frame, new frame). None for a delete.
    reframe: tuple[FrameRecord, FrameRecord] | None = None
    # (st_dev, st_ino, offset, length) of its "trashed" (or "reframe") record in the journal
    where: tuple[int, int, int, int] = field(default=(0, 0, 0, 0), repr=False, compare=False)
    trash: Trash | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> EntryKey:
        return (self.batch_id, self.id)

    @property
    def state(self) -> EntryState:
        if self.restored_as is not None:
            return EntryState.RESTORED
        if not self.confirmed:
            return EntryState.UNCONFIRMED
        return EntryState.REFRAMED if self.reframe is not None else EntryState.DELETED

    @property
    def is_reframe(self) -> bool:
        return self.reframe is not None

    def frame_change(self) -> str:
        """`2.3.1 2026-01-05 → 2.5.0 2026-02-01` (old → new frame) for a frame change, "" for a delete."""
        if self.reframe is None:
            return ""
        old, new = self.reframe
        return f"{frame_label(old)} → {frame_label(new)}"

    def state_text(self) -> str:
        """`deleted`, `restored`...; a frame change `re-framed 2.3.1 2026-01-05 → 2.5.0 2026-02-01`
        (`, restored` or `, unconfirmed` after it when it is not simply re-framed)."""
        state = self.state
        if self.reframe is None:
            return state.value
        tail = "" if state is EntryState.REFRAMED else f", {state.value}"
        return f"{EntryState.REFRAMED.value} {self.frame_change()}{tail}"

    @property
    def created_at(self) -> datetime | None:
        """When the original was created (its restored copy has the date of its restore)."""
        return when(self.created_text) if self.created_text else None

    @property
    def modified_at(self) -> datetime | None:
        return when(self.modified_text) if self.modified_text else None

    @property
    def author(self) -> str | None:
        """The original author: the name, else the handle."""
        return self.created_by or self.created_by_handle

    def original(self, *, modified: bool = False) -> str:
        """`originally by Ann Lee, created 2026-01-05` (`, modified 2026-02-01` too when asked):
        what a restore cannot bring back."""
        parts = [f"by {self.author}"] if self.author else []
        if (created := self.created_at) is not None:
            parts.append(f"created {day(created)}")
        if modified and (changed := self.modified_at) is not None:
            parts.append(f"modified {day(changed)}")
        return "originally " + ", ".join(parts) if parts else "its original author and date were not recorded"

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot as it was deleted, read from the journal (TrashError when it cannot be)."""
        if self.trash is None:
            raise TrashError(f"snapshot {self.id}: no trash to read its copy from")
        found = self.trash.load_snapshots([self])[self.key]
        if isinstance(found, TrashError):
            raise found
        return found

    def to_json(self, snapshot: dict[str, Any] | None) -> dict[str, Any]:
        """`snapshot`: its JSON document (Trash.snapshot_documents), None when it cannot be read."""
        return {
            "id": self.id,
            "batch_id": self.batch_id,
            "state": self.state.value,
            "deleted_at": iso(self.deleted_at),
            "site": self.site,
            "profile": self.profile,
            "user": self.user,
            "host": self.host,
            "application_id": self.application_id,
            "error": self.error,
            "restored_as": self.restored_as,
            "restored_at": iso(self.restored_at) if self.restored_at else None,
            "original": self.original_json(),
            "snapshot": snapshot,
            **({"reframe": {"old": self.reframe[0], "new": self.reframe[1]}} if self.reframe else {}),
        }

    def original_json(self) -> dict[str, str | None]:
        """The original author and dates, by the API's names (a restore gets new ones)."""
        return {
            "created_by": self.created_by,
            "created_by_handle": self.created_by_handle,
            "created_at": iso(created) if (created := self.created_at) else None,
            "modified_at": iso(modified) if (modified := self.modified_at) else None,
        }


@dataclass(slots=True)
class TrashContents:
    entries: list[TrashEntry]  # oldest first
    bad_lines: list[int]  # 1-based numbers of lines that did not parse (a torn write, an edit)


@dataclass(frozen=True, slots=True)
class Batch:
    """One delete's entries, as `--last` and the undo name it."""

    id: str
    entries: list[TrashEntry]

    @property
    def first(self) -> TrashEntry:
        return self.entries[0]

    def describe(self) -> str:
        """`batch 20261201T101500-3f9a1c: 3 snapshots deleted 2026-12-01 10:15 UTC by ann@box
        (profile default on US1)`."""
        e = self.first
        count = len(self.entries)
        who = f" by {e.user}@{e.host}" if e.user and e.host else ""
        return (
            f"batch {self.id}: {count} snapshot{'' if count == 1 else 's'} "
            f"{'re-framed' if e.is_reframe else 'deleted'} "
            f"{e.deleted_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC{who} (profile {e.profile} on {e.site})"
        )


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: list[TrashEntry]
    dropped_lines: int  # unreadable lines the rewrite left out: only when asked to
    kept_lines: int = 0  # unreadable lines kept as they were


def frame_label(frame: FrameRecord) -> str:
    """`2.3.1 2026-01-05` (what is known of it), else the frame's event id."""
    parts = [str(frame["version"])] if frame.get("version") else []
    if isinstance(date := frame.get("date"), str):
        try:
            parts.append(day(when(date)))
        except ValueError:
            pass
    return " ".join(parts) or f"event {frame.get('event_id')}"


def new_batch_id(now: datetime | None = None) -> str:
    """Sortable and readable: `20250611T101500-3f9a1c`."""
    now = now or utc_now()
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def whoami() -> tuple[str, str]:
    """(user, host) as a batch records them: the login name and this machine's name."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in the environment nor in the password database
        user = f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return user, socket.gethostname() or "unknown"
