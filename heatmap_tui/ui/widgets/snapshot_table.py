"""SnapshotTable: the snapshot browser's table, drawn through Textual's line API.

DataTable builds objects per row and measures every cell on clear/add: about a
second for 10,000 rows. This widget keeps rows in a TableModel and paints only
the lines in view, like Toolong's LogLines, so a filter keystroke costs a list
comprehension and a few dozen strips, most of them cached.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.widgets.marks import MarkRange, invert_shown
from heatmap_tui.ui.widgets.row_table import RowTable
from heatmap_tui.ui.widgets.table_lines import Frame, empty_strip, header_strip, row_strip
from heatmap_tui.ui.widgets.table_model import Layout, Row, TableModel, compute_layout


class SnapshotTable(RowTable):
    """A sortable, filterable, markable table of snapshots under a fixed header line.

    Read state from `model` (filter_text, sort_column, sort_reverse, shown_count,
    total_count); change it through the methods here so the screen follows.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="snapshot_table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="snapshot_table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="snapshot_table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="snapshot_table.page_down"),
        Binding("home,g", "first", "First", show=False, tooltip="First row", id="snapshot_table.first"),
        Binding("end,G", "last", "Last", show=False, tooltip="Last row", id="snapshot_table.last"),
        Binding(
            "enter",
            "select",
            "Open",
            show=False,
            tooltip="The snapshot full screen",
            id="snapshot_table.select",
        ),
    ]

    FREEZE_GC_ON_LOAD: ClassVar[bool] = True
    """After each load, hide the live objects from the cyclic GC (see set_snapshots).

    The trade Textual makes with App.PAUSE_GC_ON_SCROLL: smooth frames over collections
    that would find nothing in long-lived data. Tests and apps may turn it off."""

    class _SnapshotMessage(Message):
        def __init__(self, table: SnapshotTable, snapshot: Snapshot | None) -> None:
            super().__init__()
            self.table = table
            self.snapshot = snapshot

        @property
        def control(self) -> SnapshotTable:
            return self.table

    class Highlighted(_SnapshotMessage):
        """The cursor is on another snapshot, or on none when nothing is shown."""

    class Selected(_SnapshotMessage):
        """The cursor row was chosen: enter, or a click on the cursor row."""

        snapshot: Snapshot

    class MarksChanged(Message):
        """The table changed the marks by itself: range marking (started, followed the cursor,
        ended; see range_marking), or an inversion."""

    class Sorted(Message):
        """The rows were sorted by `column`, descending if `reverse`: by a key, or a click."""

        def __init__(self, table: SnapshotTable, column: str, reverse: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.reverse = reverse

        @property
        def control(self) -> SnapshotTable:
            return self.table

    def __init__(
        self,
        *,
        empty_message: str = "No snapshots",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.model = TableModel()
        self._range = MarkRange(self.model)
        self._empty_message = visible(empty_message)
        # Strips per (row id, line width, cursor, marked); cleared when the layout changes,
        # which every change of row text causes (see _get_layout).
        self._strips: LRUCache[tuple[str, int, bool, bool], Strip] = LRUCache(1024)
        self._layout: Layout | None = None
        self._layout_key = (0, -1)
        self._styles: dict[str, Style] | None = None
        self._highlighted: Row | None = None
        self._frame: Frame | None = None
        self._frozen = False  # whether a load of this table has frozen the GC

    # --- public API ------------------------------------------------------

    @property
    def cursor_snapshot(self) -> Snapshot | None:
        return self.model.cursor_snapshot

    @property
    def cursor_row(self) -> int:
        return self.model.cursor

    @property
    def marked_ids(self) -> frozenset[str]:
        return self.model.marked_ids

    @property
    def marked_snapshots(self) -> list[Snapshot]:
        return self.model.marked_snapshots

    @property
    def empty_message(self) -> str:
        return self._empty_message

    @empty_message.setter
    def empty_message(self, message: str) -> None:
        self._empty_message = visible(message)  # it names the view, drawn as it is (no markup)
        self.refresh()

    def set_snapshots(self, snapshots: Iterable[Snapshot], now: datetime | None = None) -> None:
        """Load rows; `now` pins relative times (tests). The cursor keeps its snapshot id."""
        self.model.load(snapshots, now)
        self._loaded()

    def set_rows(self, rows: list[Row], now: datetime) -> None:
        """As set_snapshots, with rows made by table_model.make_rows at `now`."""
        self.model.load_rows(rows, now)
        self._loaded()

    def _loaded(self) -> None:
        if self.FREEZE_GC_ON_LOAD:
            # 10,000 rows are ~20,000 objects that every full collection would walk: pauses
            # while typing a filter. Unfreezing first lets the previous load's garbage go, so
            # nothing leaks; the first load has none, and skips the collection.
            if self._frozen:
                gc.unfreeze()
                gc.collect()
            gc.freeze()
            self._frozen = True
        self._data_changed()

    def set_filter(self, text: str) -> None:
        """Show only rows containing every word of `text`, ignoring case; marks stay."""
        if self.model.set_filter(text):
            self._data_changed()

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by a column key (name, view, device, start, author, modified, id); again flips,
        unless `reverse` says the order."""
        self.model.sort_by(column, reverse)
        self._data_changed()
        self.post_message(self.Sorted(self, column, self.model.sort_reverse))

    def set_stale(self, verdicts: dict[str, dict[str, str]]) -> None:
        """The rows' stale reasons and evidence (stale_marks.py): their badges, sort and filter."""
        self.model.set_stale(verdicts)
        self._data_changed()

    def stale_failed(self) -> None:
        """The look-ups failed: the rows not judged show `?`."""
        self.model.stale_failed()
        self._data_changed()

    def cycle_stale_filter(self) -> str | None:
        """All rows, the stale ones, then those of each reason; returns the step now in force."""
        step = self.model.cycle_stale_filter()
        self._data_changed()
        return step

    def replace_snapshot(self, snapshot: Snapshot) -> None:
        if self.model.replace(snapshot):
            self._data_changed()

    def add_snapshot(self, snapshot: Snapshot) -> None:
        self.model.add(snapshot)
        self._data_changed()

    def remove_ids(self, ids: Iterable[str]) -> None:
        if self.model.remove_ids(ids):
            self._data_changed()

    @property
    def range_marking(self) -> bool:
        """Whether the rows from where it started to the cursor are marked as the cursor moves."""
        return self._range.active

    def start_range(self) -> None:
        """Mark from the cursor row to wherever the cursor goes, until end_range or another
        change of the marks or the rows."""
        self._range.start()
        self.refresh()
        self.post_message(self.MarksChanged())

    def end_range(self) -> None:
        """Stop range marking; the marks stay."""
        if self._range.active:
            self._range.stop()
            self.post_message(self.MarksChanged())

    # Any other change of the marks ends range marking: it would undo them on the next move.

    def toggle_mark(self) -> None:
        self.end_range()
        row = self.model.cursor_row
        if row is not None:
            self.model.toggle_mark(row.id)
            self.refresh_line(self.model.cursor + 1)

    def mark_all_shown(self) -> None:
        self.end_range()
        self.model.mark_all_shown()
        self.refresh()

    def invert_marks_shown(self) -> None:
        """Flip the marks of the rows shown; those the row filter hides keep theirs."""
        self.end_range()
        invert_shown(self.model)
        self.refresh()
        self.post_message(self.MarksChanged())

    def clear_marks(self) -> None:
        self.end_range()
        self.model.clear_marks()
        self.refresh()

    def move_cursor(self, index: int) -> None:
        old = self.model.cursor
        if self.model.set_cursor(index):
            self.refresh_line(old + 1)
            self.refresh_line(self.model.cursor + 1)
        if self._range.follow():
            self.refresh()
            self.post_message(self.MarksChanged())
        self._scroll_to_cursor()
        self._post_highlighted()

    # --- actions and events ------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(self.model.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.model.cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.model.cursor - self._page_rows)

    def action_page_down(self) -> None:
        self.move_cursor(self.model.cursor + self._page_rows)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.model.shown_count - 1)

    def action_select(self) -> None:
        snapshot = self.model.cursor_snapshot
        if snapshot is not None:
            self.post_message(self.Selected(self, snapshot))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:  # the header: sort by the column clicked
            x = offset.x + round(self.scroll_x)
            for column, start, width in self._get_layout().cells[1:]:
                if start <= x < start + width:
                    self.sort_by(column.key)
            return
        index = offset.y - 1 + round(self.scroll_y)
        if index == self.model.cursor:
            self.action_select()
        elif index < self.model.shown_count:
            self.move_cursor(index)

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    def _on_focus(self, event: events.Focus) -> None:
        self._restyle()

    def _on_blur(self, event: events.Blur) -> None:
        self._restyle()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def _restyle(self) -> None:
        # Cursor colours depend on :focus and the theme, both baked into cached strips.
        self._styles = None
        self._strips.clear()
        self.refresh()

    # --- internals -------------------------------------------------------

    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _data_changed(self) -> None:
        self.end_range()  # it spans rows in the order shown, which this may have changed
        # Only the squeezed minimum width scrolls; wider terminals give the name the slack.
        minimum = compute_layout(self.model.natural_widths(), 0).width
        self._set_virtual_size(Size(minimum, self.model.shown_count + 1))
        self._scroll_to_cursor()
        self.refresh()
        self._post_highlighted()

    def _set_virtual_size(self, size: Size) -> None:
        """Set virtual_size, skipping the screen layout it triggers when no scrollbar
        appears or goes: that layout repaints every widget and doubled a filter frame."""
        old, (_, height) = self.virtual_size, self.container_size
        if size == old:
            return
        bar_stays = height > 0 and min(old.height, size.height) > height
        if size.width == old.width and bar_stays and self.show_vertical_scrollbar:
            self.set_reactive(SnapshotTable.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
        else:
            self.virtual_size = size

    def _post_highlighted(self) -> None:
        row = self.model.cursor_row
        if row is not self._highlighted:
            self._highlighted = row
            self.post_message(self.Highlighted(self, row.snapshot if row is not None else None))

    def _scroll_to_cursor(self) -> None:
        rows, top, cursor = self._page_rows, round(self.scroll_y), self.model.cursor
        if cursor < top:
            top = cursor
        elif cursor >= top + rows:
            top = cursor - rows + 1
        top = max(0, min(top, self.model.shown_count - rows))
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, force=True)

    def _get_layout(self) -> Layout:
        # Not self.size: that includes the vertical scrollbar, which would hide the last column.
        key = (self.scrollable_content_region.width, self.model.version)
        if self._layout is None or key != self._layout_key:
            self._layout = compute_layout(self.model.natural_widths(), key[0])
            self._layout_key = key
            self._strips.clear()
        return self._layout

    def _get_styles(self) -> dict[str, Style]:
        if self._styles is None:
            names = ("header", "cursor", "marked", "dim")
            styles = self.row_styles(*names)
            self._styles = {"base": self.rich_style, **styles}
        return self._styles

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame = self._frame_state()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_state(self) -> Frame:
        width, height = self.size
        layout = self._get_layout()
        # Lines span the scrollbar's cells too, so that they need no padding per frame.
        line_width = max(width, layout.width)
        styles = self._get_styles()
        return Frame(width, height, line_width, layout, styles, round(self.scroll_x), round(self.scroll_y))

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._frame_state()
        index = y - 1 + frame.scroll_y
        if y == 0:
            strip = header_strip(self.model, frame)
        elif index < self.model.shown_count:
            strip = self._render_row(index, frame)
        elif not self.model.shown_count and y == 1 + (frame.height - 1) // 2:
            return empty_strip(self._empty_message, frame)
        else:
            return Strip.blank(frame.width, frame.styles["base"])
        if frame.line_width == frame.width:
            return strip
        return strip.crop_extend(frame.scroll_x, frame.scroll_x + frame.width, frame.styles["base"])

    def _render_row(self, index: int, frame: Frame) -> Strip:
        row = self.model.shown[index]
        cursor = index == self.model.cursor
        marked = self.model.is_marked(row.id)
        key = (row.id, frame.line_width, cursor, marked)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = row_strip(self.model, row, frame, cursor=cursor, marked=marked)
        return strip
