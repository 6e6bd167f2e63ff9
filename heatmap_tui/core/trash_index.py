"""The trash's rows kept up to the journal's end, and the index file that caches them.

A journal of a year of use (20,000 entries, ~20 MB) takes seconds to parse. So the entries are
also kept, without their snapshots, in a compact companion file (`trash.jsonl.idx`, a cache:
deleting it costs one full parse). It says which prefix of the journal it covers: the file's
device and inode, the byte count, and a hash of the first and the last 4 KiB of that prefix. A
reader takes the index when those still hold and parses only what was appended since; anything
else (a purge, an edit, another file) and it parses the whole journal again. A torn last line
is never covered by the index.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from heatmap_tui.core.trash_entries import EntryKey, TrashError
from heatmap_tui.core.trash_records import BINARY, Row, apply_record, is_row, journal_lines, pread, row_key

log = logging.getLogger(__name__)

INDEX_VERSION = 4  # 3: rows hold the original author and dates; 4: and frame changes
_PROBE = 4096  # bytes hashed at each end of the prefix an index covers
_CHUNK = 500  # rows per line of the index file


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(slots=True)
class IndexState:
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
    def load(cls, data: bytes) -> IndexState:
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
            if not isinstance(chunk, list) or not all(is_row(r) for r in chunk):
                raise ValueError("rows")
            rows.update((row_key(r), r) for r in chunk)
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

    def scan(self, data: bytes) -> None:
        """Apply `data`, whole lines that follow what this state covers."""
        rows, bad, number = self.rows, self.bad, self.lines
        for at, line in journal_lines(data, self.covered):
            number += 1
            if line.strip() and apply_record(rows, line, at) is None:
                bad.append(number)
        self.lines = number
        self.covered += len(data)

    def still_covers(self, fd: int, ident: tuple[int, int], size: int) -> bool:
        """Whether the journal open at `fd` still starts with the prefix this state covers."""
        if self.ident != ident or self.covered > size:
            return False
        if self.covered == 0:
            return True
        head = pread(fd, 0, min(_PROBE, self.covered))
        tail = pread(fd, max(0, self.covered - _PROBE), min(_PROBE, self.covered))
        return digest(head) == self.head and digest(tail) == self.tail


class JournalIndex:
    """The rows of the journal at `path`, read through the index file at `index_path`.

    Not thread-safe by itself: the Trash that owns it calls it under its own mutex.
    """

    def __init__(self, path: Path, index_path: Path) -> None:
        self.path = path
        self.index_path = index_path
        self._state: IndexState | None = None

    def refresh(self, index_every: int) -> tuple[IndexState | None, dict[EntryKey, Row], list[int]]:
        """Bring the state up to the journal's end; with the rows and bad lines to show (those of
        a torn last line included, which the state never takes in). The index file is written
        again once the journal has `index_every` bytes it does not cover."""
        try:
            fd = os.open(self.path, os.O_RDONLY | BINARY)
        except FileNotFoundError:
            self._state = None
            return None, {}, []
        except OSError as exc:
            raise TrashError(f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        try:
            st = os.fstat(fd)
            ident = (st.st_dev, st.st_ino)
            state = self._state if self._state is not None else self._load()
            if state is None or not state.still_covers(fd, ident, st.st_size):
                state = IndexState(ident)
            data = pread(fd, state.covered, st.st_size - state.covered) if st.st_size > state.covered else b""
            whole = data.rfind(b"\n") + 1
            if whole:
                state.scan(data[:whole])
                covered = state.covered
                state.head = digest(pread(fd, 0, min(_PROBE, covered)))
                state.tail = digest(pread(fd, max(0, covered - _PROBE), min(_PROBE, covered)))
        except OSError as exc:
            raise TrashError(f"{self.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        finally:
            os.close(fd)
        self._state = state
        if state.covered - state.saved >= index_every:
            self._save(state)
        fragment = data[whole:]
        rows, bad = state.rows, state.bad
        if fragment.strip():  # a torn last line, or one being written: shown, never indexed
            rows = dict(rows)
            if apply_record(rows, fragment, state.covered, copy=True) is None:
                bad = [*bad, state.lines + 1]
        return state, rows, list(bad)

    def forget(self) -> None:
        """The journal was rewritten: the next refresh parses it whole."""
        self._state = None
        with contextlib.suppress(OSError):
            self.index_path.unlink()

    def _load(self) -> IndexState | None:
        try:
            return IndexState.load(self.index_path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.info("trash: %s: not used (%s); reading the whole journal", self.index_path, exc)
            return None

    def _save(self, state: IndexState) -> None:
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
