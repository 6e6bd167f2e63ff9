"""The trash journal: the file that keeps a copy of every deleted snapshot, and its index.

No network here: core/restore.py re-creates entries and deletes through the trash.

The journal
    JSON Lines at `paths.trash_path()` (HEATMAP_TUI_DATA moves it). Records are only ever appended,
    one `write()` each on an O_APPEND descriptor; only `purge` rewrites the file (atomically).
    Every record has "v", "kind", "at" (when written), "batch_id" and "id" (the snapshot's id):

    trashed   written and fsynced *before* the DELETE is sent: "snapshot" (every attribute, in the
              API's JSON shape), "site" (a site name such as "US1", or a custom base URL),
              "profile", "application_id", and who deleted it: "user" and "host" (absent in
              files written before they were recorded).
    deleted   the server confirmed the delete (204, or a 404 on a retry whose first try went
              through).
    failed    the DELETE failed: "error" is the plain sentence.
    intent    fsynced just before a restore sends the create of this entry.
    restored  the snapshot was re-created through the API: "new_id" (fsynced). "found": true
              when a restore found the re-created snapshot on the server instead of creating it.

Entries and their states
    An entry is the "trashed" record of one (batch_id, id) plus the later records about it:

    deleted      the server confirmed: restore re-creates it.
    unconfirmed  no confirmation: the process died between the copy and the answer, or the
                 DELETE failed. The snapshot may still exist, so restore first lists its view at
                 the server and skips it (with a note) when its id is still there.
    restored     re-created as `restored_as`: restore skips it, so no entry is restored twice
                 (nor another entry of the same snapshot id, from another batch).

    An entry with an intent and no "restored" record had its create sent, and the answer was
    never recorded (a kill, a quit, a lost connection): restore settles it by looking for an
    identical snapshot in its view before it creates anything (core/restore.py).

Why this order
    A copy without a delete costs one redundant line; a delete without a copy loses data. So only
    the "trashed" record must be durable before the DELETE: it is fsynced. "deleted" and
    "failed" records are not fsynced and a failure to write them is ignored: losing one only
    turns an entry back to unconfirmed, which restore settles by asking the server.

Batches belong to whoever made them
    Every delete writes its own batch id (see new_batch_id) with the user and the machine that
    made it. `last_batch` is the last batch of this user on this machine (of one profile when
    asked); another user's or machine's batches are restored only by naming them.

The index
    A journal of a year of use (20,000 entries, ~20 MB) takes seconds to parse. So the entries
    are also kept, without their snapshots, in a compact companion file (`trash.jsonl.idx`,
    a cache: deleting it costs one full parse). It says which prefix of the journal it covers:
    the file's device and inode, the byte count, and a hash of the first and the last 4 KiB of
    that prefix. A reader takes the index when those still hold and parses only what was appended
    since; anything else (a purge, an edit, another file) and it parses the whole journal again.
    A snapshot is read from the journal only when it is needed (restore, `--json`), at the
    offset the index gives, and that line is checked to be the entry's before it is used.

Crashes and other processes
    A kill mid-write can leave a torn last line: readers skip lines that do not parse and report
    them (`TrashContents.bad_lines`), and the next append first ends the torn line so that it
    cannot swallow the next record. A torn last line is never covered by the index. Appenders
    hold a shared lock on `trash.jsonl.lock` and purge an exclusive one, so a purge in one process
    never drops a record another is appending. A restore holds an exclusive lock on a file of its
    own per batch (`trash.jsonl.locks/`), so two restores of one batch take turns.
"""

from __future__ import annotations

import contextlib
import gc
import getpass
import hashlib
import json
import logging
import os
import socket
import tempfile
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatmap_tui.core.fileio import FileError, flock, write_atomic
from heatmap_tui.core.paths import trash_path
from heatmap_tui.core.sites import Site

# The models (pydantic) are imported where a snapshot is read or written: listing the trash
# (`heatmap-tui trash list`, the TUI's trash screen) needs none of them.
if TYPE_CHECKING:
    from collections.abc import Callable

    from heatmap_tui.core.models import Snapshot
    from heatmap_tui.core.restore import RestoreReport, WaitCallback
    from heatmap_tui.core.snapshots import SnapshotService

log = logging.getLogger(__name__)

