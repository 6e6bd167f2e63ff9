"""The trash: a local copy of every snapshot, written before its DELETE is sent, to restore from.

The API has no undelete, and a snapshot is what keeps a heatmap viewable once its replay ages
out, so a deleted snapshot must never be lost by accident. Every delete of the app (TUI and CLI)
goes through `delete_with_trash`, which copies each snapshot here first.

The modules, one name to import them by:
    core/trash_entries.py  what a reader sees: entries, their states, batches, purge results
    core/trash_records.py  the journal's records and the rows entries are kept as; appends, locks
    core/trash_index.py    the rows kept up to the journal's end, and the index file caching them
    core/trash_journal.py  Trash: writing, reading, batch locks, purge
    core/trash_batch.py    a delete batch: its copies in one fsynced write, then its answers
    core/trash_purge.py    purge: entries forgotten for good, the journal rewritten
    core/restore.py        the network: delete through the trash, restore without duplicates
    core/restore_frames.py the network: a frame change undone, the old frame PATCHed back
"""

from __future__ import annotations

from heatmap_tui.core.restore import (
    DEFAULT_RESTORE_CONCURRENCY,
    NotTrashed,
    RestoreReport,
    delete_with_trash,
    restore_entries,
)
from heatmap_tui.core.trash_entries import (
    Batch,
    EntryKey,
    EntryState,
    PurgeResult,
    TrashContents,
    TrashEntry,
    TrashError,
    new_batch_id,
    whoami,
)
from heatmap_tui.core.trash_journal import Trash

__all__ = [
    "DEFAULT_RESTORE_CONCURRENCY",
    "Batch",
    "EntryKey",
    "EntryState",
    "NotTrashed",
    "PurgeResult",
    "RestoreReport",
    "Trash",
    "TrashContents",
    "TrashEntry",
    "TrashError",
    "delete_with_trash",
    "new_batch_id",
    "restore_entries",
    "whoami",
]
