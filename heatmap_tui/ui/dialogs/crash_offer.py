"""Shown at start when the last run stopped with an error: say so, and offer a clean start."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from heatmap_tui.ui.crash import CrashNote
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.safe import safe, safe_join

TITLE = "The last run stopped with an error"
CLEAN = (
    "Start clean opens the list of applications and forgets the application and view the last "
    "run was showing. Resume opens them again, which may stop the app the same way."
)


def crash_text(note: CrashNote) -> Content:
    """What happened, in plain words; the note's fields are read from a file, so shown safely."""
    when = safe_join(" on ", safe(note.at)) if note.at else ""
    error = safe_join(" (", safe(note.error), ")") if note.error else ""
    where = safe_join(" on the ", safe(note.where), " screen") if note.where else ""
    return safe_join("heatmap-tui stopped", when, " with an unexpected error", error, where, ".")


class CrashOffer(Dialog[bool]):
    """Dismisses with True for a clean start, False to resume where the last run was."""

    DEFAULT_CSS = """
    CrashOffer {
        #crash-offer {
            width: 84;
            max-height: initial;
            border: thick $warning 70%;
        }
        #crash-what { margin: 0 0 1 0; }
        #crash-choice { color: $text-muted; margin: 0 0 1 0; }
        #crash-buttons { height: auto; align-horizontal: right; }
        #crash-buttons Button { margin: 0 0 0 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clean", "Start clean", show=False),
        Binding("left,h", "app.focus_previous", "Previous button", show=False),
        Binding("right,l", "app.focus_next", "Next button", show=False),
    ]

    AUTO_FOCUS = "#crash-clean"

    def __init__(self, note: CrashNote) -> None:
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="crash-offer", classes="dialog") as box:
            box.border_title = TITLE
            yield Static(crash_text(self.note), id="crash-what")
            yield Static(CLEAN, id="crash-choice", markup=False)
            with Horizontal(id="crash-buttons"):
                yield Button("Resume", id="crash-resume")
                yield Button("Start clean", variant="primary", id="crash-clean")

    def action_clean(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#crash-clean")
    def _clean(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#crash-resume")
    def _resume(self) -> None:
        self.dismiss(False)
