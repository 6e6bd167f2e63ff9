"""The browser's deletes and their way back: delete (one or marked), undo, the trash, clean-up.

Every delete goes through `delete_with_trash`, so each snapshot is copied to the trash before its
DELETE is sent, under a batch id of its own, shown in the toast that reports the delete. `u`
restores the batch this browser deleted last, and nothing else: not a batch of the CLI, of
another TUI or of another user (those are restored from the trash, T).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from heatmap_tui.core.errors import NotFound
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import BulkResult
from heatmap_tui.core.trash import (
    EntryState,
    RestoreReport,
    Trash,
    TrashEntry,
    TrashError,
    delete_with_trash,
    new_batch_id,
)
from heatmap_tui.ui.widgets.busy import busy_until

# The dialogs and the trash screen are imported by the actions that open them (never here):
# showing the browser needs none of them.
if TYPE_CHECKING:
    from heatmap_tui.ui.screens.browser_context import BrowserContext

UNDO_HINT = "u undoes"
ELSEWHERE = "Deletes of the CLI, of another session or of another user are in the trash (T)."


class DeleteController:
    """Deletes the browser's snapshots through `trash`, and undoes the last delete.

    `changed` is called when rows went or came back (the screen updates its counts and
    detail), `refresh` when the rows are to be listed again."""

    def __init__(
        self,
        context: BrowserContext,
        trash: Trash,
        *,
        changed: Callable[[], None],
        refresh: Callable[[], None],
    ) -> None:
        self._context = context
        self._host = context.host
        self._table = context.table
        self._connection = context.connection
        self._clock = context.clock
        self._trash = trash
        self._changed = changed
        self._refresh = refresh
        self._undo_batch: str | None = None  # the batch this browser deleted last

    # --- delete ----------------------------------------------------------------

    def delete_cursor_or_marked(self) -> None:
        table = self._table
        cursor = table.cursor_snapshot
        marked = table.marked_snapshots
        self.delete(marked or ([cursor] if cursor is not None else []), hidden=table.model.marked_hidden_ids)

    def delete(self, snapshots: Sequence[Snapshot], *, hidden: frozenset[str] = frozenset()) -> None:
        """Ask (focus on Cancel), then delete through the trash: one at once, more with progress."""
        from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDelete

        snapshots = list(snapshots)
        if not snapshots:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_confirmed(snapshots)

        self._host.app.push_screen(ConfirmDelete(snapshots, hidden=hidden), confirmed)

    def delete_confirmed(self, snapshots: Sequence[Snapshot]) -> None:
        """Delete through the trash, already confirmed: one at once, more with progress."""
        from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress

        if not snapshots:
            return
        connection = self._connection
        batch = new_batch_id(self._clock())
        if len(snapshots) == 1:
            self._host.run_worker(self._delete_one(snapshots[0], batch), name="_delete_one", group="delete")
            return
        progress = BulkDeleteProgress(
            connection.snapshots,
            snapshots,
            trash=self._trash,
            site=connection.site,
            profile=connection.profile,
            batch_id=batch,
        )
        self._host.app.push_screen(progress, lambda result: self._bulk_done(result, batch))

    async def _delete_one(self, snapshot: Snapshot, batch: str) -> None:
        connection = self._connection
        deleting = delete_with_trash(
            connection.snapshots,
            [snapshot],
            self._trash,
            site=connection.site,
            profile=connection.profile,
            batch_id=batch,
        )
        result = await busy_until(self._table, deleting)  # the row goes from the table when done
        error = result.failed.get(snapshot.id)
        if isinstance(error, NotFound):
            self._table.remove_ids([snapshot.id])
            self._host.notify(
                f"Snapshot {snapshot.name!r} was already deleted elsewhere; removed it from the table."
            )
        elif error is not None:
            self._host.notify(str(error), title="Could not delete", severity="error", timeout=8)
        else:
            self._undo_batch = batch
            self._table.remove_ids(result.deleted)
            self._host.notify(  # the name is outside text: escaped, never markup, whatever app hosts the screen
                visible(f"Deleted snapshot {snapshot.name!r} ({UNDO_HINT})"),
                title=visible(f"Trash batch {batch}"),
                markup=False,
            )
        self._changed()

    def _bulk_done(self, result: BulkResult | None, batch: str) -> None:
        if result is None:
            return
        if result.deleted:
            self._undo_batch = batch
        self._table.remove_ids(result.deleted)
        hint = f" ({UNDO_HINT})" if result.deleted else ""
        title = f"Bulk delete · trash batch {batch}"
        if result.failed:  # the dialog listed what failed, and why: the toast sums it up
            self._host.notify(result.summary() + hint, title=title, severity="error", timeout=8)
        else:  # the dialog closed by itself: the toast is what says it
            count = len(result.deleted)
            self._host.notify(
                f"Deleted {count} snapshot{'' if count == 1 else 's'}{hint}", title=title, timeout=8
            )
        self._changed()

    # --- undo ------------------------------------------------------------------

    def undo(self) -> None:
        self._host.run_worker(self._undo(), name="_undo", group="undo", exclusive=True)

    def remember_reframe(self, batch: str) -> None:
        """A re-frame of this browser, journaled as `batch`: `u` puts its old frames back next."""
        self._undo_batch = batch

    async def _undo(self) -> None:
        from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress

        try:
            entries = await asyncio.to_thread(self._undo_entries)
        except TrashError as exc:
            self._host.notify(str(exc), title="Could not read the trash", severity="error", timeout=8)
            return
        if self._undo_batch is None:
            self._host.notify(f"Nothing to undo: nothing was deleted here. {ELSEWHERE}", markup=False)
            return
        if not entries:
            self._host.notify("Nothing to undo: the snapshots deleted last were purged from the trash.")
            return
        pending = [e for e in entries if e.state is not EntryState.RESTORED]
        if not pending:
            self._host.notify("Nothing to undo: the snapshots deleted last were already restored.")
            return
        target = self._connection.target
        restore = RestoreProgress(self._trash, pending, self._connection.snapshots, target=target)
        self._host.app.push_screen(restore, self._restored)

    def _undo_entries(self) -> list[TrashEntry]:
        return [] if self._undo_batch is None else self._trash.batch(self._undo_batch)

    def _restored(self, report: RestoreReport | None) -> None:
        from heatmap_tui.ui.dialogs.reframe_dialog import frames_back_message
        from heatmap_tui.ui.dialogs.restore_progress import restored_message

        if report is None:
            return
        severity: SeverityLevel = "error" if report.failed else "warning" if report.skipped else "information"
        frames = bool(report.restored) and all(entry.is_reframe for entry, _ in report.restored)
        text = frames_back_message(report) if frames else restored_message(report)
        self._host.notify(visible(text), severity=severity, timeout=8, markup=False)
        if report.restored:
            self._refresh()

    # --- the trash and the clean-up ----------------------------------------------

    def open_trash(self) -> None:
        from heatmap_tui.ui.screens.trash_screen import TrashScreen

        screen = TrashScreen(
            self._trash, self._connection, read_only=self._context.scope().read_only, clock=self._clock
        )

        def closed(restored: bool | None) -> None:
            if restored:
                self._refresh()

        self._host.app.push_screen(screen, closed)

    def clean_up(self) -> None:
        """Offer the loaded snapshots to the clean-up dialog, saying where they come from."""
        from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog

        snapshots = self._table.model.snapshots
        if not snapshots:
            self._host.notify(
                "No snapshots are loaded: load a view (or all views) to clean up.", severity="warning"
            )
            return
        scope = self._context.scope()
        device = scope.device or "any device"
        where = (
            f"all {len(self._context.catalog.views)} known views" if scope.all_views else f"view {scope.view}"
        )
        hint = "" if scope.all_views else " (press a for all views)"
        if cut := self._context.catalog.cut:  # the API lists no further: say what the preview cannot cover
            limit = self._connection.snapshots.page_limit
            hint += (
                f". Not covered: whatever lies past the first {limit} snapshots (the page limit) of "
                f"{', '.join(cut)}"
            )
        dialog = CleanupDialog(
            snapshots,
            scope=f"{where} · {device}{hint}",
            clock=self._clock,
            stale=self._table.model.stale.known,
        )
        # Its Delete button is the confirmation: it names the count, and that copies go to the trash.
        self._host.app.push_screen(dialog, lambda chosen: self.delete_confirmed(chosen or []))
