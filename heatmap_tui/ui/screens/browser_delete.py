"""The browser's deletes and their way back: delete (one or marked), undo, the trash, clean-up.

Every delete goes through `delete_with_trash`, so each snapshot is copied to the trash before its
DELETE is sent, under a batch id of its own, shown in the toast that reports the delete. `u`
restores the batch this browser deleted last, and nothing else: not a batch of the CLI, of
another TUI or of another user (those are restored from the trash, T).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.notifications import SeverityLevel

from heatmap_tui.core.errors import NotFound
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import BulkResult
from heatmap_tui.core.trash import (
    EntryState,
    RestoreReport,
    TrashEntry,
    TrashError,
    delete_with_trash,
    new_batch_id,
)

# The dialogs and the trash screen are imported by the actions that open them: showing the
# browser needs none of them.
if TYPE_CHECKING:
    from textual.screen import Screen

    from heatmap_tui.core.trash import Trash
    from heatmap_tui.ui.session import Clock, Connection
    from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable

    class _Host(Screen[None]):
        """What DeleteFlow uses of BrowserScreen."""

        connection: Connection
        trash: Trash
        clock: Clock
        read_only: bool
        view: str
        views: list[str]
        all_views: bool
        device: str | None
        cut_views: tuple[str, ...]

        @property
        def table(self) -> SnapshotTable: ...
        def _update_counts(self) -> None: ...
        def _show_detail(self, snapshot: Snapshot | None) -> None: ...
        def action_refresh(self) -> None: ...
else:
    _Host = object

UNDO_HINT = "u undoes"
ELSEWHERE = "Deletes of the CLI, of another session or of another user are in the trash (T)."


class DeleteFlow(_Host):
    """Mixed into BrowserScreen (before Screen): its `trash`, `connection` and table are used."""

    _undo_batch: str | None = None  # the batch this browser deleted last

    # --- delete ----------------------------------------------------------------

    def action_delete(self) -> None:
        table = self.table
        cursor = table.cursor_snapshot
        self.delete_snapshots(table.marked_snapshots or ([cursor] if cursor is not None else []))

    def delete_snapshots(self, snapshots: Sequence[Snapshot]) -> None:
        """Ask (focus on Cancel), then delete through the trash: one at once, more with progress."""
        from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress
        from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDelete

        snapshots = list(snapshots)
        if not snapshots:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            batch = new_batch_id(self.clock())
            if len(snapshots) == 1:
                self._delete_one(snapshots[0], batch)
                return
            progress = BulkDeleteProgress(
                self.connection.snapshots,
                snapshots,
                trash=self.trash,
                site=self.connection.site,
                profile=self.connection.profile,
                batch_id=batch,
            )
            self.app.push_screen(progress, lambda result: self._bulk_done(result, batch))

        self.app.push_screen(ConfirmDelete(snapshots), confirmed)

    @work(group="delete")
    async def _delete_one(self, snapshot: Snapshot, batch: str) -> None:
        result = await delete_with_trash(
            self.connection.snapshots,
            [snapshot],
            self.trash,
            site=self.connection.site,
            profile=self.connection.profile,
            batch_id=batch,
        )
        error = result.failed.get(snapshot.id)
        if isinstance(error, NotFound):
            self.table.remove_ids([snapshot.id])
            self.notify(
                f"Snapshot {snapshot.name!r} was already deleted elsewhere; removed it from the table."
            )
        elif error is not None:
            self.notify(str(error), title="Could not delete", severity="error", timeout=8)
        else:
            self._undo_batch = batch
            self.table.remove_ids(result.deleted)
            self.notify(  # the name is outside text: escaped, never markup, whatever app hosts the screen
                visible(f"Deleted snapshot {snapshot.name!r} ({UNDO_HINT})"),
                title=visible(f"Trash batch {batch}"),
                markup=False,
            )
        self._after_delete()

    def _bulk_done(self, result: BulkResult | None, batch: str) -> None:
        if result is None:
            return
        if result.deleted:
            self._undo_batch = batch
        self.table.remove_ids(result.deleted)
        severity: SeverityLevel = "error" if result.failed else "information"
        hint = f" ({UNDO_HINT})" if result.deleted else ""
        title = f"Bulk delete · trash batch {batch}"
        self.notify(result.summary() + hint, title=title, severity=severity, timeout=8)
        self._after_delete()

    def _after_delete(self) -> None:
        self._update_counts()
        self._show_detail(self.table.cursor_snapshot)

    # --- undo ------------------------------------------------------------------

    def action_undo(self) -> None:
        self._undo()

    @work(exclusive=True, group="undo")
    async def _undo(self) -> None:
        from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress
        from heatmap_tui.ui.screens.trash_screen import restore_target

        try:
            entries = await asyncio.to_thread(self._undo_entries)
        except TrashError as exc:
            self.notify(str(exc), title="Could not read the trash", severity="error", timeout=8)
            return
        if self._undo_batch is None:
            self.notify(f"Nothing to undo: nothing was deleted here. {ELSEWHERE}", markup=False)
            return
        if not entries:
            self.notify("Nothing to undo: the snapshots deleted last were purged from the trash.")
            return
        pending = [e for e in entries if e.state is not EntryState.RESTORED]
        if not pending:
            self.notify("Nothing to undo: the snapshots deleted last were already restored.")
            return
        target = restore_target(self.connection)
        restore = RestoreProgress(self.trash, pending, self.connection.snapshots, target=target)
        self.app.push_screen(restore, self._restored)

    def _undo_entries(self) -> list[TrashEntry]:
        return [] if self._undo_batch is None else self.trash.batch(self._undo_batch)

    def _restored(self, report: RestoreReport | None) -> None:
        from heatmap_tui.ui.dialogs.restore_progress import restored_message

        if report is None:
            return
        severity: SeverityLevel = "error" if report.failed else "warning" if report.skipped else "information"
        self.notify(restored_message(report), severity=severity, timeout=8)
        if report.restored:
            self.action_refresh()

    # --- the trash and the clean-up ----------------------------------------------

    def action_trash(self) -> None:
        from heatmap_tui.ui.screens.trash_screen import TrashScreen

        screen = TrashScreen(self.trash, self.connection, read_only=self.read_only, clock=self.clock)

        def closed(restored: bool | None) -> None:
            if restored:
                self.action_refresh()

        self.app.push_screen(screen, closed)

    def action_cleanup(self) -> None:
        from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog

        snapshots = self.table.model.snapshots
        if not snapshots:
            self.notify(
                "No snapshots are loaded: load a view (or all views) to clean up.", severity="warning"
            )
            return
        device = self.device or "any device"
        where = f"all {len(self.views)} known views" if self.all_views else f"view {self.view}"
        hint = "" if self.all_views else " (press a for all views)"
        if self.cut_views:  # the API lists no further: say what the preview cannot cover
            limit = self.connection.snapshots.page_limit
            hint += (
                f". Not covered: whatever lies past the first {limit} snapshots (the page limit) of "
                f"{', '.join(self.cut_views)}"
            )
        dialog = CleanupDialog(snapshots, scope=f"{where} · {device}{hint}", clock=self.clock)
        self.app.push_screen(dialog, lambda chosen: self.delete_snapshots(chosen or []))
