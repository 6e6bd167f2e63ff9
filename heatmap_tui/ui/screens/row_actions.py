"""What the browser does with the cursor's snapshot without changing it: show it full screen,
copy its id, open it in the Datadog web app, and the sort menu over the rows."""

from __future__ import annotations

from collections.abc import Callable

from heatmap_tui.core.models import Snapshot
from heatmap_tui.ui.screens.browser_context import BrowserContext
from heatmap_tui.ui.screens.browser_keys import SORT_COLUMNS
from heatmap_tui.ui.screens.web_link import heatmap_web_url

NO_VIEW_YET = "No view yet: type its name above and press enter, or pick a known one with ▾ (v)."


class RowActions:
    """Given the browser's context, whether it is read-only now, and where an edit saved in the
    full-screen view goes (the form's path)."""

    def __init__(
        self, ctx: BrowserContext, *, read_only: Callable[[], bool], saved: Callable[[Snapshot], None]
    ) -> None:
        self._ctx = ctx
        self._read_only = read_only
        self._saved = saved

    def open_detail(self, *, json_mode: bool) -> None:
        """The cursor's snapshot full screen: its fields (enter), or its JSON (J)."""
        from heatmap_tui.ui.screens.snapshot_detail import SnapshotDetailScreen

        if (snapshot := self._ctx.table.cursor_snapshot) is not None:
            self._ctx.host.app.push_screen(
                SnapshotDetailScreen(
                    snapshot,
                    self._ctx.connection.snapshots,
                    clock=self._ctx.clock,
                    json_mode=json_mode,
                    read_only=self._read_only,
                    saved=self._saved,
                    stale_of=self._ctx.table.model.stale.evidence,
                )
            )

    def copy_id(self) -> None:
        if (snapshot := self._ctx.table.cursor_snapshot) is not None:
            self._ctx.host.app.copy_to_clipboard(snapshot.id)
            self._ctx.host.notify(f"Copied the id of {snapshot.name!r}: {snapshot.id}", markup=False)

    def open_web(self) -> None:
        """The cursor row's view and device, else those listed."""
        row, scope = self._ctx.table.cursor_snapshot, self._ctx.scope()
        view, device = (row.view_name, row.device_type) if row is not None else (scope.view, scope.device)
        if not view:
            self._ctx.host.notify(NO_VIEW_YET, severity="warning")
            return
        connection = self._ctx.connection
        url = heatmap_web_url(connection.site, self._ctx.application_id, view, device)
        self._ctx.host.app.open_url(url)
        self._ctx.host.notify(url, title="Opening in the Datadog web app", markup=False)

    def sort_menu(self) -> None:
        from heatmap_tui.ui.dialogs.sort_menu import SortMenu

        table = self._ctx.table
        menu = SortMenu(SORT_COLUMNS, table.model.sort_column, table.model.sort_reverse)
        self._ctx.host.app.push_screen(menu, lambda column: table.sort_by(column) if column else None)
