"""The browser's views: the view filter, the view picker, and the discovery of the app's views.

Discovery (the app's busiest views, with counts) runs once, after the first load, so that the
first rows come first; the view filter and picker use it, and all-views mode lists its views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Input
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from heatmap_tui.core.errors import ApiError
from heatmap_tui.ui.widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from textual.screen import Screen

    from heatmap_tui.core.rum_models import ViewCount
    from heatmap_tui.ui.session import Connection
    from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable

    class _Host(Screen[None]):
        """What ViewsFlow uses of BrowserScreen."""

        connection: Connection
        application_id: str
        view: str
        views: list[str]
        all_views: bool

        @property
        def table(self) -> SnapshotTable: ...
        def _update_scope(self) -> None: ...
        def _filters_changed(self) -> None: ...
else:
    _Host = object


class ViewsFlow(_Host):
    """Mixed into BrowserScreen (before Screen)."""

    discovered: list[ViewCount] | None = None  # None: not asked yet, or the asking failed
    _discovery: Worker[None] | None = None

    def apply_view(self, name: str) -> None:
        name = name.strip()
        view_input = self.query_one("#view-input", Input)
        if not name:
            view_input.value = self.view
            self.notify(
                "A view name is needed: the API lists the snapshots of one view at a time.",
                severity="warning",
            )
            return
        view_input.value = name
        self.table.focus()
        if name == self.view and not self.all_views:
            return
        self.view, self.all_views = name, False
        if name not in self.views:
            self.views.append(name)
            self.query_one(FilterBar).set_views(self.known_views)
        self._filters_changed()

    def action_pick_view(self) -> None:
        from heatmap_tui.ui.dialogs.view_picker import ViewPicker

        def picked(name: str | None) -> None:
            if name:
                self.apply_view(name)

        self.app.push_screen(ViewPicker(self.known_views, self.view, self.view_counts), picked)
        self.discover_views()

    @property
    def known_views(self) -> list[str]:
        from heatmap_tui.ui.dialogs.view_picker import merge_views

        return merge_views(self.views, self.discovered or [])

    @property
    def view_counts(self) -> dict[str, int]:
        return {v.name: v.count for v in self.discovered or []}

    def discover_views(self, *, quiet: bool = False) -> None:
        """Offer the app's busiest views, with counts, in the filter and the view picker:
        asked for once, after the first load, so that the first rows come first. `quiet`: a
        failure is not told (the next use of the view filter asks again, and tells)."""
        if self.discovered is None and self._discovery is None:
            self._discovery = self._discover(quiet)

    @work(group="discover")
    async def _discover(self, quiet: bool) -> None:
        try:
            found = await self.connection.rum.discover_views(self.application_id)
        except ApiError as exc:  # the filter still takes any typed name
            self._discovery = None
            if not quiet:
                self.notify(
                    f"{exc} Type a view name instead.", title="Could not list the views", severity="warning"
                )
            return
        self.views_found(found)

    def views_found(self, found: list[ViewCount]) -> None:
        from heatmap_tui.ui.dialogs.view_picker import ViewPicker

        self.discovered = found
        self.views = self.known_views  # all-views mode lists these
        self._update_scope()
        self.query_one(FilterBar).set_views(self.known_views, counted=bool(found))
        if isinstance(self.app.screen, ViewPicker):
            self.app.screen.set_views(self.known_views, self.view_counts)

    async def _all_view_names(self) -> list[str]:
        """The views all-views mode lists: once discovery has answered, if it can."""
        self.discover_views()
        if self._discovery is not None:
            try:
                await self._discovery.wait()
            except (WorkerCancelled, WorkerFailed):
                pass  # the views known so far, then
        return list(self.views)
