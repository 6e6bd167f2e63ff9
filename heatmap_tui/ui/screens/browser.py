"""The snapshot browser: filter by view and device, read, create, edit and delete snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlencode

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Select
from textual.worker import Worker

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.rum_models import ViewCount
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import SnapshotPage
from heatmap_tui.core.trash import Trash
from heatmap_tui.ui.screens.browser_delete import DeleteFlow
from heatmap_tui.ui.screens.browser_views import ViewsFlow
from heatmap_tui.ui.session import Clock, Connection, utc_now
from heatmap_tui.ui.widgets.detail_pane import DetailPane
from heatmap_tui.ui.widgets.filter_bar import ANY_DEVICE, DEVICE_OPTIONS, FilterBar, device_value
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.status_line import StatusLine
from heatmap_tui.ui.widgets.table_model import COLUMNS, Row, make_rows

if TYPE_CHECKING:
    # The dialogs are imported by the actions that open them: showing the browser needs none.
    from heatmap_tui.ui.dialogs.snapshot_form import FormResult

SORT_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.key, c.label) for c in COLUMNS)
WRITE_ACTIONS = frozenset({"new", "edit", "delete", "mark", "mark_all", "undo", "cleanup"})
NEEDS_ROW = frozenset({"edit", "delete", "mark", "copy_id", "toggle_json"})
NO_VIEW_YET = "No view yet: type its name above and press enter, or pick a known one with ▾ (v)."


def heatmap_web_url(site: Site, application_id: str, view_name: str, device_type: str | None) -> str:
    """Where the Datadog web app shows the heatmaps of a view."""
    query = {"applicationId": application_id, "viewName": view_name}
    if device_type:
        query["device"] = device_type
    # errors="replace": a view with a lone surrogate (typed, or pasted bytes) has no UTF-8 form.
    return f"{site.web_url}/rum/replay/heatmaps?{urlencode(query, errors='replace')}"


def _sort_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"sort('{key}')", f"Sort by {label.lower()}", show=False, id=f"browser.sort_{n}")
        for n, (key, label) in enumerate(SORT_COLUMNS, start=1)
    ]


class BrowserScreen(ViewsFlow, DeleteFlow, Screen[None]):
    """The heatmap snapshots of one RUM application, one view (or every known view) at a time."""

    DEFAULT_CSS = """
    BrowserScreen {
        layout: vertical;
        #browser-body { height: 1fr; }
        #snapshots { height: 1fr; }
        #detail { height: 9; }
        #detail.-json { height: 1fr; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="browser.new"),
        Binding("e", "edit", "Edit", id="browser.edit"),
        Binding("d", "delete", "Delete", id="browser.delete"),
        Binding("space", "mark", "Mark", id="browser.mark"),
        Binding("A,ctrl+a", "mark_all", "Mark all shown", show=False, id="browser.mark_all"),
        Binding("slash", "search", "Filter", key_display="/", id="browser.search"),
        Binding("v", "pick_view", "View", id="browser.pick_view"),
        Binding("t", "cycle_device", "Device", id="browser.device"),
        Binding("a", "toggle_all_views", "All views", id="browser.all_views"),
        Binding("s", "sort_menu", "Sort", id="browser.sort"),
        *_sort_bindings(),
        Binding("J", "toggle_json", "JSON", id="browser.json"),
        Binding("r", "refresh", "Refresh", id="browser.refresh"),
        Binding("y", "copy_id", "Copy id", show=False, id="browser.copy_id"),
        Binding("o", "open_web", "Open in Datadog", show=False, id="browser.open_web"),
        Binding("escape", "back", "Back / clear", show=False, id="browser.back"),
        Binding("u", "undo", "Undo delete", show=False, id="browser.undo"),
        Binding("T", "trash", "Trash", show=False, id="browser.trash"),
        Binding("c", "cleanup", "Clean up", show=False, id="browser.cleanup"),
    ]

    AUTO_FOCUS = "#snapshots"  # on_mount moves it to the view input when there is no view yet

    class FiltersChanged(Message):
        """The view or device filter changed; the shell may remember them in the config."""

        def __init__(self, view: str | None, device: str | None) -> None:
            super().__init__()
            self.view = view
            self.device = device

    def __init__(
        self,
        connection: Connection,
        application_id: str,
        *,
        application_name: str | None = None,
        views: list[str] | None = None,
        discovered: list[ViewCount] | None = None,
        initial_view: str | None = None,
        initial_device: str | None = None,
        read_only: bool = False,
        clock: Clock = utc_now,
        trash: Trash | None = None,
    ) -> None:
        super().__init__()
        self.connection = connection
        self.application_id = application_id
        self.application_name = application_name or application_id
        self.views: list[str] = list(dict.fromkeys(views or []))
        self.view = (initial_view or (self.views[0] if self.views else "")).strip()
        self.device: str | None = initial_device if device_value(initial_device) != ANY_DEVICE else None
        self._read_only = read_only
        self.clock = clock
        # Every delete copies the snapshot here first (browser_delete.py); the default is the
        # trash at the data dir (HEATMAP_TUI_DATA moves it), the one the CLI uses too.
        self.trash = trash if trash is not None else Trash()
        self.all_views = False
        self.json_mode = False
        self._loads = 0  # which load is the latest: only it may end the loading state
        self._had_row = False
        # The views of the last load whose list came back full: cut at the page limit, perhaps.
        self.cut_views: tuple[str, ...] = ()
        # The app's busiest views with their counts: asked for after the first load (or given).
        self.discovered: list[ViewCount] | None = None
        self._discovery: Worker[None] | None = None
        if self.view and self.view not in self.views:
            self.views.append(self.view)
        if discovered is not None:
            self.discovered = discovered
            self.views = self.known_views

    @property
    def read_only(self) -> bool:
        return self._read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        """The shell may switch it at run time: the write keys come and go with it."""
        self._read_only = value
        if self.is_mounted:
            if value:
                self.table.clear_marks()  # marks only serve a delete
            self.status.set(read_only=value)
            self._update_counts()
            self.refresh_bindings()

    # --- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterBar(self.views, self.view, self.device, id="filters")
        with Vertical(id="browser-body"):
            yield SnapshotTable(empty_message=NO_VIEW_YET, id="snapshots")
            yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def table(self) -> SnapshotTable:
        return self.query_one("#snapshots", SnapshotTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def on_mount(self) -> None:
        site = self.connection.site
        self.status.set(
            site=site.domain if site.is_custom else site.name,
            profile=self.connection.profile,
            application=self.application_name,
            read_only=self.read_only,
        )
        self._update_scope()
        if self.view:
            self.table.focus()
            self.load()
        else:
            self.query_one("#view-input", Input).focus()

    # --- loading -------------------------------------------------------------

    def _scope(self) -> str:
        where = f"all {len(self.views)} views" if self.all_views else (self.view or "no view")
        return f"{where} · {self.device or 'any device'}"

    def _update_scope(self) -> None:
        self.status.set(scope=self._scope())

    def _update_counts(self) -> None:
        table = self.table
        self.status.set(
            shown=table.model.shown_count,
            total=table.model.total_count,
            marked=len(table.marked_ids),
            rate_limit=self.connection.client.rate_limit_info,
        )

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        """List from the server; on failure the table keeps the last good rows."""
        service = self.connection.snapshots
        table = self.table
        device, all_views, view = self.device, self.all_views, self.view
        self._loads += 1
        this_load = self._loads
        self.status.set(loading=True)
        table.loading = True
        now = self.clock()
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
            if all_views:
                views = await self._all_view_names()
                pages = await service.map_views(rows_of, views, device, self.application_id)
                rows = [row for page in pages.values() for row in page]
            else:
                rows = rows_of(view, await service.list(view, device, self.application_id))
        except ApiError as exc:
            if not self._taken_down():
                self._load_failed(exc)
            return
        finally:
            # A newer load cancels this one: the loading state is then the newer one's to end.
            if this_load == self._loads and not self._taken_down():
                table.loading = False
                self.status.set(loading=False, rate_limit=self.connection.client.rate_limit_info)
        if self._taken_down():
            return
        table.empty_message = self._empty_message()
        table.set_rows(rows, now)
        self.cut_views = tuple(v for v in (self.views if all_views else [view]) if v in full)
        if unreadable:  # the core's sentences, already made visible; never markup
            title = "Some snapshots could not be read"
            self.notify(" ".join(unreadable), title=title, severity="warning", timeout=10, markup=False)
        self.status.set(
            refreshed_at=now,
            problem="",
            truncated_limit=limit if full else None,
            truncated_views=tuple(v for v in self.views if v in full) if all_views else (),
        )
        self._update_counts()
        self._show_detail(table.cursor_snapshot)
        self.discover_views(quiet=True)

    def set_application_name(self, name: str) -> None:
        """The application's name, when it is known only after the browser opened."""
        self.application_name = name
        self.status.set(application=name)

    def _taken_down(self) -> bool:
        """Whether the screen closed (or the app quit) while a worker of it was waiting."""
        return not self.is_attached or self._closing or self._pruning

    def _load_failed(self, exc: ApiError) -> None:
        self.discover_views(quiet=True)
        self.notify(str(exc), title="Could not load the snapshots", severity="error", timeout=8)
        total = self.table.model.total_count
        kept = f"Showing the {total} snapshots loaded before. " if total else ""
        self.status.set(problem=f"{kept}{exc}")
        if not self.table.model.total_count:
            self.table.empty_message = "Could not load: press r to try again."

    def _empty_message(self) -> str:
        where = f"the {len(self.views)} known views" if self.all_views else repr(self.view)
        device = f" for {self.device}" if self.device else ""
        hint = "" if self.read_only else " Press n to create one."
        return f"No snapshots in {where}{device}.{hint}"

    # --- detail --------------------------------------------------------------

    def _show_detail(self, snapshot: Snapshot | None) -> None:
        self.detail.show(snapshot, self.clock())

    @on(SnapshotTable.Highlighted)
    def _highlighted(self, event: SnapshotTable.Highlighted) -> None:
        self._show_detail(event.snapshot)
        has_row = event.snapshot is not None
        if has_row != self._had_row:
            # Only then do edit/delete/... change state; the footer redraws are not free.
            self._had_row = has_row
            self.refresh_bindings()

    @on(SnapshotTable.Selected)
    def _selected(self, event: SnapshotTable.Selected) -> None:
        self.action_toggle_json()

    def action_toggle_json(self) -> None:
        self.json_mode = not self.json_mode
        self.detail.set_json_mode(self.json_mode)
        self.detail.set_class(self.json_mode, "-json")

    # --- filters -------------------------------------------------------------

    def _filters_changed(self) -> None:
        self.table.clear_marks()
        self._update_scope()
        self.post_message(self.FiltersChanged(self.view or None, self.device))
        self.load()

    @on(Input.Submitted, "#view-input")
    def _view_submitted(self, event: Input.Submitted) -> None:
        self.apply_view(event.value)

    @on(Button.Pressed, "#view-pick")
    def _view_pick_pressed(self) -> None:
        self.action_pick_view()

    @on(events.DescendantFocus)
    def _view_input_focused(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "view-input":
            self.discover_views()

    @on(Select.Changed, "#device-select")
    def _device_changed(self, event: Select.Changed) -> None:
        device = None if event.value in (ANY_DEVICE, Select.NULL) else str(event.value)
        if device == self.device:
            return
        self.device = device
        self._filters_changed()

    def action_cycle_device(self) -> None:
        values = [value for _, value in DEVICE_OPTIONS]
        current = values.index(device_value(self.device))
        self.query_one("#device-select", Select).value = values[(current + 1) % len(values)]

    def action_toggle_all_views(self) -> None:
        if not self.all_views and not self.views:
            self.notify("No views known yet: type a view name in the filter bar first.", severity="warning")
            return
        self.all_views = not self.all_views
        self.table.clear_marks()
        self._update_scope()
        self.load()

    # --- live filter and sort --------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search-input", Input).focus()

    @on(Input.Changed, "#search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._update_counts()

    @on(Input.Submitted, "#search-input")
    def _search_submitted(self) -> None:
        self.table.focus()

    def action_sort(self, column: str) -> None:
        self.table.sort_by(column)

    def action_sort_menu(self) -> None:
        from heatmap_tui.ui.dialogs.sort_menu import SortMenu

        def picked(column: str | None) -> None:
            if column:
                self.action_sort(column)

        table = self.table
        self.app.push_screen(
            SortMenu(SORT_COLUMNS, table.model.sort_column, table.model.sort_reverse), picked
        )

    # --- marks and going back ------------------------------------------------

    def action_mark(self) -> None:
        table = self.table
        table.toggle_mark()
        table.action_cursor_down()
        self._update_counts()

    def action_mark_all(self) -> None:
        self.table.mark_all_shown()
        self._update_counts()

    def action_back(self) -> None:
        """Leave an input, else clear the marks, else the row filter, else go back a screen."""
        table = self.table
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "view-input":
            focused.value = self.view
            table.focus()
        elif isinstance(focused, Input):
            table.focus()
        elif table.marked_ids:
            table.clear_marks()
            self._update_counts()
        elif table.model.filter_text:
            self.query_one("#search-input", Input).value = ""
        elif len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.dismiss(None)

    # --- refresh, copy, open ---------------------------------------------------

    def action_refresh(self) -> None:
        if not self.view and not self.all_views:
            self.notify(NO_VIEW_YET, severity="warning")
            return
        self.load()

    def action_copy_id(self) -> None:
        snapshot = self.table.cursor_snapshot
        if snapshot is None:
            return
        self.app.copy_to_clipboard(snapshot.id)
        self.notify(f"Copied the id of {snapshot.name!r}: {snapshot.id}")

    def action_open_web(self) -> None:
        snapshot = self.table.cursor_snapshot
        view = snapshot.view_name if snapshot is not None else self.view
        if not view:
            self.notify(NO_VIEW_YET, severity="warning")
            return
        device = snapshot.device_type if snapshot is not None else self.device
        url = heatmap_web_url(self.connection.site, self.application_id, view, device)
        self.app.open_url(url)
        self.notify(url, title="Opening in the Datadog web app")

    # --- create and edit -----------------------------------------------------

    def action_new(self) -> None:
        from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm

        cursor = self.table.cursor_snapshot
        view = cursor.view_name if self.all_views and cursor is not None else self.view
        form = SnapshotForm(
            self.connection.snapshots,
            application_id=self.application_id,
            view_name=view,
            device_type=self.device,
            views=self.known_views,
            rum=self.connection.rum,
            clock=self.clock,
        )
        self.app.push_screen(form, self._form_done)

    def action_edit(self) -> None:
        from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm

        snapshot = self.table.cursor_snapshot
        if snapshot is None:
            return
        form = SnapshotForm(
            self.connection.snapshots,
            application_id=self.application_id,
            snapshot=snapshot,
            views=self.known_views,
            rum=self.connection.rum,
            clock=self.clock,
        )
        self.app.push_screen(form, self._form_done)

    def _form_done(self, result: FormResult | None) -> None:
        if result is None:
            return
        table = self.table
        if result.gone_id is not None:
            table.remove_ids([result.gone_id])
            self.notify("Removed the deleted snapshot from the table.")
        elif result.snapshot is not None and not result.created:
            table.replace_snapshot(result.snapshot)
            self.notify(f"Saved snapshot {result.snapshot.name!r}")
        elif result.snapshot is not None:
            snapshot = result.snapshot
            if self._listed_here(snapshot):
                table.add_snapshot(snapshot)
                index = table.model.index_of(snapshot.id)
                if index is not None:
                    table.move_cursor(index)
                self.notify(f"Created snapshot {snapshot.name!r}")
            else:
                self.notify(
                    f"Created snapshot {snapshot.name!r} in {snapshot.view_name} ({snapshot.device_type}), "
                    "outside the current filter."
                )
        self._update_counts()
        self._show_detail(table.cursor_snapshot)

    def _listed_here(self, snapshot: Snapshot) -> bool:
        views = self.views if self.all_views else [self.view]
        return snapshot.view_name in views and self.device in (None, snapshot.device_type)

    # --- which actions apply now ---------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.read_only:
            return False
        # Runs for every binding on every refresh: ask for the row, not a model built from it.
        if action in NEEDS_ROW and self.is_mounted and self.table.model.cursor_row is None:
            return None  # shown dimmed: there is no row to act on
        return True