_BINARY = getattr(os, "O_BINARY", 0)  # Windows would translate newlines otherwise
FORMAT_VERSION = 1
INDEX_VERSION = 2
TRASHED, DELETED, FAILED, INTENT, RESTORED = "trashed", "deleted", "failed", "intent", "restored"
_PROBE = 4096  # bytes hashed at each end of the prefix an index covers
_CHUNK = 500  # rows per line of the index file

EntryKey = tuple[str, str]  # (batch_id, snapshot id)

# An index row: the entry without its snapshot, in a JSON array. Positions:
(_BATCH, _ID, _AT, _OFFSET, _LENGTH, _SITE, _PROFILE, _APP, _NAME, _VIEW, _DEVICE, _USER, _HOST,
 _CONFIRMED, _ERROR, _RESTORED, _RESTORED_AT, _INTENT) = range(18)  # fmt: skip
_ROW_LENGTH = 18
Row = list[Any]


class TrashError(FileError):
    """The trash file cannot be read or written, or holds no usable copy; str() says which."""


class EntryState(StrEnum):
    DELETED = "deleted"
    UNCONFIRMED = "unconfirmed"
    RESTORED = "restored"


def _when(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # a hand-edited line: UTC


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
    where: tuple[int, int, int, int] = field(default=(0, 0, 0, 0), repr=False, compare=False)
    trash: Trash | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> EntryKey:
        return (self.batch_id, self.id)

    @property
    def state(self) -> EntryState:
        if self.restored_as is not None:
            return EntryState.RESTORED
        return EntryState.DELETED if self.confirmed else EntryState.UNCONFIRMED

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
            "deleted_at": _iso(self.deleted_at),
            "site": self.site,
            "profile": self.profile,
            "user": self.user,
            "host": self.host,
            "application_id": self.application_id,
            "error": self.error,
            "restored_as": self.restored_as,
            "restored_at": _iso(self.restored_at) if self.restored_at else None,
            "snapshot": snapshot,
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
            f"batch {self.id}: {count} snapshot{'' if count == 1 else 's'} deleted "
            f"{e.deleted_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC{who} (profile {e.profile} on {e.site})"
        )


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: list[TrashEntry]
    dropped_lines: int  # unreadable lines the rewrite left out: only when asked to
    kept_lines: int = 0  # unreadable lines kept as they were


