"""The trash: every deleted snapshot kept locally, newest first, to restore or forget for good.

A trash of a year of use holds 20,000 entries. The file is read in a thread worker (through the
trash's index, core/trash_journal.py), and the table is drawn through Textual's line API: it
keeps the entries and formats only the rows in view, so opening costs the read and not 20,000
DataTable rows, and keys are answered meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash import EntryState, RestoreReport, Trash, TrashContents, TrashEntry, TrashError
from heatmap_tui.ui.dialogs.confirm_dialog import DEVICE_WIDTH, VIEW_WIDTH, ConfirmDialog
from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress, restored_message
from heatmap_tui.ui.format import fit_cells, format_absolute, format_relative
from heatmap_tui.ui.safe import safe_rich
from heatmap_tui.ui.session import Clock, Connection, utc_now

OLD_AGE = timedelta(days=30)
EMPTY = "The trash is empty. Snapshots deleted from this app or the CLI are kept here until purged."
READING = "Reading the trash…"
PURGE_WARNING = "The trash holds the only copy of a deleted snapshot: a purged one can never be restored."
WRITE_ACTIONS = frozenset({"restore", "purge", "purge_old", "mark"})
STATE_STYLES = {EntryState.DELETED: "", EntryState.UNCONFIRMED: "yellow", EntryState.RESTORED: "dim"}
MARK_GLYPH = "●"


def entries_table(entries: Sequence[TrashEntry]) -> Table:
    """What a purge forgets, for its confirmation."""
    table = Table(box=None, padding=(0, 2, 0, 0), expand=True, show_edge=False, header_style="bold")
    table.add_column("Deleted", no_wrap=True)
    table.add_column("Name", ratio=1, overflow="fold")
    table.add_column("View", overflow="fold", max_width=VIEW_WIDTH)  # caps: see snapshot_table
    table.add_column("Device", no_wrap=True, overflow="ellipsis", max_width=DEVICE_WIDTH)
    table.add_column("State", no_wrap=True)
    for e in entries:
        # The entry's own copies of the names: no read of the journal per row.
        table.add_row(format_absolute(e.deleted_at), safe_rich(e.name), safe_rich(e.view_name),
                      safe_rich(e.device_type), e.state.value)  # fmt: skip
    return table


def restore_target(connection: Connection) -> str:
    """Where a restore goes, in words the status line uses too: `US5 · profile work`."""
    site = connection.site
    return f"{site.domain if site.is_custom else site.name} · profile {connection.profile}"


# --- the table --------------------------------------------------------------------

# (label, cap on the width its content may ask for); the name takes the slack.
COLUMNS: tuple[tuple[str, int], ...] = (
    (" ", 1),
    ("Deleted", 40),
    ("Name", 0),
    ("View", 30),
    ("Device", 12),
    ("State", 11),
    ("From", 40),
)
GAP = 2
NAME_MIN = 12


class TrashTable(ScrollView, can_focus=True):
    """The entries (newest first), a cursor and marks; each drawn row formatted when drawn."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "trash-table--header",
        "trash-table--cursor",
        "trash-table--marked",
        "trash-table--dim",
        "trash-table--warning",
    }

    DEFAULT_CSS = """
    TrashTable {
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .trash-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .trash-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .trash-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .trash-table--marked { background: $warning 15%; color: $text-warning; text-style: bold; }
        & > .trash-table--dim { color: $text-muted; }
        & > .trash-table--warning { color: $text-warning; }
    }
    """

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
            natural[2] = max(map(len, (e.name for e in entries)))
            natural[3] = max(map(len, (e.view_name for e in entries)))
            natural[4] = max(map(len, (e.device_type for e in entries)))
            natural[5] = max(len(state.value) for state in EntryState)
            natural[6] = max(len(e.profile) + 1 + len(e.site) for e in entries)
            sample = [*range(min(50, len(entries))), *range(max(0, len(entries) - 50), len(entries))]
            natural[1] = max(len(self.cells(i)[1]) for i in sample)
        self._natural = natural
        self.empty_message = EMPTY
        self.cursor_row = min(self.cursor_row, max(0, len(entries) - 1))
        self.virtual_size = Size(self._line_width(0), len(entries) + 1)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self))

    def cells(self, index: int) -> tuple[str, ...]:
        """The text of each column of a row, made visible (escapes never reach the terminal)."""
        cells = self._cells.get(index)
        if cells is None:
            e = self.entries[index]
            deleted = f"{format_relative(e.deleted_at, self._now)} · {format_absolute(e.deleted_at)}"
            cells = tuple(
                visible(text)
                for text in (
                    MARK_GLYPH if index in self.marked else " ",
                    deleted,
                    e.name,
                    e.view_name,
                    e.device_type,
                    e.state.value,
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

    def _widths(self, width: int) -> list[int]:
        """Each column's width in `width` cells: capped content widths, the name takes the rest."""
        widths = [
            min(natural, cap) if cap else natural
            for natural, (_, cap) in zip(self._natural, COLUMNS, strict=True)
        ]
        others = sum(widths) - widths[2] + GAP * (len(COLUMNS) - 1) + 2
        widths[2] = max(NAME_MIN, width - others)
        return widths

    def _line_width(self, width: int) -> int:
        return sum(self._widths(width)) + GAP * (len(COLUMNS) - 1) + 2

    def _get_styles(self) -> dict[str, Style]:
        if self._styles is None:
            names = ("header", "cursor", "marked", "dim", "warning")
            styles = {n: self.get_component_rich_style(f"trash-table--{n}") for n in names}
            self._styles = {"base": self.rich_style, **styles}
        return self._styles

    def render_line(self, y: int) -> Strip:
        styles = self._get_styles()
        width = self.scrollable_content_region.width
        widths = self._widths(width)
        line_width = max(width, sum(widths) + GAP * (len(COLUMNS) - 1) + 2)
        base = styles["base"]
        if y == 0:
            texts = [fit_cells(label, w) for (label, _), w in zip(COLUMNS, widths, strict=True)]
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
        if row_style is base and entry.state is not EntryState.DELETED:
            state_style = styles["warning" if entry.state is EntryState.UNCONFIRMED else "dim"]
        texts = [fit_cells(text, w) for text, w in zip(self.cells(index), widths, strict=True)]
        cell_styles = [row_style] * len(texts)
        cell_styles[5] = state_style
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


# --- the screen -------------------------------------------------------------------


class TrashScreen(Screen[bool]):
    """Dismisses with True when something was restored, so the browser lists it again."""

    DEFAULT_CSS = """
    TrashScreen {
        layout: vertical;
        #trash-title { height: 1; padding: 0 1; background: $panel; }
        #trash-table { height: 1fr; }
        #trash-detail { height: auto; max-height: 4; padding: 0 1; background: $panel; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", id="trash.mark"),
        Binding("r", "restore", "Restore", id="trash.restore"),
        Binding("p", "purge", "Purge", id="trash.purge"),
        Binding("P", "purge_old", "Purge > 30 days", id="trash.purge_old"),
        Binding("escape", "back", "Back", id="trash.back"),
    ]

    AUTO_FOCUS = "#trash-table"

    def __init__(
        self, trash: Trash, connection: Connection, *, read_only: bool = False, clock: Clock = utc_now
    ) -> None:
        super().__init__()
        self.trash = trash
        self.connection = connection
        self.read_only = read_only
        self.clock = clock
        self.restored_any = False
        self.loaded = False  # the first read is done

    @property
    def target(self) -> str:
        """Where a restore goes: the connection of the app, whatever site an entry came from."""
        return restore_target(self.connection)

    @property
    def entries(self) -> list[TrashEntry]:
        """Newest first, as shown."""
        return self.table.entries

    @property
    def marked(self) -> set[int]:
        """Indexes into entries."""
        return self.table.marked

    def compose(self) -> ComposeResult:
        yield Static(visible(f"Trash · {READING}"), id="trash-title", markup=False)
        yield TrashTable(clock=self.clock, id="trash-table")
        yield Static(id="trash-detail", markup=False)
        yield Footer()

    @property
    def table(self) -> TrashTable:
        return self.query_one("#trash-table", TrashTable)

    def on_mount(self) -> None:
        self.query_one("#trash-detail").display = False
        self.reload()

    # --- reading ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="trash-read")
    def reload(self) -> None:
        """Read the file off the UI thread; the table takes the result on it."""
        try:
            contents = self.trash.read()
        except TrashError as exc:
            self.app.call_from_thread(
                self.notify, str(exc), title="Could not read the trash", severity="error", timeout=8
            )
            return
        self.app.call_from_thread(self._read_done, contents, list(reversed(contents.entries)))

    def _read_done(self, contents: TrashContents, newest_first: list[TrashEntry]) -> None:
        if contents.bad_lines:
            lines = ", ".join(map(str, contents.bad_lines[:10]))
            self.notify(f"Skipped unreadable lines of {self.trash.path}: {lines}.", severity="warning")
        self.show(newest_first)

    def show(self, entries: list[TrashEntry]) -> None:
        self.loaded = True
        self.table.set_entries(entries)
        self._update_title()
        self._show_detail()
        self.refresh_bindings()

    def _update_title(self) -> None:
        count = len(self.entries)
        marked = f" · {len(self.marked)} marked" if self.marked else ""
        where = "" if self.read_only else f" · r restores into {self.target}"
        self.query_one("#trash-title", Static).update(
            Text.assemble(
                ("Trash", "bold"), visible(f" · {count:,} entr{'y' if count == 1 else 'ies'}{marked}{where}")
            )
        )

    def _show_detail(self) -> None:
        entry = self._cursor_entry()
        detail = self.query_one("#trash-detail", Static)
        detail.display = entry is not None
        if entry is None:
            return
        parts = [f"id {entry.id}", f"batch {entry.batch_id}", f"app {entry.application_id}"]
        if entry.user and entry.host and (entry.user, entry.host) != self.trash.who:
            parts.append(f"deleted by {entry.user}@{entry.host}")  # another user's, or machine's
        if entry.restored_as:
            when = f" on {format_absolute(entry.restored_at)}" if entry.restored_at else ""
            parts.append(f"restored as {entry.restored_as}{when}")
        elif entry.error:
            parts.append(f"the delete failed: {entry.error}")
        elif entry.state is EntryState.UNCONFIRMED:
            parts.append("the delete was never confirmed: a restore first checks the server")
        detail.update(visible(" · ".join(parts)))

    @on(TrashTable.Highlighted, "#trash-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _cursor_entry(self) -> TrashEntry | None:
        entries = self.entries
        row = self.table.cursor_row
        return entries[row] if 0 <= row < len(entries) else None

    def _chosen(self) -> list[TrashEntry]:
        """The marked entries, else the one under the cursor."""
        if self.marked:
            return [self.entries[i] for i in sorted(self.marked)]
        entry = self._cursor_entry()
        return [entry] if entry is not None else []

    # --- actions ---------------------------------------------------------------

    def action_mark(self) -> None:
        table = self.table
        if not self.entries:
            return
        table.toggle_mark()
        table.action_cursor_down()
        self._update_title()

    def action_restore(self) -> None:
        entries = self._chosen()
        if entries:
            restore = RestoreProgress(self.trash, entries, self.connection.snapshots, target=self.target)
            self.app.push_screen(restore, self._restored)

    def _restored(self, report: RestoreReport | None) -> None:
        if report is None:
            return
        self.restored_any = self.restored_any or bool(report.restored)
        severity: SeverityLevel = "error" if report.failed else "warning" if report.skipped else "information"
        self.notify(restored_message(report), severity=severity)
        self.reload()

    def action_purge(self) -> None:
        chosen = {e.id for e in self._chosen()}
        # Trash.purge forgets a snapshot id in every batch: list each entry that goes.
        self._confirm_purge([e for e in self.entries if e.id in chosen], ids=chosen)

    def action_purge_old(self) -> None:
        cutoff = self.clock() - OLD_AGE
        old = [e for e in self.entries if e.deleted_at < cutoff]
        if not old:
            self.notify("Nothing in the trash was deleted more than 30 days ago.")
            return
        self._confirm_purge(old, older_than=OLD_AGE)

    def _confirm_purge(
        self, entries: list[TrashEntry], *, ids: set[str] | None = None, older_than: timedelta | None = None
    ) -> None:
        if not entries:
            return
        count = len(entries)
        what = "1 snapshot" if count == 1 else f"these {count} snapshots"
        when = " (deleted more than 30 days ago)" if older_than is not None else ""
        dialog = ConfirmDialog(
            title="Purge from the trash",
            question=f"Forget {what}{when} for good?",
            items=entries_table(entries),
            warning=PURGE_WARNING,
            confirm_label="Purge" if count == 1 else f"Purge {count}",
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._purge(ids, older_than, self.clock())

        self.app.push_screen(dialog, confirmed)

    @work(thread=True, exclusive=True, group="trash-purge")
    def _purge(self, ids: set[str] | None, older_than: timedelta | None, now: datetime) -> None:
        try:
            result = self.trash.purge(older_than, ids, now=now)
        except TrashError as exc:
            self.app.call_from_thread(
                self.notify, str(exc), title="Could not purge", severity="error", timeout=8
            )
            return
        count = len(result.purged)
        self.app.call_from_thread(
            self.notify, f"Purged {count} snapshot{'' if count == 1 else 's'} from the trash."
        )
        self.app.call_from_thread(self.reload)

    def action_back(self) -> None:
        self.dismiss(self.restored_any)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.read_only:
            return False
        if action in WRITE_ACTIONS and self.is_mounted and not self.entries:
            return None
        return True
