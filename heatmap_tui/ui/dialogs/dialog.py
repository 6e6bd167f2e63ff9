"""The frame every dialog shares: one box, centred over the screen it was opened from."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal screen whose box (the container with the class `dialog`) has the common frame.

    A dialog's own CSS states only what differs, by the box's id: the width always, and the
    border when it says something (an error, a warning). An id outranks the class here, so those
    rules win over the frame's; `initial` takes a size limit of the frame away.

    The frame is DEFAULT_CSS rather than a CSS_PATH file: a screen's CSS_PATH is app-wide CSS once
    loaded, and it would outrank the DEFAULT_CSS of every dialog that refines it.
    """

    # A modal screen hides the app's own (non-priority) bindings, the help key among them: every
    # dialog offers it again. `?` is text while an input has the focus; f1 never is.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f1,question_mark",
            "app.help",
            "Help",
            show=False,
            tooltip="Show this dialog's keys",
            id="dialog.help",
        ),
    ]

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        & > .dialog {
            height: auto;
            max-width: 95%;
            max-height: 90%;
            border: round $primary;
            border-title-color: $text;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 1 2;
        }
    }
    """
