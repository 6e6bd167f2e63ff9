"""The trash: a local copy of every snapshot, written before its DELETE is sent, to restore from.

The API has no undelete, and a snapshot is what keeps a heatmap viewable once its replay ages
out, so a deleted snapshot must never be lost by accident. Every delete of the app (TUI and CLI)
goes through `delete_with_trash`, which copies each snapshot here first.

The file
    JSON Lines at `paths.trash_path()` (HEATMAP_TUI_DATA moves it). Records are only ever appended,
    one `write()` each on an O_APPEND descriptor; only `purge` rewrites the file (atomically).
    Every record has "v", "kind", "at" (when written), "batch_id" and "id" (the snapshot's id):

    trashed   written and fsynced *before* the DELETE is sent: "snapshot" (every attribute, in the
              API's JSON shape), "site" (a site name such as "US1", or a custom base URL),
              "profile", "application_id".
    deleted   the server confirmed the delete (204, or a 404 on a retry whose first try went
              through).
    failed    the DELETE failed: "error" is the plain sentence.
    restored  the snapshot was re-created through the API: "new_id".

Entries and their states
    An entry is the "trashed" record of one (batch_id, id) plus the later records about it:

    deleted      the server confirmed: restore re-creates it.
    unconfirmed  no confirmation: the process died between the copy and the answer, or the
                 DELETE failed. The snapshot may still exist, so restore first lists its view at
                 the server and skips it (with a note) when its id is still there.
    restored     re-created as `restored_as`: restore skips it, so no entry is restored twice
                 (nor another entry of the same snapshot id, from another batch).

Why this order
    A copy without a delete costs one redundant line; a delete without a copy loses data. So only
    the "trashed" record must be durable before the DELETE: it is fsynced. "deleted" and
    "failed" records are not fsynced and a failure to write them is ignored: losing one only
    turns an entry back to unconfirmed, which restore settles by asking the server. "restored"
    records are fsynced, as losing one could restore an entry twice. What remains: a crash after a
    create succeeded and before its "restored" record could re-create that entry once more on a
    later restore; a duplicate, never a loss.

Crashes and other processes
    A kill mid-write can leave a torn last line: readers skip lines that do not parse and report
    them (`TrashContents.bad_lines`), and the next append first ends the torn line so that it
    cannot swallow the next record. Appenders hold a shared lock on `trash.jsonl.lock` and purge
    an exclusive one, so a purge in one process never drops a record another is appending.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from heatmap_tui.core.config import ConfigError, write_atomic
from heatmap_tui.core.errors import ApiError, HeatmapError
from heatmap_tui.core.models import Snapshot, create_attributes_from
from heatmap_tui.core.paths import trash_path
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import (
    DEFAULT_CONCURRENCY,
    BulkResult,
    ProgressCallback,
    SnapshotPage,
    SnapshotService,
)
from heatmap_tui.core.transfer import snapshot_json

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; appends stay atomic, purge races are rare
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_BINARY = getattr(os, "O_BINARY", 0)  # Windows would translate newlines otherwise
FORMAT_VERSION = 1
TRASHED, DELETED, FAILED, RESTORED = "trashed", "deleted", "failed", "restored"
DEFAULT_RESTORE_CONCURRENCY = 8

Clock = Callable[[], datetime]
EntryKey = tuple[str, str]  # (batch_id, snapshot id)


class TrashError(HeatmapError):
    """The trash file cannot be written or rewritten; str() names the file."""


class NotTrashed(ApiError):
    """Raised in place of a DELETE whose copy could not be saved: that snapshot is not deleted."""

    reason = "its copy could not be saved to the trash, so it was not deleted"


class EntryState(StrEnum):
    DELETED = "deleted"
    UNCONFIRMED = "unconfirmed"
    RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class TrashEntry:
    snapshot: Snapshot
    site: str  # Site.label: a site name, or a custom base URL
    profile: str
    batch_id: str
    deleted_at: datetime  # when the copy was taken, just before the DELETE
    confirmed: bool = False
    error: str | None = None  # the last DELETE failure, when there was one
    restored_as: str | None = None
    restored_at: datetime | None = None

    @property
    def id(self) -> str:
        return self.snapshot.id

    @property
    def key(self) -> EntryKey:
        return (self.batch_id, self.snapshot.id)

    @property
    def application_id(self) -> str:
        return self.snapshot.application_id

    @property
    def state(self) -> EntryState:
        if self.restored_as is not None:
            return EntryState.RESTORED
        return EntryState.DELETED if self.confirmed else EntryState.UNCONFIRMED

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "batch_id": self.batch_id,
            "state": self.state.value,
            "deleted_at": _iso(self.deleted_at),
            "site": self.site,
            "profile": self.profile,
            "application_id": self.application_id,
            "error": self.error,
            "restored_as": self.restored_as,
            "restored_at": _iso(self.restored_at) if self.restored_at else None,
            "snapshot": snapshot_json(self.snapshot),
        }


@dataclass(slots=True)
class TrashContents:
    entries: list[TrashEntry]  # oldest first
    bad_lines: list[int]  # 1-based numbers of lines that did not parse (a torn write, an edit)


@dataclass(slots=True)
class RestoreReport:
    restored: list[tuple[TrashEntry, Snapshot]] = field(default_factory=list)  # (entry, new snapshot)
    skipped: list[tuple[TrashEntry, str]] = field(default_factory=list)  # (entry, why)
    failed: list[tuple[TrashEntry, ApiError]] = field(default_factory=list)

    @property
    def id_map(self) -> dict[str, str]:
        return {entry.id: new.id for entry, new in self.restored}

    def summary(self) -> str:
        return f"{len(self.restored)} restored, {len(self.skipped)} skipped, {len(self.failed)} failed"


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: list[TrashEntry]
    dropped_lines: int  # unparseable lines the rewrite left out


def new_batch_id(now: datetime | None = None) -> str:
    """Sortable and readable: `20250611T101500-3f9a1c`."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _site_label(site: Site | str) -> str:
    return site.label if isinstance(site, Site) else site


