"""The browser's views: the name typed or picked, and the discovery of the app's busiest views.

Discovery (the app's busiest views, with counts) runs once, after the first load, so that the
first rows come first; the view filter and picker use it, and all-views mode lists its views
and those of the local view registry (core/view_registry.py), which keeps every view discovered,
typed or picked here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerCancelled, WorkerFailed

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.rum_models import ViewCount
from heatmap_tui.core.trash_journal import Trash
from heatmap_tui.core.view_registry import (
    TRAFFIC_WINDOW_WORDS,
    Source,
    discover,
    known_views,
    learn_from_trash,
    note,
)
from heatmap_tui.ui.widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from heatmap_tui.ui.screens.browser_context import BrowserContext


class ViewChooser:
    """Checks the view names typed into `bar` or picked, and fills the browser's view catalog by
    asking for the app's views: at most one discovery that succeeds.

    `chosen` gets a name chosen; `found` is called when discovery answered."""

    def __init__(
        self,
        context: BrowserContext,
        bar: FilterBar,
        *,
        chosen: Callable[[str], None],
        found: Callable[[], None],
        trash: Trash,
    ) -> None:
        self._context = context
        self._trash = trash  # the browser's (the demo's own in the demo): its views are known too
        self._host = context.host
        self._catalog = context.catalog
        self._bar = bar
        self._chosen = chosen
        self._found = found
        self._worker: Worker[None] | None = None
        self._told = ""  # the last coverage all-views mode told
        if self._catalog.local_only:  # an app with no recent traffic: its views come from here
            count = len(self._catalog.views)
            self._host.notify(
                f"No RUM traffic {TRAFFIC_WINDOW_WORDS}: its {count} "
                f"view{'s' if count != 1 else ''} come from the local view registry.",
                title="Views known locally",
                timeout=8,
                markup=False,
            )

    def choose(self, name: str) -> None:
        name = name.strip()
        if not name:
            self._bar.show_view(self._context.scope().view)
            self._host.notify(
                "A view name is needed: the API lists the snapshots of one view at a time.",
                severity="warning",
            )
            return
        self._bar.show_view(name)
        connection = self._context.connection
        note(
            connection.profile, self._context.application_id, [name], Source.TYPED, path=connection.views_path
        )
        if self._catalog.add(name):
            self._bar.set_views(self._catalog.views)
        self._chosen(name)

    def pick(self) -> None:
        """The view picker: the known views, with their counts once discovered (a discovery
        still running shows in its list, when slow)."""
        from heatmap_tui.ui.dialogs.view_picker import ViewPicker

        def picked(name: str | None) -> None:
            if name:
                self.choose(name)

        self.discover()
        scope, catalog = self._context.scope(), self._catalog
        picker = ViewPicker(catalog.views, scope.view, catalog.counts, discovering=self._worker)
        self._host.app.push_screen(picker, picked)

    # --- discovery ---------------------------------------------------------------

    def discover(self, *, quiet: bool = False) -> None:
        """Ask, unless answered or asking. `quiet`: nobody asked, so the frame being made is
        painted first (a load's rows wait for no other request, nor for sending one), and a
        failure is not told (the next use of the view filter asks again, and tells)."""
        if self._catalog.discovered is None and self._worker is None:
            self._worker = self._host.run_worker(self._discover(quiet), name="_discover", group="discover")

    async def _discover(self, quiet: bool) -> None:
        if quiet:
            await self._context.table.wait_for_refresh()
        try:
            found = await discover(self._context.connection, self._context.application_id)
        except ApiError as exc:  # the filter still takes any typed name
            self._worker = None
            if not quiet:
                self._host.notify(
                    f"{exc} Type a view name instead.", title="Could not list the views", severity="warning"
                )
            return
        self._views_found(found)

    def _views_found(self, found: list[ViewCount]) -> None:
        from heatmap_tui.ui.dialogs.view_picker import ViewPicker

        catalog = self._catalog
        catalog.found(found)
        self._bar.set_views(catalog.views, counted=bool(found))
        if isinstance(self._host.app.screen, ViewPicker):
            self._host.app.screen.set_views(catalog.views, catalog.counts)
        self._found()

    async def views(self) -> list[str]:
        """The views all-views mode lists: once discovery has answered, if it can, with those
        the local registry knows (the trash's views learnt first); says how many, from where."""
        self.discover()
        if self._worker is not None:
            try:
                await self._worker.wait()
            except (WorkerCancelled, WorkerFailed):
                pass  # the views known so far, then
        context, catalog = self._context, self._catalog
        connection = context.connection
        await asyncio.to_thread(learn_from_trash, self._trash, path=connection.views_path)
        if catalog.known(known_views(connection.profile, context.application_id, path=connection.views_path)):
            self._bar.set_views(catalog.views, counted=bool(catalog.discovered))
        if (told := catalog.coverage().describe()) != self._told:
            self._told = told
            self._host.notify(f"All views: {told}.", title="Views covered", markup=False)
        return catalog.views
