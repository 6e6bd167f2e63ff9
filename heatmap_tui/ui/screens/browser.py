"""The snapshot browser: filter by view and device, read, create, edit and delete snapshots.

Widgets post what the person did, reactives hold what is shown, parts do the work (loads, views,
forms, deletes), each given what it needs: a BrowserContext, and callables of the screen."""

from __future__ import annotations

from typing import ClassVar, TypeAlias

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.screen import Screen

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.rum_models import ViewCount
from heatmap_tui.core.trash import Trash
from heatmap_tui.ui.forms import listed_device, listed_view
from heatmap_tui.ui.screens.browser_context import BrowserContext, Scope
from heatmap_tui.ui.screens.browser_keys import BROWSER_BINDINGS, SORT_KEYS, action_state
from heatmap_tui.ui.screens.browser_place import PositionChanged, Sort
from heatmap_tui.ui.screens.delete_controller import DeleteController
from heatmap_tui.ui.screens.form_controller import FormController
from heatmap_tui.ui.screens.reframe_controller import ReframeController
from heatmap_tui.ui.screens.row_actions import NO_VIEW_YET, RowActions
from heatmap_tui.ui.screens.snapshot_loader import SnapshotLoader
from heatmap_tui.ui.screens.stale_marker import StaleMarker
from heatmap_tui.ui.screens.view_chooser import ViewChooser
from heatmap_tui.ui.widgets.detail_pane import DetailPane
from heatmap_tui.ui.widgets.filter_bar import FilterBar
from heatmap_tui.ui.widgets.key_footer import KeyFooter
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.status_line import StatusLine
from heatmap_tui.ui.widgets.view_catalog import ViewCatalog


