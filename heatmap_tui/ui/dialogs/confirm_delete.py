"""Ask before deleting: name exactly what goes, with the focus on Cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from heatmap_tui.core.models import Snapshot

WARNING = "A deleted snapshot cannot be restored; heatmaps older than the 30 days of replays lose their background."


def snapshot_table(snapshots: Sequence[Snapshot]) -> Table:
    table = Table(box=None, padding=(0, 2, 0, 0), expand=True, show_edge=False, header_style="bold")
    table.add_column("Name", ratio=1, overflow="fold")
    table.add_column("View", overflow="fold")
    table.add_column("Device", no_wrap=True)
    table.add_column("ID", no_wrap=True, style="dim")
    for s in snapshots:
        table.add_row(s.name, s.view_name, s.device_type, s.id)
    return table


class ConfirmDelete(ModalScreen[bool]):
    """Dismisses with True only when Delete is pressed; escape, Cancel and enter-on-Cancel say no."""

    DEFAULT_CSS = """
    ConfirmDelete {
        align: center middle;
        #confirm-delete {
            width: 100;
            max-width: 95%;
            height: auto;
            max-height: 90%;
            border: thick $error 70%;
            border-title-color: $text;
            border-title-style: bold;
            background: $surface;
            padding: 1 2;
        }
        #confirm-question { text-style: bold; margin: 0 0 1 0; }
        #confirm-list { height: auto; max-height: 20; margin: 0 0 1 0; background: $panel; padding: 0 1; }
        #confirm-warning { width: 1fr; color: $text-warning; margin: 0 0 1 0; }
        #confirm-buttons { height: auto; align-horizontal: right; }
        #confirm-buttons Button { margin: 0 0 0 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm_delete.cancel"),
        Binding("left,h", "app.focus_previous", "Previous button", show=False, id="confirm_delete.left"),
        Binding("right,l", "app.focus_next", "Next button", show=False, id="confirm_delete.right"),
    ]

    AUTO_FOCUS = "#cancel"

    def __init__(self, snapshots: Sequence[Snapshot]) -> None:
        super().__init__()
        self.snapshots = list(snapshots)

    @property
    def question(self) -> str:
        if len(self.snapshots) == 1:
            return f"Delete snapshot {self.snapshots[0].name!r}?"
        return f"Delete these {len(self.snapshots)} snapshots?"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-delete") as box:
            box.border_title = "Delete snapshot" if len(self.snapshots) == 1 else "Delete snapshots"
            yield Label(self.question, id="confirm-question")
            with VerticalScroll(id="confirm-list"):
                yield Static(snapshot_table(self.snapshots), id="confirm-items")
            yield Static(WARNING, id="confirm-warning")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel")
                label = "Delete" if len(self.snapshots) == 1 else f"Delete {len(self.snapshots)}"
                yield Button(label, variant="error", id="delete")

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        self.dismiss(True)