def new_batch_id(now: datetime | None = None) -> str:
    """Sortable and readable: `20250611T101500-3f9a1c`."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def whoami() -> tuple[str, str]:
    """(user, host) as a batch records them: the login name and this machine's name."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in the environment nor in the password database
        user = f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return user, socket.gethostname() or "unknown"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _site_label(site: Site | str) -> str:
    return site.label if isinstance(site, Site) else site


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _pread(fd: int, offset: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.pread(fd, size, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
        size -= len(chunk)
    return b"".join(chunks)


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


# --- the state read from the journal -----------------------------------------------------


@dataclass(slots=True)
class _State:
    """Rows of a journal prefix: what the index file holds, and what a Trash keeps in memory."""

    ident: tuple[int, int]  # (st_dev, st_ino) of the journal
    covered: int = 0  # bytes of whole lines parsed
    lines: int = 0  # lines in them
    head: str = ""  # digest of the first _PROBE bytes of the covered prefix
    tail: str = ""  # digest of its last _PROBE bytes
    rows: dict[EntryKey, Row] = field(default_factory=dict)  # file order
    bad: list[int] = field(default_factory=list)
    saved: int = 0  # `covered` of the index file on disk

    def dump(self) -> Iterator[bytes]:
        """The index file, in lines: a header, then the rows by chunks of _CHUNK (JSON, ASCII).

        Chunks, so that neither writing nor reading it is one long call holding the GIL: the
        TUI reads it in a thread, and its screen must answer keys meanwhile."""
        header = {
            "v": INDEX_VERSION,
            "dev": self.ident[0],
            "ino": self.ident[1],
            "covered": self.covered,
            "lines": self.lines,
            "head": self.head,
            "tail": self.tail,
            "bad": self.bad,
            "count": len(self.rows),
        }
        yield json.dumps(header, separators=(",", ":")).encode() + b"\n"
        rows = list(self.rows.values())
        for start in range(0, len(rows), _CHUNK):
            yield json.dumps(rows[start : start + _CHUNK], separators=(",", ":")).encode() + b"\n"

    @classmethod
    def load(cls, data: bytes) -> _State:
        """The state an index file holds (ValueError, KeyError, TypeError when it holds none)."""
        lines = data.split(b"\n")
        header = json.loads(lines[0])
        if not isinstance(header, dict) or header.get("v") != INDEX_VERSION:
            raise ValueError("not an index of this version")
        bad = header["bad"]
        if not isinstance(bad, list) or not all(isinstance(n, int) for n in bad):
            raise ValueError("bad lines")
        rows: dict[EntryKey, Row] = {}
        for line in lines[1:]:
            if not line:
                continue
            chunk = json.loads(line)
            if not isinstance(chunk, list) or not all(
                isinstance(r, list) and len(r) == _ROW_LENGTH for r in chunk
            ):
                raise ValueError("rows")
            rows.update(((r[_BATCH], r[_ID]), r) for r in chunk)
        if len(rows) != int(header["count"]):
            raise ValueError("rows missing")
        covered = int(header["covered"])
        return cls(
            ident=(int(header["dev"]), int(header["ino"])),
            covered=covered,
            lines=int(header["lines"]),
            head=str(header["head"]),
            tail=str(header["tail"]),
            rows=rows,
            bad=bad,
            saved=covered,
        )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _apply(rows: dict[EntryKey, Row], line: bytes, offset: int, *, copy: bool = False) -> EntryKey | None:
    """Apply one journal line to `rows`: its key, or None when it is not a record (a torn write,
    an edit). `copy`: change copies of the rows, never the rows themselves (a line not yet whole)."""
    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
        kind = record["kind"]
        key: EntryKey = (str(record["batch_id"]), str(record["id"]))
        at = _text(record["at"])
        _when(at)
        if kind == TRASHED:
            snapshot = record["snapshot"]
            attributes = snapshot["attributes"]
            if str(snapshot["id"]) != key[1]:
                raise ValueError("the copy is of another snapshot")
            user, host = record.get("user"), record.get("host")
            rows[key] = [
                key[0], key[1], at, offset, len(line), _text(record["site"]), _text(record["profile"]),
                _text(attributes["application_id"]), _text(attributes["snapshot_name"]),
                _text(attributes["view_name"]), _text(attributes["device_type"]),
                user if isinstance(user, str) else None, host if isinstance(host, str) else None,
                False, None, None, None, False,
            ]  # fmt: skip
        elif key in rows:
            row = list(rows[key]) if copy else rows[key]
            if kind == DELETED:
                row[_CONFIRMED], row[_ERROR] = True, None
            elif kind == FAILED:
                row[_ERROR] = str(record["error"])
            elif kind == INTENT:
                row[_INTENT] = True
            elif kind == RESTORED:
                row[_RESTORED], row[_RESTORED_AT] = str(record["new_id"]), at
            rows[key] = row
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return key


def _lines(data: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    """(offset in the file, line without its newline) of each whole line of `data`."""
    start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            return
        yield offset + start, data[start:end]
        start = end + 1


def _scan(state: _State, data: bytes) -> None:
    """Apply `data`, whole lines that follow what `state` covers, to `state`."""
    rows, bad, number = state.rows, state.bad, state.lines
    for at, line in _lines(data, state.covered):
        number += 1
        if line.strip() and _apply(rows, line, at) is None:
            bad.append(number)
    state.lines = number
    state.covered += len(data)


class Trash:
    """The journal at `path`, read through its index. Safe to share between threads."""

    # An index file is written once the journal has this many bytes it does not cover: below
    # that, parsing them on each read is cheaper than writing the index again.
    index_every = 256 * 1024

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
        user: str | None = None,
        host: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else trash_path()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.index_path = self.path.with_name(self.path.name + ".idx")
        self.locks_dir = self.path.with_name(self.path.name + ".locks")
        self._clock = clock
        self._who = (user, host) if user is not None and host is not None else None
        self._state: _State | None = None
        self._built: tuple[_State, int, list[TrashEntry]] | None = None  # see read()
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
        from heatmap_tui.core.transfer import snapshot_json

        user, host = self.who
        self._append(
            {
                "kind": TRASHED,
                "batch_id": batch_id,
                "id": snapshot.id,
                "site": _site_label(site),
                "profile": profile,
                "application_id": snapshot.application_id,
                "user": user,
                "host": host,
                "snapshot": snapshot_json(snapshot),
            },
            sync=True,
        )

    def confirm(self, snapshot_id: str, batch_id: str) -> None:
        """The server confirmed the delete. Best effort: see the module docstring."""
        self._append_quietly({"kind": DELETED, "batch_id": batch_id, "id": snapshot_id})

    def record_failure(self, snapshot_id: str, batch_id: str, error: str) -> None:
        self._append_quietly({"kind": FAILED, "batch_id": batch_id, "id": snapshot_id, "error": error})

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
        record = {"v": FORMAT_VERSION, "at": _iso(self._clock()), **record}
        try:
            data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        except UnicodeEncodeError:  # a lone surrogate (from a file, never from the server): escaped
            data = (json.dumps(record, separators=(",", ":")) + "\n").encode()
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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TrashError(
                f"{self.lock_path}: cannot be opened ({exc.strerror or type(exc).__name__})"
            ) from None
        try:
            flock(fd, exclusive=exclusive, wait=True)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # --- batch locks (restore) -----------------------------------------------

    def batch_lock_path(self, batch_id: str) -> Path:
        """The lock file of a batch: named by a digest, since a batch id is text from a file."""
        return self.locks_dir / f"{_digest(batch_id.encode())}.lock"

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
            state, rows, bad = self._refresh()
            if state is None:
                return TrashContents([], bad)
            # The same journal as the last read (no torn line either): the same entries. A
            # restore reads several times; each would otherwise make 20,000 entries again.
            built = self._built
            if built is not None and built[0] is state and built[1] == state.covered and rows is state.rows:
                entries = built[2]
            else:
                entries = [self._entry(row, state.ident) for row in rows.values()]
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

    def _entry(self, row: Row, ident: tuple[int, int]) -> TrashEntry:
        return TrashEntry(
            row[_BATCH], row[_ID], _when(row[_AT]), row[_SITE], row[_PROFILE], row[_APP], row[_NAME],
            row[_VIEW], row[_DEVICE], row[_USER], row[_HOST], bool(row[_CONFIRMED]), row[_ERROR],
            row[_RESTORED], _when(row[_RESTORED_AT]) if row[_RESTORED_AT] else None, bool(row[_INTENT]),
            (ident[0], ident[1], row[_OFFSET], row[_LENGTH]), self,
        )  # fmt: skip

    def _refresh(self) -> tuple[_State | None, dict[EntryKey, Row], list[int]]:
        """Bring the state up to the journal's end; with the rows and bad lines to show (those of
        a torn last line included, which the state never takes in). Holds self._mutex."""
        try:
            fd = os.open(self.path, os.O_RDONLY | _BINARY)
        except FileNotFoundError:
            self._state = None
            return None, {}, []
        except OSError as exc:
            raise TrashError(f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        try:
            st = os.fstat(fd)
            ident = (st.st_dev, st.st_ino)
            state = self._state if self._state is not None else self._load_index()
            if state is None or not _still_covers(state, fd, ident, st.st_size):
                state = _State(ident)
            data = (
                _pread(fd, state.covered, st.st_size - state.covered) if st.st_size > state.covered else b""
            )
            whole = data.rfind(b"\n") + 1
            if whole:
                _scan(state, data[:whole])
                covered = state.covered
                state.head = _digest(_pread(fd, 0, min(_PROBE, covered)))
                state.tail = _digest(_pread(fd, max(0, covered - _PROBE), min(_PROBE, covered)))
        except OSError as exc:
            raise TrashError(f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        finally:
            os.close(fd)
        self._state = state
        if state.covered - state.saved >= self.index_every:
            self._save_index(state)
        fragment = data[whole:]
        rows, bad = state.rows, state.bad
        if fragment.strip():  # a torn last line, or one being written: shown, never indexed
            rows = dict(rows)
            if _apply(rows, fragment, state.covered, copy=True) is None:
                bad = [*bad, state.lines + 1]
        return state, rows, list(bad)

    def _load_index(self) -> _State | None:
        try:
            return _State.load(self.index_path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("trash: %s: not used (%s); reading the whole journal", self.index_path, exc)
            return None

    def _save_index(self, state: _State) -> None:
        """Best effort, and no fsync: the index is a cache that checks itself on each read."""
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(
                dir=self.index_path.parent, prefix=f".{self.index_path.name}.", suffix=".tmp"
            )
            with os.fdopen(fd, "wb") as handle:
                handle.writelines(state.dump())
            os.replace(tmp, self.index_path)
            tmp = None
            state.saved = state.covered
        except OSError as exc:
            log.info("trash: %s: not written (%s)", self.index_path, exc)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

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
        with self._lock(exclusive=False):  # no purge rewrites the journal meanwhile
            missing = self._documents(entries, out)
            if missing:
                fresh = {e.key: e for e in self.read().entries}
                again = [fresh[e.key] for e in missing if e.key in fresh]
                for e in missing:
                    if e.key not in fresh:
                        out[e.key] = TrashError(f"snapshot {e.id} is no longer in the trash (purged)")
                for e in self._documents(again, out):
                    out[e.key] = TrashError(f"snapshot {e.id}: its copy in {self.path} cannot be read")
        return out

    def _documents(
        self, entries: Sequence[TrashEntry], out: dict[EntryKey, dict[str, Any] | TrashError]
    ) -> list[TrashEntry]:
        """Fill `out` with the documents found where `entries` say; returns the entries not found."""
        if not entries:
            return []
        try:
            fd = os.open(self.path, os.O_RDONLY | _BINARY)
        except OSError as exc:
            raise TrashError(f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        missing: list[TrashEntry] = []
        try:
            st = os.fstat(fd)
            ident = (st.st_dev, st.st_ino)
            for e in sorted(entries, key=lambda e: e.where[2]):
                dev, ino, offset, length = e.where
                document = None
                if (dev, ino) == ident and length:
                    document = _document_at(fd, offset, length, e.key)
                if document is None:
                    missing.append(e)
                else:
                    out[e.key] = document
        finally:
            os.close(fd)
        return missing

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
        with self._lock(exclusive=True):
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return PurgeResult([], 0)
            except OSError as exc:
                raise TrashError(
                    f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})"
                ) from None
            if raw and not raw.endswith(b"\n"):
                raw += b"\n"
            rows: dict[EntryKey, Row] = {}
            lines: list[tuple[EntryKey | None, bytes]] = []  # None: unreadable
            for offset, line in _lines(raw, 0):
                if not line.strip():
                    continue
                lines.append((_apply(rows, line, offset), line))
            entries = [self._entry(row, (0, 0)) for row in rows.values()]
            purged = [
                e
                for e in entries
                if (cutoff is None or e.deleted_at < cutoff) and (wanted is None or e.id in wanted)
            ]
            bad = sum(1 for key, _ in lines if key is None)
            if not purged and not (unreadable and bad):
                return PurgeResult([], 0, bad)
            gone = {e.key for e in purged}
            kept = [
                line
                for key, line in lines
                if (key is None and not unreadable) or (key is not None and key not in gone)
            ]
            write_atomic(self.path, b"".join(line + b"\n" for line in kept), error=TrashError, mode=0o600)
            with self._mutex:
                self._state = None
                with contextlib.suppress(OSError):
                    self.index_path.unlink()
        return PurgeResult(purged, bad if unreadable else 0, 0 if unreadable else bad)


def _document_at(fd: int, offset: int, length: int, key: EntryKey) -> dict[str, Any] | None:
    """The snapshot document of the trashed record of `key` at `offset`, or None if it is not there."""
    try:
        record = json.loads(_pread(fd, offset, length).decode("utf-8", errors="replace"))
        if record.get("kind") != TRASHED or (str(record["batch_id"]), str(record["id"])) != key:
            return None
        document = record["snapshot"]
    except (ValueError, KeyError, TypeError, AttributeError, OSError):
        return None
    return document if isinstance(document, dict) else None


def _still_covers(state: _State, fd: int, ident: tuple[int, int], size: int) -> bool:
    """Whether the journal open at `fd` still starts with the prefix `state` covers."""
    if state.ident != ident or state.covered > size:
        return False
    if state.covered == 0:
        return True
    head = _pread(fd, 0, min(_PROBE, state.covered))
    tail = _pread(fd, max(0, state.covered - _PROBE), min(_PROBE, state.covered))
    return _digest(head) == state.head and _digest(tail) == state.tail


def _ends_torn(fd: int) -> bool:
    """Whether the file's last byte is not a newline (a write cut short by a crash)."""
    if os.fstat(fd).st_size == 0:
        return False
    os.lseek(fd, -1, os.SEEK_END)
    return os.read(fd, 1) != b"\n"
