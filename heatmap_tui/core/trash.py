"""The trash: a local copy of every snapshot, written before its DELETE is sent, to restore from.

The API has no undelete, and a snapshot is what keeps a heatmap viewable once its replay ages
out, so a deleted snapshot must never be lost by accident. Every delete of the app (TUI and CLI)
goes through `delete_with_trash`, which copies each snapshot here first.

Two modules, one name to import them by:
    core/trash_journal.py  the file: records, entries, batches, the index, locks, purge
    core/restore.py        the network: delete through the trash, restore without duplicates
"""

from __future__ import annotations

from heatmap_tui.core.restore import (
    DEFAULT_RESTORE_CONCURRENCY,
    NotTrashed,
    RestoreReport,
    delete_with_trash,
    restore_entries,
    trash_hook,
)
from heatmap_tui.core.trash_journal import (
    Batch,
    EntryKey,
    EntryState,
    PurgeResult,
    Trash,
    TrashContents,
    TrashEntry,
    TrashError,
    new_batch_id,
    whoami,
)

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
    "trash_hook",
    "whoami",
]
