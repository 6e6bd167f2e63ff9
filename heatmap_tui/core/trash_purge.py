"""Purging the trash journal: entries forgotten for good, the file rewritten atomically under the
journal's exclusive lock (so no other process's append is dropped). Trash.purge is the way in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from heatmap_tui.core.fileio import write_atomic
from heatmap_tui.core.trash_entries import EntryKey, PurgeResult, TrashError
from heatmap_tui.core.trash_records import Row, apply_record, entry_from_row, journal_lines, journal_lock

if TYPE_CHECKING:
    from heatmap_tui.core.trash_journal import Trash


def purge_journal(
    trash: Trash,
    cutoff: datetime | None,
    wanted: set[str] | None,
    *,
    unreadable: bool,
    rewritten: Callable[[], None],
) -> PurgeResult:
    """Drop the entries trashed before `cutoff` and/or with the ids `wanted` (None: no such
    condition), as Trash.purge says; `rewritten` is called, under the lock, once the file was."""
    with journal_lock(trash.lock_path, exclusive=True):
        try:
            raw = trash.path.read_bytes()
        except FileNotFoundError:
            return PurgeResult([], 0)
        except OSError as exc:
            raise TrashError(f"{trash.path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
        if raw and not raw.endswith(b"\n"):
            raw += b"\n"
        rows: dict[EntryKey, Row] = {}
        lines: list[tuple[EntryKey | None, bytes]] = []  # None: unreadable
        for offset, line in journal_lines(raw, 0):
            if not line.strip():
                continue
            lines.append((apply_record(rows, line, offset), line))
        entries = [entry_from_row(row, (0, 0), trash) for row in rows.values()]
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
        write_atomic(trash.path, b"".join(line + b"\n" for line in kept), error=TrashError, mode=0o600)
        rewritten()
    return PurgeResult(purged, bad if unreadable else 0, 0 if unreadable else bad)
