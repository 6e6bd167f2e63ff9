"""The trash: every deleted snapshot kept locally, newest first, to restore or forget for good.

A trash of a year of use holds 20,000 entries. The file is read in a thread worker (through the
trash's index, core/trash_journal.py), and the table (widgets/trash_table.py) formats only the
rows in view, so opening costs the read, and keys are answered meanwhile. Restore and purge are
the TrashController's (trash_controller.py).

A restore is a create (the API has no undelete): it comes back with a new id, the user as author
and today's date. The screen says so, and shows each entry's original author and dates.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash import EntryState, Trash, TrashContents, TrashEntry, TrashError
from heatmap_tui.ui.format import format_absolute
from heatmap_tui.ui.screens.trash_controller import TrashController
from heatmap_tui.ui.widgets.busy import busy_after
from heatmap_tui.ui.widgets.key_footer import KeyFooter
from heatmap_tui.ui.widgets.trash_table import READING, TrashTable

WRITE_ACTIONS = frozenset({"restore", "purge", "purge_old", "mark"})
RESTORE_NOTE = (
    "Restored, a snapshot gets a new id, you as author and today's date (the API allows no other); "
    "Author, Created and Modified here are the original's."
)


class TrashScreen(Screen[bool]):
    """Dismisses with True when something was restored, so the browser lists it again."""

    DEFAULT_CSS = """
    TrashScreen {
        layout: vertical;
        #trash-title { height: 1; padding: 0 1; background: $panel; }
        #trash-note { height: auto; padding: 0 1; background: $panel; color: $text-muted; }
        #trash-table { height: 1fr; }
        #trash-detail { height: auto; max-height: 4; padding: 0 1; background: $panel; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", tooltip="Mark for restore or purge", id="trash.mark"),
        Binding(
            "r",
            "restore",
            "Restore",
            tooltip="Restore the entry (or the marked ones) into this connection",
            id="trash.restore",
        ),
        Binding(
            "p", "purge", "Purge", tooltip="Purge the entry (or the marked ones) for good", id="trash.purge"
        ),
        Binding(
            "P",
            "purge_old",
            "Purge > 30 days",
            tooltip="Purge what was deleted more than 30 days ago",
            id="trash.purge_old",
        ),
        Binding("escape", "back", "Back", tooltip="Back to the browser", id="trash.back"),
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
        self.loaded = False  # the first read is done
        self.actions = TrashController(
            self, trash, connection, target=self.target, clock=clock, changed=self.reload
        )

    @property
    def target(self) -> str:
        """Where a restore goes: the connection of the app, whatever site an entry came from."""
        return self.connection.target

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
        if not self.read_only:
            yield Static(RESTORE_NOTE, id="trash-note", markup=False)
        yield TrashTable(clock=self.clock, id="trash-table")
        yield Static(id="trash-detail", markup=False)
        yield KeyFooter()

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
            with busy_after(self.table):  # a slow read (a big trash, a slow disk) shows on the table
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
        parts = [f"id {entry.id}", entry.original(modified=True)]
        if entry.restored_as:
            when = f" on {format_absolute(entry.restored_at)}" if entry.restored_at else ""
            parts.append(f"restored as {entry.restored_as}{when}")
        elif entry.error:
            parts.append(f"the delete failed: {entry.error}")
        elif entry.state is EntryState.UNCONFIRMED:
            parts.append("the delete was never confirmed: a restore first checks the server")
        deleted = f"deleted {format_absolute(entry.deleted_at)}"
        if entry.user and entry.host and (entry.user, entry.host) != self.trash.who:
            deleted += f" by {entry.user}@{entry.host}"  # another user's, or machine's
        parts += [deleted, f"from {entry.profile}@{entry.site}", f"batch {entry.batch_id}"]
        parts.append(f"app {entry.application_id}")
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
        self.actions.restore(self._chosen())

    def action_purge(self) -> None:
        self.actions.purge(self._chosen(), self.entries)

    def action_purge_old(self) -> None:
        self.actions.purge_old(self.entries)

    def action_back(self) -> None:
        self.dismiss(self.actions.restored_any)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.read_only:
            return False
        if action in WRITE_ACTIONS and self.is_mounted and not self.entries:
            return None
        return True
