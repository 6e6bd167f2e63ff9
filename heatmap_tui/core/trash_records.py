"""The journal's records, and the compact rows an entry is kept as between reads.

The journal is JSON Lines at `paths.trash_path()` (HEATMAP_TUI_DATA moves it). Records are only
ever appended, one `write()` of one record or of a group (a delete batch's copies, its
confirmations) on an O_APPEND descriptor; only a purge rewrites the file (atomically). Every
record has "v", "kind", "at" (when written), "batch_id" and "id" (the snapshot's id):

    trashed   written and fsynced *before* the DELETE is sent: "snapshot" (every attribute, in the
              API's JSON shape, the original author and dates among them: a restore gets new
              ones), "site" (a site name such as "US1", or a custom base URL), "profile",
              "application_id", and who deleted it: "user" and "host" (absent in files written
              before they were recorded).
    deleted   the server confirmed the delete (204, or a 404 on a retry whose first try went
              through).
    failed    the DELETE failed: "error" is the plain sentence.
    intent    fsynced just before a restore sends the create of this entry.
    restored  the snapshot was re-created through the API: "new_id" (fsynced). "found": true
              when a restore found the re-created snapshot on the server instead of creating it.
              For a frame change: its old frame was PATCHed back ("new_id" is its own id).

A frame change (`snapshots reframe`) is journaled as an entry of its own kind:

    reframe   written and fsynced *before* the PATCH that changes a snapshot's frame: what a
              "trashed" record holds (the snapshot as it was, with its old frame), plus "old"
              and "new": the frames (event_id, start, session_id, view_id, version, date).
    reframed  the server accepted the PATCH (not fsynced: without it, restore compares the
              snapshot's frame at the server with the old one). "failed" records apply too.

Files written before frame changes existed have no such records, and read as before.

A row is an entry without its snapshot: a JSON array, which is what the index file holds and
what a Trash keeps in memory (20,000 entries made as objects on each read would cost seconds).
Its snapshot is read back from the journal at the offset the row gives, only when needed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatmap_tui.core.fileio import flock
from heatmap_tui.core.trash_entries import EntryKey, TrashEntry, TrashError, when

if TYPE_CHECKING:
    from heatmap_tui.core.trash_journal import Trash

BINARY = getattr(os, "O_BINARY", 0)  # Windows would translate newlines otherwise
FORMAT_VERSION = 1
TRASHED, DELETED, FAILED, INTENT, RESTORED = "trashed", "deleted", "failed", "intent", "restored"
REFRAME, REFRAMED = "reframe", "reframed"
COPIES = (TRASHED, REFRAME)  # the records that hold a snapshot, and start an entry

# A row's positions; _BY to _MODIFIED are the snapshot's original author and dates (None when
# absent); _FRAMES is [old frame, new frame] of a frame change, None for a delete.
(_BATCH, _ID, _AT, _OFFSET, _LENGTH, _SITE, _PROFILE, _APP, _NAME, _VIEW, _DEVICE, _USER, _HOST,
 _CONFIRMED, _ERROR, _RESTORED, _RESTORED_AT, _INTENT, _BY, _HANDLE, _CREATED, _MODIFIED,
 _FRAMES) = range(23)  # fmt: skip
_ROW_LENGTH = 23
Row = list[Any]


def is_row(value: object) -> bool:
    return isinstance(value, list) and len(value) == _ROW_LENGTH


def row_key(row: Row) -> EntryKey:
    return (row[_BATCH], row[_ID])


def entry_from_row(row: Row, ident: tuple[int, int], trash: Trash) -> TrashEntry:
    """The entry of `row`, in the journal file `ident` (st_dev, st_ino) of `trash`."""
    return TrashEntry(
        row[_BATCH], row[_ID], when(row[_AT]), row[_SITE], row[_PROFILE], row[_APP], row[_NAME],
        row[_VIEW], row[_DEVICE], row[_USER], row[_HOST], bool(row[_CONFIRMED]), row[_ERROR],
        row[_RESTORED], when(row[_RESTORED_AT]) if row[_RESTORED_AT] else None, bool(row[_INTENT]),
        row[_BY], row[_HANDLE], row[_CREATED], row[_MODIFIED],
        (row[_FRAMES][0], row[_FRAMES][1]) if row[_FRAMES] else None,
        (ident[0], ident[1], row[_OFFSET], row[_LENGTH]), trash,
    )  # fmt: skip


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional_text(value: Any) -> str | None:
    """A string attribute the copy may lack (older servers, hand-edited lines): None then."""
    return value if isinstance(value, str) else None


def _optional_date(value: Any) -> str | None:
    """A date attribute as the copy holds it (RFC 3339), or None when absent or unreadable: a
    date that cannot be shown must not cost the entry."""
    if not isinstance(value, str):
        return None
    try:
        when(value)
    except ValueError:
        return None
    return value


def apply_record(
    rows: dict[EntryKey, Row], line: bytes, offset: int, *, copy: bool = False
) -> EntryKey | None:
    """Apply one journal line to `rows`: its key, or None when it is not a record (a torn write,
    an edit). `copy`: change copies of the rows, never the rows themselves (a line not yet whole)."""
    try:
        record = json.loads(line.decode("utf-8", errors="replace"))
        kind = record["kind"]
        key: EntryKey = (str(record["batch_id"]), str(record["id"]))
        at = _text(record["at"])
        when(at)
        if kind in COPIES:
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
                _optional_text(attributes.get("created_by")), _optional_text(attributes.get("created_by_handle")),
                _optional_date(attributes.get("created_at")), _optional_date(attributes.get("modified_at")),
                _frames(record) if kind == REFRAME else None,
            ]  # fmt: skip
        elif key in rows:
            row = list(rows[key]) if copy else rows[key]
            if kind in (DELETED, REFRAMED):
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


def _frames(record: dict[str, Any]) -> list[dict[str, Any]]:
    """[old, new] of a "reframe" record, each with at least an event id and a start."""
    frames = [record["old"], record["new"]]
    for frame in frames:
        if not isinstance(frame, dict) or not isinstance(frame["event_id"], str):
            raise TypeError("not a frame")
        if not isinstance(frame["start"], int) or isinstance(frame["start"], bool):
            raise TypeError("not a start")
    return frames


def journal_lines(data: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    """(offset in the file, line without its newline) of each whole line of `data`."""
    start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            return
        yield offset + start, data[start:end]
        start = end + 1


def pread(fd: int, offset: int, size: int) -> bytes:
    """`size` bytes at `offset` (fewer at the file's end)."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.pread(fd, size, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_documents(
    path: Path, entries: Sequence[TrashEntry], out: dict[EntryKey, dict[str, Any] | TrashError]
) -> list[TrashEntry]:
    """Fill `out` with the snapshot documents found in the journal at `path` where `entries` say;
    returns the entries not found there (the journal was rewritten since they were read)."""
    if not entries:
        return []
    try:
        fd = os.open(path, os.O_RDONLY | BINARY)
    except OSError as exc:
        raise TrashError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
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


