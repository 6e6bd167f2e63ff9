"""Undoing frame changes (`snapshots reframe`, the TUI's Re-frame): the old frame is put back on
the same snapshot with a PATCH, never re-created. Called by core/restore.py under its batch locks.

Each entry's view is listed first (one list answer per view, device and application):
    - a snapshot already on its old frame (the change never reached the server: a kill between
      the journal and the PATCH) is only marked restored;
    - one deleted since is reported, never re-created;
    - one whose frame was changed again since (neither the old frame nor the new) is left as it is;
    - else its old frame is PATCHed back (name and the rest kept) and the entry marked restored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.snapshots import SnapshotPage, SnapshotService
from heatmap_tui.core.trash_entries import EntryKey, TrashEntry, TrashError
from heatmap_tui.core.trash_journal import Trash

if TYPE_CHECKING:
    from heatmap_tui.core.reframe import Frame
    from heatmap_tui.core.restore import RestoreReport

log = logging.getLogger(__name__)


async def revert_frames(
    trash: Trash,
    entries: Sequence[TrashEntry],
    service: SnapshotService,
    concurrency: int,
    report: RestoreReport,
) -> None:
    """Put the old frame of each frame-change entry back on its snapshot (module docstring)."""
    loaded = await asyncio.to_thread(trash.load_snapshots, entries)
    copies: dict[EntryKey, Snapshot] = {}
    for entry in entries:
        found = loaded.get(entry.key)
        if isinstance(found, Snapshot) and entry.reframe is not None:
            copies[entry.key] = found
        else:
            report.skipped.append((entry, f"its copy cannot be read: {found}"))
    from heatmap_tui.core.reframe import Frame  # here: a delete, which imports this module, needs none

    pages = await list_views(list(copies.values()), service, concurrency)
    gate = asyncio.Semaphore(concurrency)

    async def one(entry: TrashEntry, old: Frame, new: Frame) -> None:
        page = pages[view_group(copies[entry.key])]
        if isinstance(page, ApiError):
            report.failed.append((entry, page))
            return
        now = next((s for s in page.items if s.id == entry.id), None)
        if now is None:
            why = (
                f"not found in the first {page.limit} snapshots of its view (the most one answer holds)"
                if page.may_be_truncated
                else "deleted since it was re-framed: not re-created"
            )
            report.skipped.append((entry, why))
        elif old.holds(now):
            await _mark_restored(trash, entry)
            report.skipped.append((entry, "already on its old frame (the change never reached the server)"))
        elif not new.holds(now):
            report.skipped.append((entry, "its frame was changed again since: left as it is"))
        else:
            try:
                async with gate:
                    back = await service.update(entry.id, old.update_for(now))
            except ApiError as exc:
                report.failed.append((entry, exc))
                return
            await _mark_restored(trash, entry)
            report.restored.append((entry, back))

    await asyncio.gather(
        *(
            one(e, Frame.from_record(e.reframe[0]), Frame.from_record(e.reframe[1]))
            for e in entries
            if e.key in copies and e.reframe is not None
        )
    )


async def _mark_restored(trash: Trash, entry: TrashEntry) -> None:
    try:
        await asyncio.to_thread(trash.record_restored, entry, entry.id)
    except TrashError as exc:  # the next restore finds the old frame back, and says so
        log.warning("trash: put the old frame of %s back but could not record it: %s", entry.id, exc)


def view_group(snapshot: Snapshot) -> tuple[str, str, str]:
    a = snapshot.attributes
    return (a.view_name, a.device_type, a.application_id)


async def list_views(
    snapshots: Sequence[Snapshot], service: SnapshotService, concurrency: int
) -> dict[tuple[str, str, str], SnapshotPage | ApiError]:
    """One list answer per (view, device, application) of `snapshots`."""
    groups = list(dict.fromkeys(view_group(s) for s in snapshots))
    gate = asyncio.Semaphore(concurrency)

    async def one(view: str, device: str, app: str) -> SnapshotPage | ApiError:
        async with gate:
            try:
                return await service.list(view, device_type=device, application_id=app)
            except ApiError as exc:
                return exc

    pages = await asyncio.gather(*(one(*group) for group in groups))
    return dict(zip(groups, pages, strict=True))
