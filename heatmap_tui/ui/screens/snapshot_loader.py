"""The browser's loads: the snapshots of its scope, listed from the server into its table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.snapshots import SnapshotPage
from heatmap_tui.ui.screens.browser_context import BrowserContext
from heatmap_tui.ui.screens.view_chooser import ViewChooser
from heatmap_tui.ui.widgets.busy import busy_after
from heatmap_tui.ui.widgets.status_line import StatusLine
from heatmap_tui.ui.widgets.table_model import Row, make_rows


class SnapshotLoader:
    """Lists the browser's scope into its table, one load at a time: a newer load cancels the
    one running. A load slower than BUSY_DELAY shows the table busy, and "loading…" in the
    status line, until it ends. On failure the table keeps the last good rows.

    `views` says which views all-views mode lists; `taken_down` whether the screen closed
    meanwhile; `loaded` is called when rows came."""

    def __init__(
        self,
        context: BrowserContext,
        status: StatusLine,
        views: ViewChooser,
        *,
        taken_down: Callable[[], bool],
        loaded: Callable[[], None],
        after: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._context = context
        self._status = status
        self._views = views
        self._taken_down = taken_down
        self._loaded = loaded
        self._after = after  # more work on the rows shown, in this load (the stale look-ups)
        self._loads = 0  # which load is the latest: only its answer tells the API headroom

    def load(self) -> None:
        self._context.host.run_worker(self._load(), name="load", group="load", exclusive=True)

    async def _load(self) -> None:
        context = self._context
        service, client = context.connection.snapshots, context.connection.client
        table, status, catalog = context.table, self._status, context.catalog
        scope = context.scope()
        self._loads += 1
        this_load = self._loads
        now = context.clock()
        limit = service.page_limit
        full: list[str] = []  # the views whose page may have been cut short
        unreadable: list[str] = []  # what the server sent that could not be read, per view

        def rows_of(view: str, page: SnapshotPage) -> list[Row]:
            # Each page becomes rows as it arrives, and its models go (see TableModel).
            if page.may_be_truncated:
                full.append(view)
            if (message := page.skipped_message(view)) is not None:
                unreadable.append(message)
            return make_rows(page.items, now)

        try:
            with busy_after(table, sign=self._show_loading):
                if scope.all_views:
                    views = await self._views.views()
                    pages = await service.map_views(rows_of, views, scope.device, context.application_id)
                    rows = [row for page in pages.values() for row in page]
                else:
                    # The connection's: a resumed start's list was sent before this screen was built.
                    page = await context.connection.list_snapshots(
                        scope.view, scope.device, context.application_id
                    )
                    rows = rows_of(scope.view, page)
        except ApiError as exc:
            if not self._taken_down():
                self._failed(exc)
            return
        finally:
            # A newer load cancels this one: the headroom is then the newer one's to tell.
            if this_load == self._loads and not self._taken_down():
                status.set(rate_limit=client.rate_limit_info)
        if self._taken_down():
            return
        table.empty_message = self._empty_message()
        table.set_rows(rows, now)
        catalog.listed(catalog.views if scope.all_views else [scope.view], full)
        if unreadable:  # the core's sentences, already made visible; never markup
            title = "Some snapshots could not be read"
            context.host.notify(
                " ".join(unreadable), title=title, severity="warning", timeout=10, markup=False
            )
        status.set(
            refreshed_at=now,
            problem="",
            truncated_limit=limit if full else None,
            truncated_views=catalog.cut if scope.all_views else (),
        )
        self._loaded()
        self._views.discover(quiet=True)  # once these rows are painted (ViewChooser.discover)
        if self._after is not None:
            await self._after()

    def _show_loading(self, shown: bool) -> None:
        self._status.set(loading=shown)

    def _failed(self, exc: ApiError) -> None:
        table = self._context.table
        self._views.discover(quiet=True)
        self._context.host.notify(str(exc), title="Could not load the snapshots", severity="error", timeout=8)
        total = table.model.total_count
        kept = f"Showing the {total} snapshots loaded before. " if total else ""
        self._status.set(problem=f"{kept}{exc}")
        if not total:
            table.empty_message = "Could not load: press r to try again."

    def _empty_message(self) -> str:
        scope = self._context.scope()
        where = f"the {len(self._context.catalog.views)} known views" if scope.all_views else repr(scope.view)
        device = f" for {scope.device}" if scope.device else ""
        hint = "" if scope.read_only else " Press n to create one."
        return f"No snapshots in {where}{device}.{hint}"