class Trash:
    def __init__(self, path: Path | None = None, *, clock: Clock = _utcnow) -> None:
        self.path = Path(path) if path is not None else trash_path()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._clock = clock

    # --- writing ------------------------------------------------------------

    def record(self, snapshot: Snapshot, *, site: Site | str, profile: str, batch_id: str) -> None:
        """Copy `snapshot` to the trash, durably (fsync). Raises TrashError when it cannot."""
        self._append(
            {
                "kind": TRASHED,
                "batch_id": batch_id,
                "id": snapshot.id,
                "site": _site_label(site),
                "profile": profile,
                "application_id": snapshot.application_id,
                "snapshot": snapshot_json(snapshot),
            },
            sync=True,
        )

    def confirm(self, snapshot_id: str, batch_id: str) -> None:
        """The server confirmed the delete. Best effort: see the module docstring."""
        self._append_quietly({"kind": DELETED, "batch_id": batch_id, "id": snapshot_id})

    def record_failure(self, snapshot_id: str, batch_id: str, error: str) -> None:
        self._append_quietly({"kind": FAILED, "batch_id": batch_id, "id": snapshot_id, "error": error})

    def hook(self, *, site: Site | str, profile: str, batch_id: str) -> Callable[[Snapshot], Awaitable[None]]:
        """A `before_delete` for SnapshotService.delete_many: the copy is written off the event loop.

        When the copy cannot be written it raises NotTrashed, which delete_many counts as that
        snapshot's failure, and its DELETE is never sent.
        """
        label = _site_label(site)

        async def before_delete(snapshot: Snapshot) -> None:
            try:
                await asyncio.to_thread(self.record, snapshot, site=label, profile=profile, batch_id=batch_id)
            except TrashError as exc:
                raise NotTrashed(
                    f"delete snapshot {snapshot.id}", label, detail=f"{NotTrashed.reason}: {exc}"
                ) from None

        return before_delete

    def _append_quietly(self, record: dict[str, Any]) -> None:
        try:
            self._append(record, sync=False)
        except TrashError as exc:
            log.warning("trash: %s", exc)

    def _append(self, record: dict[str, Any], *, sync: bool) -> None:
        record = {"v": FORMAT_VERSION, "at": _iso(self._clock()), **record}
        data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock(exclusive=False):
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _BINARY, 0o600)
                try:
                    if _ends_torn(fd):
                        data = b"\n" + data
                    written = 0
                    while written < len(data):
                        written += os.write(fd, data[written:])
                    if sync:
                        os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise TrashError(
                f"{self.path}: cannot be written ({exc.strerror or type(exc).__name__})"
            ) from None

    @contextlib.contextmanager
    def _lock(self, *, exclusive: bool) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # --- reading ------------------------------------------------------------

    def read(self) -> TrashContents:
        """Every entry, oldest first; lines that do not parse are skipped and numbered."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return TrashContents([], [])
        except OSError as exc:
            raise TrashError(f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        entries, bad, _ = _parse(raw)
        return TrashContents(list(entries.values()), bad)

    def entries(self) -> list[TrashEntry]:
        """`read().entries`; unreadable lines are only logged here (read() numbers them)."""
        contents = self.read()
        if contents.bad_lines:
            log.warning("trash: %s: skipped unreadable lines %s", self.path, contents.bad_lines)
        return contents.entries

    def last_batch(self) -> list[TrashEntry]:
        """The entries of the batch trashed last (what an "undo" brings back)."""
        entries = self.entries()
        if not entries:
            return []
        batch = entries[-1].batch_id
        return [e for e in entries if e.batch_id == batch]

    def find(self, ids: Iterable[str]) -> tuple[list[TrashEntry], list[str]]:
        """The latest entry of each snapshot id, and the ids the trash does not hold."""
        latest = {e.id: e for e in self.entries()}
        wanted = list(dict.fromkeys(ids))
        return [latest[i] for i in wanted if i in latest], [i for i in wanted if i not in latest]

    # --- restoring ----------------------------------------------------------

    async def restore(
        self,
        entries: Sequence[TrashEntry],
        service: SnapshotService,
        *,
        concurrency: int = DEFAULT_RESTORE_CONCURRENCY,
    ) -> RestoreReport:
        """Re-create `entries` through `service` (bound to the site and keys to restore into).

        Reads the trash again first, so entries restored since the caller read them are skipped.
        A snapshot comes back with a new id (the API cannot choose ids); the mapping is recorded.
        """
        report = RestoreReport()
        current = {e.key: e for e in self.entries()}
        restored_ids = {e.id: e.restored_as for e in current.values() if e.restored_as is not None}
        todo: list[TrashEntry] = []
        seen: set[str] = set()
        for given in entries:
            entry = current.get(given.key, given)
            if entry.restored_as is not None:
                report.skipped.append((entry, f"already restored as {entry.restored_as}"))
            elif entry.id in restored_ids:
                report.skipped.append(
                    (entry, f"already restored as {restored_ids[entry.id]} (from another batch)")
                )
            elif entry.id in seen:
                report.skipped.append((entry, "listed twice"))
            else:
                seen.add(entry.id)
                todo.append(entry)

        still_there, check_failed = await self._still_on_server(
            [e for e in todo if not e.confirmed], service, concurrency
        )
        gate = asyncio.Semaphore(concurrency)

        async def one(entry: TrashEntry) -> None:
            if entry.key in check_failed:
                report.failed.append((entry, check_failed[entry.key]))
                return
            if entry.key in still_there:
                report.skipped.append((entry, "still exists on the server: its delete never happened"))
                return
            async with gate:
                try:
                    created = await service.create(create_attributes_from(entry.snapshot))
                except ApiError as exc:
                    report.failed.append((entry, exc))
                    return
            try:
                await asyncio.to_thread(self._record_restored, entry, created.id)
            except TrashError as exc:
                log.warning("trash: restored %s as %s but could not record it: %s", entry.id, created.id, exc)
            report.restored.append((entry, created))

        await asyncio.gather(*(one(e) for e in todo))
        order = {e.key: i for i, e in enumerate(entries)}
        for items in (report.restored, report.skipped, report.failed):
            items.sort(key=lambda pair: order.get(pair[0].key, 0))
        return report

    def _record_restored(self, entry: TrashEntry, new_id: str) -> None:
        self._append(
            {"kind": RESTORED, "batch_id": entry.batch_id, "id": entry.id, "new_id": new_id}, sync=True
        )

    async def _still_on_server(
        self, entries: Sequence[TrashEntry], service: SnapshotService, concurrency: int
    ) -> tuple[set[EntryKey], dict[EntryKey, ApiError]]:
        """Which unconfirmed entries the server still has, by listing their views."""
        groups: dict[tuple[str, str, str], list[TrashEntry]] = {}
        for entry in entries:
            a = entry.snapshot.attributes
            groups.setdefault((a.view_name, a.device_type, a.application_id), []).append(entry)
        gate = asyncio.Semaphore(concurrency)

        async def one(view: str, device: str, app: str) -> SnapshotPage | ApiError:
            async with gate:
                try:
                    return await service.list(view, device_type=device, application_id=app)
                except ApiError as exc:
                    return exc

        pages = await asyncio.gather(*(one(*group) for group in groups))
        there: set[EntryKey] = set()
        failed: dict[EntryKey, ApiError] = {}
        for group_entries, page in zip(groups.values(), pages, strict=True):
            if isinstance(page, ApiError):
                failed.update((e.key, page) for e in group_entries)
                continue
            ids = {s.id for s in page.items}
            there.update(e.key for e in group_entries if e.id in ids)
        return there, failed

    # --- purging ------------------------------------------------------------

    def purge(
        self,
        older_than: timedelta | None = None,
        ids: Collection[str] | None = None,
        *,
        now: datetime | None = None,
    ) -> PurgeResult:
        """Forget entries for good: those trashed longer ago than `older_than` and/or with those
        snapshot ids; with neither, every entry. The file is rewritten atomically."""
        cutoff = (now or self._clock()) - older_than if older_than is not None else None
        wanted = set(ids) if ids is not None else None
        with self._lock(exclusive=True):
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return PurgeResult([], 0)
            except OSError as exc:
                raise TrashError(
                    f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})"
                ) from None
            entries, bad, records = _parse(raw)
            purged = [
                e
                for e in entries.values()
                if (cutoff is None or e.deleted_at < cutoff) and (wanted is None or e.id in wanted)
            ]
            if not purged and not bad:
                return PurgeResult([], 0)
            gone = {e.key for e in purged}
            kept = [line for key, line in records if key not in gone]
            try:
                write_atomic(self.path, "".join(line + "\n" for line in kept))
            except ConfigError as exc:
                raise TrashError(str(exc)) from None
        return PurgeResult(purged, len(bad))


def _ends_torn(fd: int) -> bool:
    """Whether the file's last byte is not a newline (a write cut short by a crash)."""
    if os.fstat(fd).st_size == 0:
        return False
    os.lseek(fd, -1, os.SEEK_END)
    return os.read(fd, 1) != b"\n"


