"""The trash: every deleted snapshot kept locally, newest first, to restore or forget for good."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash import EntryState, RestoreReport, Trash, TrashEntry, TrashError
from heatmap_tui.ui.dialogs.confirm_delete import DEVICE_WIDTH, VIEW_WIDTH, ConfirmDialog
from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress, restored_message
from heatmap_tui.ui.format import format_absolute, format_relative
from heatmap_tui.ui.safe import safe_rich
from heatmap_tui.ui.session import Clock, Connection, utc_now

OLD_AGE = timedelta(days=30)
EMPTY = "The trash is empty. Snapshots deleted from this app or the CLI are kept here until purged."
PURGE_WARNING = "The trash holds the only copy of a deleted snapshot: a purged one can never be restored."
WRITE_ACTIONS = frozenset({"restore", "purge", "purge_old", "mark"})
STATE_STYLES = {EntryState.DELETED: "", EntryState.UNCONFIRMED: "yellow", EntryState.RESTORED: "dim"}


def entries_table(entries: Sequence[TrashEntry]) -> Table:
    """What a purge forgets, for its confirmation."""
    table = Table(box=None, padding=(0, 2, 0, 0), expand=True, show_edge=False, header_style="bold")
    table.add_column("Deleted", no_wrap=True)
    table.add_column("Name", ratio=1, overflow="fold")
    table.add_column("View", overflow="fold", max_width=VIEW_WIDTH)  # caps: see snapshot_table
    table.add_column("Device", no_wrap=True, overflow="ellipsis", max_width=DEVICE_WIDTH)
    table.add_column("State", no_wrap=True)
    for e in entries:
        table.add_row(format_absolute(e.deleted_at), safe_rich(e.snapshot.name), safe_rich(e.snapshot.view_name),
                      safe_rich(e.snapshot.device_type), e.state.value)  # fmt: skip
    return table


def restore_target(connection: Connection) -> str:
    """Where a restore goes, in words the status line uses too: `US5 · profile work`."""
    site = connection.site
    return f"{site.domain if site.is_custom else site.name} · profile {connection.profile}"


class TrashScreen(Screen[bool]):
    """Dismisses with True when something was restored, so the browser lists it again."""

    DEFAULT_CSS = """
    TrashScreen {
        layout: vertical;
        #trash-title { height: 1; padding: 0 1; background: $panel; }
        #trash-table { height: 1fr; }
        #trash-empty { height: 1fr; padding: 1 2; color: $text-muted; }
        #trash-detail { height: auto; max-height: 4; padding: 0 1; background: $panel; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark", id="trash.mark"),
        Binding("r", "restore", "Restore", id="trash.restore"),
        Binding("p", "purge", "Purge", id="trash.purge"),
        Binding("P", "purge_old", "Purge > 30 days", id="trash.purge_old"),
        Binding("j", "cursor(1)", "Down", show=False, id="trash.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="trash.up"),
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
        self.entries: list[TrashEntry] = []  # newest first, as shown
        self.marked: set[int] = set()  # indexes into entries
        self.restored_any = False

    @property
    def target(self) -> str:
        """Where a restore goes: the connection of the app, whatever site an entry came from."""
        return restore_target(self.connection)

    def compose(self) -> ComposeResult:
        yield Static(id="trash-title", markup=False)
        yield DataTable(cursor_type="row", zebra_stripes=True, id="trash-table")
        yield Static(EMPTY, id="trash-empty", markup=False)
        yield Static(id="trash-detail", markup=False)
        yield Footer()

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#trash-table", DataTable)

    def on_mount(self) -> None:
        self.table.add_columns(" ", "Deleted", "Name", "View", "Device", "State", "From")
        self.reload()

    # --- reading ---------------------------------------------------------------

    @work(exclusive=True, group="trash-read")
    async def reload(self) -> None:
        try:
            contents = await asyncio.to_thread(self.trash.read)
        except TrashError as exc:
            self.notify(str(exc), title="Could not read the trash", severity="error", timeout=8)
            return
        if contents.bad_lines:
            lines = ", ".join(map(str, contents.bad_lines[:10]))
            self.notify(f"Skipped unreadable lines of {self.trash.path}: {lines}.", severity="warning")
        self.show(list(reversed(contents.entries)))

    def show(self, entries: list[TrashEntry]) -> None:
        table = self.table
        cursor = table.cursor_row
        self.entries, self.marked = entries, set()
        table.clear()
        now = self.clock()
        for index, e in enumerate(entries):
            deleted = f"{format_relative(e.deleted_at, now)} · {format_absolute(e.deleted_at)}"
            # Text, not str: DataTable reads a str as markup, and a name may hold brackets.
            cells = (deleted, e.snapshot.name, e.snapshot.view_name, e.snapshot.device_type)
            table.add_row(Text(" "), *map(safe_rich, cells), Text(e.state.value, style=STATE_STYLES[e.state]),
                          safe_rich(f"{e.profile}@{e.site}"), key=str(index))  # fmt: skip
        table.display = bool(entries)
        self.query_one("#trash-empty").display = not entries
        if entries:
            table.move_cursor(row=min(cursor, len(entries) - 1))
        self._update_title()
        self._show_detail()
        self.refresh_bindings()

    def _update_title(self) -> None:
        count = len(self.entries)
        marked = f" · {len(self.marked)} marked" if self.marked else ""
        where = "" if self.read_only else f" · r restores into {self.target}"
        self.query_one("#trash-title", Static).update(
            Text.assemble(
                ("Trash", "bold"), visible(f" · {count} entr{'y' if count == 1 else 'ies'}{marked}{where}")
            )
        )

    def _show_detail(self) -> None:
        entry = self._cursor_entry()
        detail = self.query_one("#trash-detail", Static)
        detail.display = entry is not None
        if entry is None:
            return
        parts = [f"id {entry.id}", f"batch {entry.batch_id}", f"app {entry.application_id}"]
        if entry.restored_as:
            when = f" on {format_absolute(entry.restored_at)}" if entry.restored_at else ""
            parts.append(f"restored as {entry.restored_as}{when}")
        elif entry.error:
            parts.append(f"the delete failed: {entry.error}")
        elif entry.state is EntryState.UNCONFIRMED:
            parts.append("the delete was never confirmed: a restore first checks the server")
        detail.update(visible(" · ".join(parts)))

    @on(DataTable.RowHighlighted, "#trash-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _cursor_entry(self) -> TrashEntry | None:
        if not self.entries:
            return None
        row = self.table.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _chosen(self) -> list[TrashEntry]:
        """The marked entries, else the one under the cursor."""
        if self.marked:
            return [self.entries[i] for i in sorted(self.marked)]
        entry = self._cursor_entry()
        return [entry] if entry is not None else []

    # --- actions ---------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.table.action_cursor_down() if delta > 0 else self.table.action_cursor_up()

    def action_mark(self) -> None:
        row = self.table.cursor_row
        if not self.entries:
            return
        self.marked ^= {row}
        self.table.update_cell_at(
            Coordinate(row, 0), Text("●" if row in self.marked else " ", style="bold yellow")
        )
        self.table.action_cursor_down()
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
                self._purge(ids, older_than)

        self.app.push_screen(dialog, confirmed)

    @work(exclusive=True, group="trash-purge")
    async def _purge(self, ids: set[str] | None, older_than: timedelta | None) -> None:
        try:
            result = await asyncio.to_thread(self.trash.purge, older_than, ids, now=self.clock())
        except TrashError as exc:
            self.notify(str(exc), title="Could not purge", severity="error", timeout=8)
            return
        count = len(result.purged)
        self.notify(f"Purged {count} snapshot{'' if count == 1 else 's'} from the trash.")
        self.reload()

    def action_back(self) -> None:
        self.dismiss(self.restored_any)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.read_only:
            return False
        if action in WRITE_ACTIONS and self.is_mounted and not self.entries:
            return None
        return True
