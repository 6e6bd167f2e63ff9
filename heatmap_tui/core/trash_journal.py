"""The trash journal: the file that keeps a copy of every deleted snapshot, written and read.

No network here: core/restore.py re-creates entries and deletes through the trash. The records
are described in core/trash_records.py, the entries a reader sees in core/trash_entries.py, the
index that spares a full parse on each read in core/trash_index.py.

Why this order
    A copy without a delete costs one redundant line; a delete without a copy loses data. So only
    the "trashed" record must be durable before the DELETE: it is fsynced (a delete batch's
    copies all in one write with one fsync, see core/trash_batch.py). "deleted" and "failed"
    records are not fsynced each and a failure to write them is ignored: losing one only turns
    an entry back to unconfirmed, which restore settles by asking the server.

Batches belong to whoever made them
    `last_batch` is the last batch of this user on this machine (of one profile when asked);
    another user's or machine's batches are restored only by naming them.

Crashes and other processes
    A kill mid-write can leave a torn last line: readers skip lines that do not parse and report
    them (`TrashContents.bad_lines`), and the next append first ends the torn line so that it
    cannot swallow the next record. Appenders hold a shared lock on `trash.jsonl.lock` and purge
    an exclusive one, so a purge in one process never drops a record another is appending. A
    restore holds an exclusive lock on a file of its own per batch (`trash.jsonl.locks/`), so
    two restores of one batch take turns.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.fileio import flock
from heatmap_tui.core.paths import trash_path
from heatmap_tui.core.sites import Site
from heatmap_tui.core.trash_entries import (
    Batch,
    EntryKey,
    PurgeResult,
    TrashContents,
    TrashEntry,
    TrashError,
    iso,
    whoami,
)
from heatmap_tui.core.trash_index import IndexState, JournalIndex, digest
from heatmap_tui.core.trash_purge import purge_journal
from heatmap_tui.core.trash_records import (
    DELETED,
    FAILED,
    FORMAT_VERSION,
    INTENT,
    REFRAME,
    REFRAMED,
    RESTORED,
    TRASHED,
    append_records,
    entry_from_row,
    journal_lock,
    read_documents,
)

# The models (pydantic) are imported where a snapshot is read or written: listing the trash
# (`heatmap-tui trash list`, the TUI's trash screen) needs none of them.
if TYPE_CHECKING:
    from heatmap_tui.core.models import Snapshot
    from heatmap_tui.core.restore import RestoreReport, WaitCallback
    from heatmap_tui.core.snapshots import SnapshotService

log = logging.getLogger(__name__)


class Trash:
    """The journal at `path`, read through its index. Safe to share between threads."""

    # An index file is written once the journal has this many bytes it does not cover: below
    # that, parsing them on each read is cheaper than writing the index again.
    index_every = 256 * 1024

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Clock = utc_now,
        user: str | None = None,
        host: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else trash_path()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.index_path = self.path.with_name(self.path.name + ".idx")
        self.locks_dir = self.path.with_name(self.path.name + ".locks")
        self._clock = clock
        self._who = (user, host) if user is not None and host is not None else None
        self._index = JournalIndex(self.path, self.index_path)
        self._built: tuple[IndexState, int, list[TrashEntry]] | None = None  # see read()
        self._mutex = threading.Lock()

    @property
    def who(self) -> tuple[str, str]:
        """(user, host) recorded with each delete, and what `last_batch` looks for."""
        if self._who is None:
            self._who = whoami()
        return self._who

    # --- writing ------------------------------------------------------------

    def record(self, snapshot: Snapshot, *, site: Site | str, profile: str, batch_id: str) -> None:
        """Copy `snapshot` to the trash, durably (fsync). Raises TrashError when it cannot."""
        self.record_batch([snapshot], site=site, profile=profile, batch_id=batch_id)

    def record_batch(
        self, snapshots: Sequence[Snapshot], *, site: Site | str, profile: str, batch_id: str
    ) -> None:
        """Copy every snapshot of a batch to the trash in one write, made durable by one fsync:
        before any of their DELETEs is sent. Raises TrashError when it cannot (then send none)."""
        from heatmap_tui.core.transfer import snapshot_json

        user, host = self.who
        label = _site_label(site)
        now = iso(self._clock())
        records = [
            {
                "v": FORMAT_VERSION,
                "at": now,
                "kind": TRASHED,
                "batch_id": batch_id,
                "id": snapshot.id,
                "site": label,
                "profile": profile,
                "application_id": snapshot.application_id,
                "user": user,
                "host": host,
                "snapshot": snapshot_json(snapshot),
            }
            for snapshot in snapshots
        ]
        append_records(self.path, self.lock_path, records, sync=True)

    def record_reframe(
        self,
        snapshot: Snapshot,
        old: dict[str, Any],
        new: dict[str, Any],
        *,
        site: Site | str,
        profile: str,
        batch_id: str,
    ) -> None:
        """Journal a frame change of `snapshot` (as it is, with its `old` frame) to `new`,
        durably (fsync), before its PATCH is sent. Raises TrashError when it cannot."""
        from heatmap_tui.core.transfer import snapshot_json

        user, host = self.who
        self._append(
            {
                "kind": REFRAME,
                "batch_id": batch_id,
                "id": snapshot.id,
                "site": _site_label(site),
                "profile": profile,
                "application_id": snapshot.application_id,
                "user": user,
                "host": host,
                "snapshot": snapshot_json(snapshot),
                "old": old,
                "new": new,
            },
            sync=True,
        )

    def confirm_reframe(self, snapshot_id: str, batch_id: str) -> None:
        """The server accepted the PATCH of a frame change. Best effort, as `confirm`."""
        self._append_quietly({"kind": REFRAMED, "batch_id": batch_id, "id": snapshot_id})

    def confirm(self, snapshot_id: str, batch_id: str) -> None:
        """The server confirmed the delete. Best effort: see the module docstring."""
        self.record_answers([(snapshot_id, None)], batch_id)

    def record_failure(self, snapshot_id: str, batch_id: str, error: str) -> None:
        self.record_answers([(snapshot_id, error)], batch_id)

    def record_answers(
        self, answers: Sequence[tuple[str, str | None]], batch_id: str, *, sync: bool = False
    ) -> None:
        """The server's answers to DELETEs of a batch, in one write: (snapshot id, None) for a
        confirmed delete, (snapshot id, the error's sentence) for a failed one. Best effort, as
        `confirm`; `sync` makes them durable (a batch's last group)."""
        at = iso(self._clock())
        records = [
            {"v": FORMAT_VERSION, "at": at, "kind": DELETED, "batch_id": batch_id, "id": snapshot_id}
            if error is None
            else {
                "v": FORMAT_VERSION,
                "at": at,
                "kind": FAILED,
                "batch_id": batch_id,
                "id": snapshot_id,
                "error": error,
            }
            for snapshot_id, error in answers
        ]
        try:
            append_records(self.path, self.lock_path, records, sync=sync)
        except TrashError as exc:
            log.warning("trash: %s", exc)

    def record_intent(self, entry: TrashEntry) -> None:
        """Durably, before the create of `entry` is sent (TrashError: do not send it)."""
        self._append({"kind": INTENT, "batch_id": entry.batch_id, "id": entry.id}, sync=True)

    def record_restored(self, entry: TrashEntry, new_id: str, *, found: bool = False) -> None:
        record: dict[str, Any] = {
            "kind": RESTORED,
            "batch_id": entry.batch_id,
            "id": entry.id,
            "new_id": new_id,
        }
        if found:
            record["found"] = True
        self._append(record, sync=True)

    def _append_quietly(self, record: dict[str, Any]) -> None:
        try:
            self._append(record, sync=False)
        except TrashError as exc:
            log.warning("trash: %s", exc)

    def _append(self, record: dict[str, Any], *, sync: bool) -> None:
        stamped = {"v": FORMAT_VERSION, "at": iso(self._clock()), **record}
        append_records(self.path, self.lock_path, [stamped], sync=sync)

    # --- batch locks (restore) -----------------------------------------------

    def batch_lock_path(self, batch_id: str) -> Path:
        """The lock file of a batch: named by a digest, since a batch id is text from a file."""
        return self.locks_dir / f"{digest(batch_id.encode())}.lock"

    def try_lock_batch(self, batch_id: str) -> int | None:
        """An exclusive lock on the batch: its descriptor (close it to unlock), or None when
        another process (or another restore of this one) holds it."""
        try:
            self.locks_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.batch_lock_path(batch_id), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TrashError(
                f"{self.locks_dir}: cannot lock batch {batch_id} ({exc.strerror or type(exc).__name__})"
            ) from None
        if flock(fd, exclusive=True, wait=False):
            return fd
        os.close(fd)
        return None

    # --- reading ------------------------------------------------------------

    def read(self) -> TrashContents:
        """Every entry, oldest first; lines that do not parse are skipped and numbered."""
        with self._mutex, _no_gc():
            state, rows, bad = self._index.refresh(self.index_every)
            if state is None:
                return TrashContents([], bad)
            # The same journal as the last read (no torn line either): the same entries. A
            # restore reads several times; each would otherwise make 20,000 entries again.
            built = self._built
            if built is not None and built[0] is state and built[1] == state.covered and rows is state.rows:
                entries = built[2]
            else:
                entries = [entry_from_row(row, state.ident, self) for row in rows.values()]
                self._built = (state, state.covered, entries) if rows is state.rows else None
        return TrashContents(list(entries), bad)

    def entries(self) -> list[TrashEntry]:
        """`read().entries`; unreadable lines are only logged here (read() numbers them)."""
        contents = self.read()
        if contents.bad_lines:
            log.warning("trash: %s: skipped unreadable lines %s", self.path, contents.bad_lines)
        return contents.entries

    def batch(self, batch_id: str, entries: Sequence[TrashEntry] | None = None) -> list[TrashEntry]:
        """The entries of one batch (of `entries` when given, else of the trash)."""
        return [e for e in (self.entries() if entries is None else entries) if e.batch_id == batch_id]

    def last_batch(
        self, *, profile: str | None = None, entries: Sequence[TrashEntry] | None = None
    ) -> Batch | None:
        """The batch this user deleted last on this machine (with `profile` when given): what an
        undo brings back. Batches of another user or machine, or that recorded neither, never are."""
        entries = self.entries() if entries is None else entries
        user, host = self.who
        last: str | None = None
        for e in entries:
            if e.user == user and e.host == host and (profile is None or e.profile == profile):
                last = e.batch_id
        return Batch(last, self.batch(last, entries)) if last is not None else None

    def find(
        self, ids: Iterable[str], entries: Sequence[TrashEntry] | None = None
    ) -> tuple[list[TrashEntry], list[str]]:
        """The latest entry of each snapshot id (of `entries` when given, else of the trash), and
        the ids the trash does not hold."""
        latest = {e.id: e for e in (self.entries() if entries is None else entries)}
        wanted = list(dict.fromkeys(ids))
        return [latest[i] for i in wanted if i in latest], [i for i in wanted if i not in latest]

    # --- the snapshots ------------------------------------------------------

    def load_snapshots(self, entries: Sequence[TrashEntry]) -> dict[EntryKey, Snapshot | TrashError]:
        """The snapshot of each entry, read from the journal at its offset (checked to be that
        entry's line; read again through a fresh index when the journal was rewritten since)."""
        from pydantic import ValidationError

        from heatmap_tui.core.models import Snapshot

        documents = self.snapshot_documents(entries)
        out: dict[EntryKey, Snapshot | TrashError] = {}
        for key, document in documents.items():
            if isinstance(document, TrashError):
                out[key] = document
                continue
            try:
                out[key] = Snapshot.model_validate(document)
            except ValidationError:
                out[key] = TrashError(f"snapshot {key[1]}: its copy in {self.path} is damaged")
        return out

    def snapshot_documents(
        self, entries: Sequence[TrashEntry]
    ) -> dict[EntryKey, dict[str, Any] | TrashError]:
        """The snapshot of each entry as the journal holds it (the API's JSON shape)."""
        out: dict[EntryKey, dict[str, Any] | TrashError] = {}
        if not entries:
            return out
        with journal_lock(self.lock_path, exclusive=False):  # no purge rewrites the journal meanwhile
            missing = read_documents(self.path, entries, out)
            if missing:
                fresh = {e.key: e for e in self.read().entries}
                again = [fresh[e.key] for e in missing if e.key in fresh]
                for e in missing:
                    if e.key not in fresh:
                        out[e.key] = TrashError(f"snapshot {e.id} is no longer in the trash (purged)")
                for e in read_documents(self.path, again, out):
                    out[e.key] = TrashError(f"snapshot {e.id}: its copy in {self.path} cannot be read")
        return out

    # --- restoring ----------------------------------------------------------

    async def restore(
        self,
        entries: Sequence[TrashEntry],
        service: SnapshotService,
        *,
        concurrency: int | None = None,
        on_wait: WaitCallback | None = None,
    ) -> RestoreReport:
        """core.restore.restore_entries (re-create entries through `service`), for this trash."""
        from heatmap_tui.core.restore import DEFAULT_RESTORE_CONCURRENCY, restore_entries

        return await restore_entries(
            self, entries, service, concurrency=concurrency or DEFAULT_RESTORE_CONCURRENCY, on_wait=on_wait
        )

    # --- purging ------------------------------------------------------------

    def purge(
        self,
        older_than: timedelta | None = None,
        ids: Collection[str] | None = None,
        *,
        now: datetime | None = None,
        unreadable: bool = False,
    ) -> PurgeResult:
        """Forget entries for good: those trashed longer ago than `older_than` and/or with those
        snapshot ids; with neither, every entry. The file is rewritten atomically.

        Unreadable lines are kept as they are (a torn line gets its newline): they may be the
        only copy of something, and nobody asked about them. `unreadable=True` drops them.
        """
        cutoff = (now or self._clock()) - older_than if older_than is not None else None
        wanted = set(ids) if ids is not None else None

        def rewritten() -> None:  # under the journal's exclusive lock still
            with self._mutex:
                self._index.forget()

        return purge_journal(self, cutoff, wanted, unreadable=unreadable, rewritten=rewritten)


def _site_label(site: Site | str) -> str:
    return site.label if isinstance(site, Site) else site


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic collection while tens of thousands of rows and entries are made: none of them
    is garbage, and the collections they trigger would walk them all, again and again (2x)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
