"""The trash's table: every entry (newest first), a cursor and marks, drawn through Textual's line
API so that 20,000 entries cost their list and not 20,000 DataTable rows: only the rows in view
are formatted, when drawn.

Author, Created and Modified are the original's, from the copy: a restore re-creates a snapshot
with a new id, its restorer as author and new dates. On a narrow terminal the columns in
HIDE_ORDER go first, as in the snapshot table; the detail line under the table says them all."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash import EntryState, TrashEntry
from heatmap_tui.core.trash_entries import day
from heatmap_tui.ui.format import fit_cells, format_relative
from heatmap_tui.ui.widgets.row_table import RowTable

EMPTY = "The trash is empty. Snapshots deleted from this app or the CLI are kept here until purged."
READING = "Reading the trash…"
MARK_GLYPH = "●"

# (label, cap on the width its content may ask for); the name takes the slack.
COLUMNS: tuple[tuple[str, int], ...] = (
    (" ", 1),
    ("Deleted", 9),
    ("Name", 0),
    ("View", 30),
    ("Device", 12),
    ("State", 11),
    ("Author", 18),
    ("Created", 10),
    ("Modified", 10),
    ("From", 40),
)
COLUMN_INDEX = {label: i for i, (label, _) in enumerate(COLUMNS)}
_NAME, _STATE = COLUMN_INDEX["Name"], COLUMN_INDEX["State"]
# Hidden in this order while the name would show less than NAME_COMFORT cells (or its content).
HIDE_ORDER = tuple(
    COLUMN_INDEX[label] for label in ("From", "Modified", "View", "Device", "Created", "Author")
)
GAP = 2
PAD = 2  # a cell of padding at each end of a line
NAME_MIN = 12
NAME_COMFORT = 20


class TrashTable(RowTable):
    """The entries (newest first), a cursor and marks; each drawn row formatted when drawn."""

    # j and k keep the ids the trash screen gave them (the keymap documents them); the others
    # are the usual list keys, not remappable.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="trash.down"),
        Binding("k", "cursor_up", "Up", show=False, id="trash.up"),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved, or the rows changed under it."""

        def __init__(self, table: TrashTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> TrashTable:
            return self.table

    def __init__(self, *, clock: Clock = utc_now, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.entries: list[TrashEntry] = []
        self.marked: set[int] = set()  # indexes into entries
        self.cursor_row = 0
        self.empty_message = READING
        self._now = clock()
        self._natural = [len(label) for label, _ in COLUMNS]
        self._layout: tuple[int, list[tuple[int, int]]] | None = None  # (width, its layout)
        self._cells: LRUCache[int, tuple[str, ...]] = LRUCache(1024)
        self._styles: dict[str, Style] | None = None

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def set_entries(self, entries: list[TrashEntry]) -> None:
        """Show `entries`; marks are cleared, the cursor stays on its row number."""
        self.entries, self.marked = entries, set()
        self._now = self.clock()
        self._cells.clear()
        natural = [len(label) for label, _ in COLUMNS]
        if entries:
            # Lengths of the raw strings, at C speed: a wide or escaped one is cut when drawn.
            at = COLUMN_INDEX
            natural[at["Name"]] = max(map(len, (e.name for e in entries)))
            natural[at["View"]] = max(map(len, (e.view_name for e in entries)))
            natural[at["Device"]] = max(map(len, (e.device_type for e in entries)))
            natural[at["State"]] = max(
                [len(state.value) for state in EntryState]
                + [len(e.state_text()) for e in entries if e.reframe is not None]
            )
            natural[at["Author"]] = max(map(len, (e.author or "" for e in entries)))
            natural[at["Created"]] = natural[at["Modified"]] = len("2026-01-05")
            natural[at["From"]] = max(len(e.profile) + 1 + len(e.site) for e in entries)
            sample = [*range(min(50, len(entries))), *range(max(0, len(entries) - 50), len(entries))]
            natural[at["Deleted"]] = max(len(self.cells(i)[at["Deleted"]]) for i in sample)
        # A header is never cut: no column is narrower than its label.
        self._natural = [max(n, len(label)) for n, (label, _) in zip(natural, COLUMNS, strict=True)]
        self._layout = None
        self.empty_message = EMPTY
        self.cursor_row = min(self.cursor_row, max(0, len(entries) - 1))
        # Only the narrowest layout scrolls sideways; wider terminals give the name the slack.
        self.virtual_size = Size(self._line_width(0), len(entries) + 1)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self))

    def cells(self, index: int) -> tuple[str, ...]:
        """The text of each column of a row, made visible (escapes never reach the terminal)."""
        cells = self._cells.get(index)
        if cells is None:
            e = self.entries[index]
            created, modified = e.created_at, e.modified_at
            cells = tuple(
                visible(text)
                for text in (
                    MARK_GLYPH if index in self.marked else " ",
                    format_relative(e.deleted_at, self._now),
                    e.name,
                    e.view_name,
                    e.device_type,
                    e.state_text(),
                    e.author or "",
                    day(created) if created else "",
                    day(modified) if modified else "",
                    f"{e.profile}@{e.site}",
                )
            )
            self._cells[index] = cells
        return cells

    def toggle_mark(self) -> None:
        if not self.entries:
            return
        self.marked ^= {self.cursor_row}
        self._cells.discard(self.cursor_row)
        self.refresh()

    def move_cursor(self, row: int) -> None:
        if not self.entries:
            return
        row = max(0, min(row, len(self.entries) - 1))
        if row != self.cursor_row:
            self.cursor_row = row
            self.refresh()
            self.post_message(self.Highlighted(self))
        self._scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page_rows)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page_rows)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.entries) - 1)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y > 0:
            self.move_cursor(offset.y - 1 + round(self.scroll_y))

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        self._styles = None
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._styles = None
        self.refresh()

    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        rows, top, cursor = self._page_rows, round(self.scroll_y), self.cursor_row
        if cursor < top:
            top = cursor
        elif cursor >= top + rows:
            top = cursor - rows + 1
        top = max(0, min(top, len(self.entries) - rows))
        if top != round(self.scroll_y):
            self.scroll_to(y=top, animate=False, force=True)

    def _columns(self, width: int) -> list[tuple[int, int]]:
        """(column index, width) of each column shown in `width` cells: capped content widths,
        the name takes the rest; the columns of HIDE_ORDER go while it would show too little."""
        if self._layout is not None and self._layout[0] == width:
            return self._layout[1]
        widths = [
            min(natural, cap) if cap else natural
            for natural, (_, cap) in zip(self._natural, COLUMNS, strict=True)
        ]
        shown = list(range(len(COLUMNS)))

        def room() -> int:  # for the name
            return width - sum(widths[i] + GAP for i in shown if i != _NAME) - PAD

        comfortable = min(widths[_NAME], NAME_COMFORT)
        for hidden in HIDE_ORDER:
            if room() >= comfortable:
                break
            shown.remove(hidden)
        widths[_NAME] = max(NAME_MIN, room())
        layout = [(i, widths[i]) for i in shown]
        self._layout = (width, layout)
        return layout

    def _line_width(self, width: int) -> int:
        columns = self._columns(width)
        return sum(w for _, w in columns) + GAP * (len(columns) - 1) + PAD

    def _get_styles(self) -> dict[str, Style]:
        if self._styles is None:
            names = ("header", "cursor", "marked", "dim", "warning")
            styles = self.row_styles(*names)
            self._styles = {"base": self.rich_style, **styles}
        return self._styles

    def render_line(self, y: int) -> Strip:
        styles = self._get_styles()
        width = self.scrollable_content_region.width
        columns = self._columns(width)
        line_width = max(width, self._line_width(width))
        base = styles["base"]
        if y == 0:
            texts = [fit_cells(COLUMNS[i][0], w) for i, w in columns]
            return self._join(texts, [styles["header"]] * len(texts), styles["header"], line_width, width)
        index = y - 1 + round(self.scroll_y)
        if index >= len(self.entries):
            if not self.entries and y == 1 + (self.size.height - 1) // 2:
                message = fit_cells(self.empty_message, min(width, len(self.empty_message)))
                left = Segment(" " * max(0, (width - len(message)) // 2), base)
                return Strip([left, Segment(message, styles["dim"])]).extend_cell_length(width, base)
            return Strip.blank(width, base)
        entry = self.entries[index]
        cursor, marked = index == self.cursor_row, index in self.marked
        row_style = styles["cursor" if cursor else "marked" if marked else "base"]
        state_style = row_style
        if row_style is base and entry.state not in (EntryState.DELETED, EntryState.REFRAMED):
            state_style = styles["warning" if entry.state is EntryState.UNCONFIRMED else "dim"]
        cells = self.cells(index)
        texts = [fit_cells(cells[i], w) for i, w in columns]
        cell_styles = [state_style if i == _STATE else row_style for i, _ in columns]
        return self._join(texts, cell_styles, row_style, line_width, width)

    def _join(self, texts: list[str], styles: list[Style], gap: Style, line_width: int, width: int) -> Strip:
        segments = [Segment(" ", gap)]
        for i, (text, style) in enumerate(zip(texts, styles, strict=True)):
            if i:
                segments.append(Segment(" " * GAP, gap))
            segments.append(Segment(text, style))
        strip = Strip(segments).extend_cell_length(line_width, gap)
        scroll_x = round(self.scroll_x)
        return strip.crop(scroll_x, scroll_x + width) if line_width > width or scroll_x else strip