def _document_at(fd: int, offset: int, length: int, key: EntryKey) -> dict[str, Any] | None:
    """The snapshot document of the trashed record of `key` at `offset`, or None if it is not there."""
    try:
        record = json.loads(pread(fd, offset, length).decode("utf-8", errors="replace"))
        if record.get("kind") not in COPIES or (str(record["batch_id"]), str(record["id"])) != key:
            return None
        document = record["snapshot"]
    except (ValueError, KeyError, TypeError, AttributeError, OSError):
        return None
    return document if isinstance(document, dict) else None


def append_records(path: Path, lock_path: Path, records: Sequence[dict[str, Any]], *, sync: bool) -> None:
    """One `write()` of `records`, a line each, at the journal's end, under the shared lock; a torn
    last line is ended first, so that it cannot swallow them. `sync`: fsynced too (once)."""
    data = b"".join(_line(record) for record in records)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with journal_lock(lock_path, exclusive=False):
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | BINARY, 0o600)
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
        raise TrashError(f"{path}: cannot be written ({exc.strerror or type(exc).__name__})") from None


def _line(record: dict[str, Any]) -> bytes:
    try:
        return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    except UnicodeEncodeError:  # a lone surrogate (from a file, never from the server): escaped
        return (json.dumps(record, separators=(",", ":")) + "\n").encode()


@contextlib.contextmanager
def journal_lock(lock_path: Path, *, exclusive: bool) -> Iterator[None]:
    """Appenders share it; a purge, which rewrites the journal, holds it alone."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise TrashError(f"{lock_path}: cannot be opened ({exc.strerror or type(exc).__name__})") from None
    try:
        flock(fd, exclusive=exclusive, wait=True)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _ends_torn(fd: int) -> bool:
    """Whether the file's last byte is not a newline (a write cut short by a crash)."""
    if os.fstat(fd).st_size == 0:
        return False
    os.lseek(fd, -1, os.SEEK_END)
    return os.read(fd, 1) != b"\n"