class BrowserScreen(Screen["BrowserScreen.PositionChanged | None"]):
    """The heatmap snapshots of one RUM application, one view (or every known view) at a time."""

    DEFAULT_CSS = """
    BrowserScreen {
        layout: vertical;
        #browser-body { height: 1fr; }
        #snapshots { height: 1fr; }
        #detail { height: 9; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = BROWSER_BINDINGS  # browser_keys.py: ids, keys, tooltips

    AUTO_FOCUS = "#snapshots"  # on_mount moves it to the view input when there is no view yet

    # What is shown; the footer follows each (bindings=True), the watchers do the rest.
    view: reactive[str] = reactive("", bindings=True, init=False)
    device: reactive[str | None] = reactive[str | None](None, bindings=True, init=False)
    all_views: reactive[bool] = reactive(False, bindings=True, init=False)
    read_only: reactive[bool] = reactive(False, bindings=True, init=False)
    has_row: reactive[bool] = reactive(False, bindings=True, init=False)  # edit, delete... apply

    PositionChanged: TypeAlias = PositionChanged  # browser_place.py

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
        initial_sort: Sort | None = None,
        initial_filter: str = "",
        initial_cursor_id: str | None = None,
        read_only: bool = False,
        clock: Clock = utc_now,
        trash: Trash | None = None,
    ) -> None:
        super().__init__()
        self.connection = connection
        self.application_id = application_id
        self.application_name = application_name or application_id
        self.clock = clock
        view = listed_view(initial_view or (views[0] if views else ""))  # as Place.first_list reads it
        self.catalog = ViewCatalog([*(views or []), view], discovered)
        self.set_reactive(BrowserScreen.view, view)
        self.set_reactive(BrowserScreen.device, listed_device(initial_device))
        self.set_reactive(BrowserScreen.read_only, read_only)
        # A remembered sort by a column this version does not have is dropped.
        self._initial_sort = initial_sort if initial_sort and initial_sort[0] in SORT_KEYS else None
        self._initial_filter = initial_filter
        self._initial_cursor_id = initial_cursor_id  # put back once the first rows are in
        # Every delete copies the snapshot here first; by default to the data dir's, the CLI's too.
        self.trash = trash if trash is not None else Trash()
        self.filter_bar = FilterBar(
            self.views, view, self.device, on_search=self._search_changed, id="filters"
        )
        self.table = SnapshotTable(empty_message=NO_VIEW_YET, id="snapshots")
        self.detail = DetailPane(id="detail", stale_of=self.table.model.stale.evidence)
        self.status = StatusLine(id="status")
        ctx = BrowserContext(self, self.table, connection, application_id, clock, self.catalog, self.scope)
        self.chooser = ViewChooser(
            ctx, self.filter_bar, chosen=self._view_chosen, found=self._update_scope, trash=self.trash
        )
        self.stale = StaleMarker(ctx, self.status, changed=self._rows_changed, taken_down=self._taken_down)
        self.loader = SnapshotLoader(
            ctx,
            self.status,
            self.chooser,
            taken_down=self._taken_down,
            loaded=self._rows_changed,
            after=self.stale.look_up,
        )
        self.forms = FormController(ctx, changed=self._rows_changed)
        self.deletes = DeleteController(
            ctx, self.trash, changed=self._rows_changed, refresh=self.action_refresh
        )
        self.rows = RowActions(ctx, read_only=lambda: self.read_only, saved=self.forms.saved)
        self.reframes = ReframeController(
            ctx, self.trash, journaled=self.deletes.remember_reframe, changed=self._rows_changed
        )

    @property
    def views(self) -> list[str]:  # those all-views mode lists
        return self.catalog.views

    def scope(self) -> Scope:
        return Scope(self.view, self.device, self.all_views, self.read_only)

    def compose(self) -> ComposeResult:
        yield self.filter_bar
        with Vertical(id="browser-body"):
            yield self.table
            yield self.detail
        yield self.status
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._initial_sort is not None:
            self.table.sort_by(*self._initial_sort)
        if self._initial_filter:
            self.filter_bar.show_search(self._initial_filter)
        site, profile, name = self.connection.site, self.connection.profile, self.application_name
        self.status.set(site=site.short_label, profile=profile, application=name, read_only=self.read_only)
        self._update_scope()
        if self.view:
            self.table.focus()
            self.loader.load()
        else:
            self.filter_bar.focus_view()

    def set_application_name(self, name: str) -> None:
        """The application's name, when it is known only after the browser opened."""
        self.application_name = name
        self.status.set(application=name)

    def watch_read_only(self, read_only: bool) -> None:
        """The shell may switch it at run time: the write keys come and go with it."""
        if not self.is_mounted:
            return
        if read_only:
            self.table.clear_marks()  # marks only serve a delete
        self.status.set(read_only=read_only)
        self._update_counts()

    def watch_view(self) -> None:
        self._filters_changed(remember=True)

    watch_device = watch_view

    def watch_all_views(self) -> None:
        self._filters_changed(remember=False)

    def _filters_changed(self, *, remember: bool) -> None:
        if marked := len(self.table.marked_ids):  # the rows they were on go with the old list
            self.notify(f"{marked} mark{'s' if marked != 1 else ''} cleared: the list changed.", markup=False)
        self.table.clear_marks()
        self.stale.cancel()
        self._update_scope()
        if remember:
            self._post_position()
        self.loader.load()

    def _post_position(self) -> None:
        self.post_message(self.place())

    def place(self) -> BrowserScreen.PositionChanged:
        """Where the person stands here: what the shell remembers, and gives back on a return."""
        model = self.table.model
        sort = None if model.sort_column is None else (model.sort_column, model.sort_reverse)
        cursor = self.table.cursor_snapshot
        return self.PositionChanged(
            self.view or None, self.device, sort, model.filter_text, cursor.id if cursor is not None else None
        )

    def _update_scope(self) -> None:
        where = f"all {len(self.views)} views" if self.all_views else (self.view or "no view")
        self.filter_bar.show_all_views(len(self.views) if self.all_views else None, self.view)
        self.status.set(scope=f"{where} · {self.device or 'any device'}")

    def _update_counts(self) -> None:
        model, rate = self.table.model, self.connection.client.rate_limit_info
        marked, hidden = len(self.table.marked_ids), len(model.marked_hidden_ids)
        self.status.set(
            shown=model.shown_count,
            total=model.total_count,
            marked=marked,
            marked_hidden=hidden,
            range_marking=self.table.range_marking,
            rate_limit=rate,
        )

    def _rows_changed(self) -> None:
        if self._initial_cursor_id is not None:
            index = self.table.model.index_of(self._initial_cursor_id)
            self._initial_cursor_id = None
            if index is not None:
                self.table.move_cursor(index)
        self._update_counts()
        self.detail.show(self.table.cursor_snapshot, self.clock())
        self.stale.rows_changed()

    def on_snapshot_table_highlighted(self, event: SnapshotTable.Highlighted) -> None:
        self._show_detail(event.snapshot)

    def _show_detail(self, snapshot: Snapshot | None) -> None:
        """The cursor's row in the detail pane (once: a keystroke in the row filter shows it in
        its own step, and the table's Highlighted message comes after)."""
        if snapshot != self.detail.snapshot:  # rows make a new Snapshot object on each look
            self.detail.show(snapshot, self.clock())
        self.has_row = snapshot is not None

    @on(SnapshotTable.Selected)
    def _row_chosen(self) -> None:
        self.action_open_detail()

    def action_open_detail(self, json_mode: bool = False) -> None:
        self.rows.open_detail(json_mode=json_mode)

    def _taken_down(self) -> bool:
        """Whether the screen closed (or the app quit) while a worker of it was waiting."""
        return not self.is_attached or self._closing or self._pruning

    def apply_view(self, name: str) -> None:
        self.chooser.choose(name)

    def _view_chosen(self, name: str) -> None:
        self.table.focus()
        if name != self.view:
            # Leaving all-views mode is part of choosing the view: one load, for the view.
            self.set_reactive(BrowserScreen.all_views, False)
            self.view = name
        else:
            self.all_views = False

    def on_filter_bar_view_chosen(self, event: FilterBar.ViewChosen) -> None:
        self.apply_view(event.view)

    @on(FilterBar.PickViewWanted)
    def action_pick_view(self) -> None:
        self.chooser.pick()

    def on_filter_bar_view_input_focused(self) -> None:
        self.chooser.discover()

    def on_filter_bar_device_changed(self, event: FilterBar.DeviceChanged) -> None:
        self.device = event.device

    def action_cycle_device(self) -> None:
        self.filter_bar.cycle_device()

    def action_toggle_all_views(self) -> None:
        if not self.all_views and not self.views:
            self.notify("No views known yet: type a view name in the filter bar first.", severity="warning")
            return
        self.all_views = not self.all_views

    def action_refresh(self) -> None:
        if not self.view and not self.all_views:
            self.notify(NO_VIEW_YET, severity="warning")
            return
        self.loader.load()

    def action_search(self) -> None:
        self.filter_bar.focus_search()

    def _search_changed(self, text: str) -> None:
        """The row filter's text, as it is typed (FilterBar's on_search)."""
        self.table.set_filter(text)
        self._update_counts()
        self._show_detail(self.table.cursor_snapshot)  # in the same frame as the table

    def on_filter_bar_search_done(self) -> None:
        self.table.focus()

    def action_sort(self, column: str) -> None:
        self.table.sort_by(column)

    def on_snapshot_table_sorted(self) -> None:
        self._post_position()

    def action_sort_menu(self) -> None:
        self.rows.sort_menu()

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor_down()
        self._update_counts()

    def action_mark_all(self) -> None:
        self.table.mark_all_shown()
        self._update_counts()

    def action_range_mark(self) -> None:
        self.table.end_range() if self.table.range_marking else self.table.start_range()

    def action_invert_marks(self) -> None:
        self.table.invert_marks_shown()

    def on_snapshot_table_marks_changed(self) -> None:  # range marking, inverting
        self._update_counts()

    def action_back(self) -> None:
        """Back to the table from any other part, else end range marking, else clear the marks, else
        the row filter, else go back a screen."""
        table = self.table
        if self.filter_bar.editing_view:
            self.filter_bar.show_view(self.view)
            table.focus()
        elif self.focused is not table:  # an input, the device list, the details: back to the rows
            table.focus()
        elif table.range_marking:  # the marks stay
            table.end_range()
        elif table.marked_ids:
            table.clear_marks()
            self._update_counts()
        elif table.model.filter_text:
            self.filter_bar.clear_search()
        elif len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.dismiss(self.place())

    def action_copy_id(self) -> None:
        self.rows.copy_id()

    def action_open_web(self) -> None:
        self.rows.open_web()

    def action_new(self) -> None:
        self.forms.new()

    def action_edit(self) -> None:
        self.forms.edit()

    def action_delete(self) -> None:
        self.deletes.delete_cursor_or_marked()

    def action_undo(self) -> None:
        self.deletes.undo()

    def action_trash(self) -> None:
        self.deletes.open_trash()

    def action_cleanup(self) -> None:
        self.deletes.clean_up()

    def action_reframe(self) -> None:
        self.reframes.reframe_cursor_or_marked()

    def action_stale_filter(self) -> None:
        self.stale.cycle_filter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Runs for every binding on every refresh: ask for the row, not a model built from it.
        no_row = self.is_mounted and self.table.model.cursor_row is None
        return action_state(action, read_only=self.read_only, no_row=no_row)
