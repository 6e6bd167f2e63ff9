"""Ask before deleting: name exactly what goes, with the focus on Cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.safe import safe, safe_rich

WARNING_ONE = "A copy goes to the trash first: u undoes this delete, T opens the trash."
WARNING_MANY = "A copy of each goes to the trash first: u undoes this delete, T opens the trash."
# What a restore cannot bring back: the API re-creates a snapshot, it has no undelete.
RESTORE_NOTE_ONE = "Restored, it gets a new id, you as author and today's date (the API allows no other)."
RESTORE_NOTE_MANY = "Restored, they get new ids, you as author and today's date (the API allows no other)."

VIEW_WIDTH, DEVICE_WIDTH, ID_WIDTH = 24, 10, 36


def snapshot_table(snapshots: Sequence[Snapshot], hidden: frozenset[str] = frozenset()) -> Table:
    """`hidden`: the ids the row filter hides, each called out in a first column."""
    table = Table(box=None, padding=(0, 2, 0, 0), expand=True, show_edge=False, header_style="bold")
    if hidden:
        table.add_column("", no_wrap=True, style="bold")
    # Capped, so that a long view, device or id (data: any length) cannot squeeze the names to
    # one cell a line; the caps are above what real views, devices and ids take.
    table.add_column("Name", ratio=1, overflow="fold")
    table.add_column("View", overflow="fold", max_width=VIEW_WIDTH)
    table.add_column("Device", no_wrap=True, overflow="ellipsis", max_width=DEVICE_WIDTH)
    table.add_column("ID", no_wrap=True, overflow="ellipsis", style="dim", max_width=ID_WIDTH)
    for s in snapshots:
        cells = [safe_rich(s.name), safe_rich(s.view_name), safe_rich(s.device_type), safe_rich(s.id)]
        if hidden:
            cells.insert(0, Text("hidden" if s.id in hidden else ""))
        table.add_row(*cells)
    return table


class ConfirmDialog(Dialog[bool]):
    """A yes/no question over a list of what it acts on. Dismisses with True only when the
    confirm button is pressed; escape, Cancel and enter-on-Cancel say no."""

    DEFAULT_CSS = """
    ConfirmDialog {
        #confirm-delete {
            width: 100;
            border: thick $error 70%;
        }
        #confirm-question { text-style: bold; margin: 0 0 1 0; }
        #confirm-list { height: auto; max-height: 20; margin: 0 0 1 0; background: $panel; padding: 0 1; }
        #confirm-warning { width: 1fr; color: $text-warning; margin: 0 0 1 0; }
        #confirm-warning.-noted { margin: 0; }
        #confirm-note { width: 1fr; color: $text-muted; margin: 0 0 1 0; }
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

    def __init__(
        self,
        *,
        title: str,
        question: str,
        items: RenderableType,
        warning: str,
        confirm_label: str,
        note: str | None = None,
    ) -> None:
        """`note`: one more plain line under the warning."""
        super().__init__()
        self.title_text = title
        self.question = question
        self.items = items
        self.warning = warning
        self.note = note
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-delete", classes="dialog") as box:
            box.border_title = safe(self.title_text)
            yield Label(visible(self.question), id="confirm-question", markup=False)
            with VerticalScroll(id="confirm-list"):
                yield Static(self.items, id="confirm-items", markup=False)
            noted = "-noted" if self.note is not None else ""
            yield Static(self.warning, id="confirm-warning", classes=noted, markup=False)
            if self.note is not None:
                yield Static(self.note, id="confirm-note", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, variant="error", id="delete")

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        self.dismiss(True)


class ConfirmDelete(ConfirmDialog):
    """Deleting snapshots: each one named, and the way back (the trash) said, with what it cannot
    bring back."""

    def __init__(self, snapshots: Sequence[Snapshot], *, hidden: frozenset[str] = frozenset()) -> None:
        """`hidden`: marked snapshots the row filter hides; they are called out, never left unseen."""
        self.snapshots = list(snapshots)
        count = len(self.snapshots)
        one = count == 1
        unseen = len(hidden & {s.id for s in self.snapshots})
        also = f" {unseen} of them {'is' if unseen == 1 else 'are'} hidden by the filter." if unseen else ""
        super().__init__(
            title="Delete snapshot" if one else "Delete snapshots",
            question=(
                f"Delete snapshot {self.snapshots[0].name!r}?" if one else f"Delete these {count} snapshots?"
            )
            + also,
            items=snapshot_table(self.snapshots, hidden),
            warning=WARNING_ONE if one else WARNING_MANY,
            note=RESTORE_NOTE_ONE if one else RESTORE_NOTE_MANY,
            confirm_label="Delete" if one else f"Delete {count}",
        )
