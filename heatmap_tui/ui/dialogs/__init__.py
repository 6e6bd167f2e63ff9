"""Modal dialogs: forms, confirmations and progress."""

from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress
from heatmap_tui.ui.dialogs.confirm_delete import ConfirmDelete
from heatmap_tui.ui.dialogs.snapshot_form import FormResult, SnapshotForm

__all__ = ["BulkDeleteProgress", "ConfirmDelete", "FormResult", "SnapshotForm"]
