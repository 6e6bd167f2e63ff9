"""The browser's create and edit: the snapshot form opened, and its result put into the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from heatmap_tui.core.models import Snapshot

# The form is imported by the actions that open it: showing the browser needs none of it.
if TYPE_CHECKING:
    from heatmap_tui.ui.dialogs.snapshot_form import FormResult
    from heatmap_tui.ui.screens.browser_context import BrowserContext


class FormController:
    """Opens the snapshot form for the browser's rows and puts what it saved into the table;
    `changed` is called when the rows changed."""

    def __init__(self, context: BrowserContext, *, changed: Callable[[], None]) -> None:
        self._context = context
        self._table = context.table
        self._changed = changed

    def new(self) -> None:
        """A new snapshot, of the view listed (in all-views mode, of the cursor row's view)."""
        from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm

        context = self._context
        scope, cursor = context.scope(), self._table.cursor_snapshot
        view = cursor.view_name if scope.all_views and cursor is not None else scope.view
        form = SnapshotForm(
            context.connection.snapshots,
            application_id=context.application_id,
            view_name=view,
            device_type=scope.device,
            views=context.catalog.views,
            rum=context.connection.rum,
            clock=context.clock,
        )
        context.host.app.push_screen(form, self._done)

    def edit(self) -> None:
        from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm

        snapshot = self._table.cursor_snapshot
        if snapshot is None:
            return
        context = self._context
        form = SnapshotForm(
            context.connection.snapshots,
            application_id=context.application_id,
            snapshot=snapshot,
            views=context.catalog.views,
            rum=context.connection.rum,
            clock=context.clock,
        )
        context.host.app.push_screen(form, self._done)

    def saved(self, snapshot: Snapshot) -> None:
        """An edit saved outside the form (the detail view's $EDITOR): into the table, as the form's."""
        from heatmap_tui.ui.dialogs.form_fields import FormResult

        self._done(FormResult(snapshot=snapshot))

    def _done(self, result: FormResult | None) -> None:
        if result is None:
            return
        table, notify = self._table, self._context.host.notify
        if result.gone_id is not None:
            table.remove_ids([result.gone_id])
            notify("Removed the deleted snapshot from the table.")
        elif result.snapshot is not None and not result.created:
            table.replace_snapshot(result.snapshot)
            notify(f"Saved snapshot {result.snapshot.name!r}", markup=False)
        elif result.snapshot is not None:
            snapshot = result.snapshot
            if self._listed_here(snapshot):
                table.add_snapshot(snapshot)
                index = table.model.index_of(snapshot.id)
                if index is not None:
                    table.move_cursor(index)
                notify(f"Created snapshot {snapshot.name!r}", markup=False)
            else:
                notify(
                    f"Created snapshot {snapshot.name!r} in {snapshot.view_name} ({snapshot.device_type}), "
                    "outside the current filter.",
                    markup=False,
                )
        self._changed()

    def _listed_here(self, snapshot: Snapshot) -> bool:
        scope = self._context.scope()
        views = self._context.catalog.views if scope.all_views else [scope.view]
        return snapshot.view_name in views and scope.device in (None, snapshot.device_type)