def _parse(raw: bytes) -> tuple[dict[EntryKey, TrashEntry], list[int], list[tuple[EntryKey, str]]]:
    """Entries by key (file order), bad line numbers, and each good record's line with its key."""
    entries: dict[EntryKey, TrashEntry] = {}
    bad: list[int] = []
    records: list[tuple[EntryKey, str]] = []
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        line = line_bytes.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        try:
            record = json.loads(line)
            kind = record["kind"]
            key: EntryKey = (str(record["batch_id"]), str(record["id"]))
            at = datetime.fromisoformat(record["at"])
            if at.tzinfo is None:  # a hand-edited line: the file only ever holds UTC
                at = at.replace(tzinfo=UTC)
            if kind == TRASHED:
                entries[key] = TrashEntry(
                    snapshot=Snapshot.model_validate(record["snapshot"]),
                    site=str(record["site"]),
                    profile=str(record["profile"]),
                    batch_id=key[0],
                    deleted_at=at,
                )
            elif key in entries:
                entry = entries[key]
                if kind == DELETED:
                    entry = replace(entry, confirmed=True, error=None)
                elif kind == FAILED:
                    entry = replace(entry, error=str(record["error"]))
                elif kind == RESTORED:
                    entry = replace(entry, restored_as=str(record["new_id"]), restored_at=at)
                entries[key] = entry
        except (ValueError, KeyError, TypeError, ValidationError):
            bad.append(number)
            continue
        records.append((key, line))
    return entries, bad, records


# --- the one delete path of the app -------------------------------------------


async def delete_with_trash(
    service: SnapshotService,
    snapshots: Sequence[Snapshot],
    trash: Trash,
    *,
    site: Site | str,
    profile: str,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: ProgressCallback | None = None,
    batch_id: str | None = None,
) -> BulkResult:
    """Delete `snapshots`, each one copied to `trash` (fsynced) before its DELETE is sent.

    A snapshot whose copy cannot be written is not deleted (it fails with NotTrashed). The
    server's confirmations and refusals are recorded too. Pass `batch_id` (see new_batch_id) to
    know the batch for an undo; else `trash.last_batch()` is this one once it has started.
    """
    batch = batch_id or new_batch_id()
    label = _site_label(site)

    def progress(snapshot_id: str, error: ApiError | None) -> None:
        if error is None:
            trash.confirm(snapshot_id, batch)
        elif not isinstance(error, NotTrashed):
            trash.record_failure(snapshot_id, batch, str(error))
        if on_progress is not None:
            on_progress(snapshot_id, error)

    return await service.delete_many(
        snapshots,
        concurrency=concurrency,
        before_delete=trash.hook(site=label, profile=profile, batch_id=batch),
        on_progress=progress,
    )
