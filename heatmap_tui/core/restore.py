"""Deleting through the trash, and restoring from it: the network side of the trash journal.

Delete
    `delete_with_trash` is the one delete path of the app (TUI and CLI): the snapshots are copied
    to the trash (one write, fsynced) before any DELETE is sent, and when the copies cannot be
    written none is deleted (each fails with NotTrashed).

Restore never duplicates
    - A restore holds an exclusive lock on each batch it touches (every batch that holds one of
      its snapshot ids), taken in one order, so two restores of one batch take turns, and the
      second reads the journal only once the first is done: it finds the work done.
    - Before each create an intent record is fsynced; after it, a "restored" record. An entry
      with an intent and no "restored" record (a kill, a quit, a lost answer) is settled before
      anything is created again: its view is listed, and an identical snapshot there (name,
      event, device, start, application) that no other entry claims is taken as its restored
      copy. Only when there is none is it created again.
    - An entry whose delete was never confirmed is first looked for under its own id: when the
      snapshot is still there, its delete never happened and it is skipped.
    - A list answer that may be cut at the page limit cannot prove that a snapshot is absent:
      such an entry is skipped with a note, never created on a guess.

Frame changes are undone, not re-created
    core/restore_frames.py: the old frame is PATCHed back on the same snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot, create_attributes_from
from heatmap_tui.core.restore_frames import list_views, revert_frames, view_group
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import (
    DELETE_CONCURRENCY,
    BulkResult,
    ProgressCallback,
    SnapshotPage,
    SnapshotService,
    identity,
)
from heatmap_tui.core.trash_batch import DeleteBatch
from heatmap_tui.core.trash_entries import EntryKey, TrashEntry, TrashError, new_batch_id
from heatmap_tui.core.trash_journal import Trash

log = logging.getLogger(__name__)

DEFAULT_RESTORE_CONCURRENCY = 8
LOCK_POLL_S = 0.05

WaitCallback = Callable[[str], None]  # told the batch id a restore waits for, once per batch


class NotTrashed(ApiError):
    """Raised in place of a DELETE whose copy could not be saved: that snapshot is not deleted."""

    reason = "its copy could not be saved to the trash, so it was not deleted"


@dataclass(slots=True)
class RestoreReport:
    restored: list[tuple[TrashEntry, Snapshot]] = field(default_factory=list)  # (entry, new snapshot)
    skipped: list[tuple[TrashEntry, str]] = field(default_factory=list)  # (entry, why)
    failed: list[tuple[TrashEntry, ApiError]] = field(default_factory=list)
    # Of `restored`: those an interrupted restore had re-created, found on the server.
    found: list[EntryKey] = field(default_factory=list)

    @property
    def id_map(self) -> dict[str, str]:
        return {entry.id: new.id for entry, new in self.restored}

    def summary(self) -> str:
        return f"{len(self.restored)} restored, {len(self.skipped)} skipped, {len(self.failed)} failed"


# --- the one delete path of the app -------------------------------------------


async def delete_with_trash(
    service: SnapshotService,
    snapshots: Sequence[Snapshot],
    trash: Trash,
    *,
    site: Site | str,
    profile: str,
    concurrency: int = DELETE_CONCURRENCY,
    on_progress: ProgressCallback | None = None,
    batch_id: str | None = None,
) -> BulkResult:
    """Delete `snapshots`, their copies written to `trash` (one write, fsynced) before any DELETE
    is sent (core/trash_batch.py).

    When the copies cannot be written nothing is deleted (each fails with NotTrashed). The
    server's confirmations and refusals are recorded too. Pass `batch_id` (see new_batch_id) to
    know the batch for an undo: it is the only handle on this delete's entries.
    """
    batch = DeleteBatch(trash, batch_id or new_batch_id())
    label = site.label if isinstance(site, Site) else site
    try:
        await asyncio.to_thread(batch.copy, snapshots, site=label, profile=profile)
    except TrashError as exc:
        result = BulkResult()
        for snapshot in snapshots:
            error = NotTrashed(f"delete snapshot {snapshot.id}", label, detail=f"{NotTrashed.reason}: {exc}")
            result.failed[snapshot.id] = error
            if on_progress is not None:
                on_progress(snapshot.id, error)
        return result

    def progress(snapshot_id: str, error: ApiError | None) -> None:
        batch.answered(snapshot_id, None if error is None else str(error))
        if on_progress is not None:
            on_progress(snapshot_id, error)

    try:
        return await service.delete_many(snapshots, concurrency=concurrency, on_progress=progress)
    finally:
        batch.close()


# --- restore ----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def batch_locks(
    trash: Trash, batch_ids: Sequence[str], on_wait: WaitCallback | None = None
) -> AsyncIterator[None]:
    """Exclusive locks on these batches, taken in sorted order (no two restores deadlock);
    while one is held elsewhere, wait (cancellable), telling `on_wait` once per batch."""
    held: list[int] = []
    try:
        for batch_id in sorted(set(batch_ids)):
            told = False
            while (fd := await asyncio.to_thread(trash.try_lock_batch, batch_id)) is None:
                if not told and on_wait is not None:
                    on_wait(batch_id)
                told = True
                await asyncio.sleep(LOCK_POLL_S)
            held.append(fd)
        yield
    finally:
        for fd in held:
            os.close(fd)  # closing releases the lock


async def restore_entries(
    trash: Trash,
    entries: Sequence[TrashEntry],
    service: SnapshotService,
    *,
    concurrency: int = DEFAULT_RESTORE_CONCURRENCY,
    on_wait: WaitCallback | None = None,
) -> RestoreReport:
    """Re-create `entries` through `service` (bound to the site and keys to restore into).

    Under the locks of their batches the trash is read again, so what another restore did
    meanwhile is seen; then as the module docstring says. A snapshot comes back with a new id
    (the API cannot choose ids); the mapping is recorded.
    """
    wanted = {e.id for e in entries}
    before = await asyncio.to_thread(trash.read)
    batches = {e.batch_id for e in entries} | {e.batch_id for e in before.entries if e.id in wanted}
    async with batch_locks(trash, sorted(batches), on_wait):
        report = await _restore_locked(trash, entries, service, concurrency)
    order = {e.key: i for i, e in enumerate(entries)}
    for items in (report.restored, report.skipped, report.failed):
        items.sort(key=lambda pair: order.get(pair[0].key, 0))
    return report


async def _restore_locked(
    trash: Trash, entries: Sequence[TrashEntry], service: SnapshotService, concurrency: int
) -> RestoreReport:
    report = RestoreReport()
    everything = (await asyncio.to_thread(trash.read)).entries
    current = {e.key: e for e in everything}
    restored_ids = {e.id: e.restored_as for e in everything if e.restored_as is not None and not e.is_reframe}
    frames: list[TrashEntry] = []
    todo: list[TrashEntry] = []
    seen: set[str] = set()
    for given in entries:
        entry = current.get(given.key)
        if entry is None:
            report.skipped.append((given, "no longer in the trash (purged)"))
        elif entry.restored_as is not None:
            done = (
                "its old frame is already back"
                if entry.is_reframe
                else f"already restored as {entry.restored_as}"
            )
            report.skipped.append((entry, done))
        elif entry.is_reframe:
            frames.append(entry)
        elif entry.id in restored_ids:
            report.skipped.append(
                (entry, f"already restored as {restored_ids[entry.id]} (from another batch)")
            )
        elif entry.id in seen:
            report.skipped.append((entry, "listed twice"))
        else:
            seen.add(entry.id)
            todo.append(entry)

    loaded = await asyncio.to_thread(trash.load_snapshots, todo)
    snapshots: dict[EntryKey, Snapshot] = {}
    for entry in todo:
        found = loaded.get(entry.key)
        if isinstance(found, Snapshot):
            snapshots[entry.key] = found
        else:
            report.skipped.append((entry, f"its copy cannot be read: {found}"))
    todo = [e for e in todo if e.key in snapshots]

    # Never taken as another entry's restored copy: what entries already restored to, and the
    # snapshots entries were deleted from (still there when their delete never happened).
    claimed = {e.restored_as for e in everything if e.restored_as is not None} | {e.id for e in everything}
    checked = {e.key for e in todo if not e.confirmed or e.intent}
    pages = await list_views([snapshots[key] for key in checked], service, concurrency)
    create: list[TrashEntry] = []
    for entry in todo:
        if entry.key not in checked:
            create.append(entry)
            continue
        snapshot = snapshots[entry.key]
        page = pages[view_group(snapshot)]
        if isinstance(page, ApiError):
            report.failed.append((entry, page))
            continue
        if not entry.confirmed and any(s.id == entry.id for s in page.items):
            report.skipped.append((entry, "still exists on the server: its delete never happened"))
            continue
        twin = _twin(snapshot, page, claimed) if entry.intent else None
        if twin is not None:
            claimed.add(twin.id)
            try:
                await asyncio.to_thread(trash.record_restored, entry, twin.id, found=True)
            except TrashError as exc:
                log.warning(
                    "trash: found %s restored as %s but could not record it: %s", entry.id, twin.id, exc
                )
            report.restored.append((entry, twin))
            report.found.append(entry.key)
        elif page.may_be_truncated:
            report.skipped.append(
                (
                    entry,
                    f"its view lists {page.limit} snapshots or more, the most one answer holds, so "
                    f"whether it {'was already re-created' if entry.intent else 'still exists'} "
                    "cannot be told: restore it after deleting some snapshots of that view",
                )
            )
        else:
            create.append(entry)

    gate = asyncio.Semaphore(concurrency)

    async def one(entry: TrashEntry) -> None:
        async with gate:
            try:
                await asyncio.to_thread(trash.record_intent, entry)
            except TrashError as exc:
                report.skipped.append((entry, f"not restored: {exc}"))
                return
            try:
                created = await service.create(create_attributes_from(snapshots[entry.key]))
            except ApiError as exc:
                report.failed.append((entry, exc))
                return
        try:
            await asyncio.to_thread(trash.record_restored, entry, created.id)
        except TrashError as exc:  # the intent stays: the next restore finds it on the server
            log.warning("trash: restored %s as %s but could not record it: %s", entry.id, created.id, exc)
        report.restored.append((entry, created))

    await asyncio.gather(*(one(e) for e in create))
    await revert_frames(trash, frames, service, concurrency, report)
    return report


def _twin(snapshot: Snapshot, page: SnapshotPage, claimed: set[str]) -> Snapshot | None:
    """A snapshot of `page` identical to `snapshot` that nothing claims yet."""
    wanted = identity(snapshot.attributes)
    return next((s for s in page.items if s.id not in claimed and identity(s.attributes) == wanted), None)
