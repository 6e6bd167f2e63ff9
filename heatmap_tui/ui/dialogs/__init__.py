"""Modal dialogs: forms, confirmations and progress.

The names below are imported on first use, so that opening one dialog (the view picker, say)
does not import them all: the browser imports each dialog only when it opens it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress
    from heatmap_tui.ui.dialogs.confirm_delete import ConfirmDelete
    from heatmap_tui.ui.dialogs.snapshot_form import FormResult, SnapshotForm

__all__ = ["BulkDeleteProgress", "ConfirmDelete", "FormResult", "SnapshotForm"]

_MODULE_OF = {
    "BulkDeleteProgress": "bulk_progress",
    "ConfirmDelete": "confirm_delete",
    "FormResult": "snapshot_form",
    "SnapshotForm": "snapshot_form",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
