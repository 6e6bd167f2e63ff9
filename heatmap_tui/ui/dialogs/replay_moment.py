"""The replay picker's second step: which moment of the chosen view becomes the background,
counted from the view's beginning, typed (as the form's Start is) or stepped, never past the
view's end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.format import format_duration, format_start
from heatmap_tui.ui.forms import parse_moment, parse_offset
from heatmap_tui.ui.safe import SafeInput

TIMELINE_WIDTH = 30
STEP_MS = 1000
BIG_STEP_MS = 10_000
HOW = "Type mm:ss.mmm, seconds (12.5s) or ms · up/down ±1 s · pgup/pgdn ±10 s"


@dataclass(frozen=True, slots=True)
class ReplayMoment:
    """What the replay picker hands back: a replay view event, and how far into its view the
    frame is taken."""

    event: ViewEvent
    offset_ms: int = 0  # from the view's beginning, within its length


def timeline(offset_ms: int, duration_ms: int, width: int = TIMELINE_WIDTH) -> str:
    """Where a moment lies in the view, drawn as a bar: `━━━━━━●──────────────`."""
    share = min(max(offset_ms, 0), duration_ms) / duration_ms if duration_ms > 0 else 0.0
    at = round(share * (width - 1))
    return "━" * at + "●" + "─" * (width - 1 - at)


class MomentStep(Vertical):
    """Shown for one view event (`begin`); posts `Chosen` when a moment inside it is submitted.
    While the moment has the focus, up/down (pageup/pagedown) step it."""

    DEFAULT_CSS = """
    MomentStep {
        height: auto;
        #moment-about { color: $text-muted; }
        #moment-row { height: auto; margin: 1 0 0 0; }
        #moment-row Label { padding: 1 1 0 0; }
        #moment-offset { width: 18; }
        #moment-where { width: 1fr; padding: 1 0 0 1; }
        #moment-error { color: $text-error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up", f"step({STEP_MS})", "1 s later", tooltip="Move the moment 1 s later", id="moment.later"
        ),
        Binding(
            "down",
            f"step({-STEP_MS})",
            "1 s earlier",
            tooltip="Move the moment 1 s earlier",
            id="moment.earlier",
        ),
        Binding(
            "pageup",
            f"step({BIG_STEP_MS})",
            "10 s later",
            tooltip="Move the moment 10 s later",
            id="moment.much_later",
        ),
        Binding(
            "pagedown",
            f"step({-BIG_STEP_MS})",
            "10 s earlier",
            tooltip="Move the moment 10 s earlier",
            id="moment.much_earlier",
        ),
    ]

    class Chosen(Message):
        """A moment inside the view was submitted (enter)."""

        def __init__(self, offset_ms: int) -> None:
            super().__init__()
            self.offset_ms = offset_ms  # from the view's beginning

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.duration_ms: int | None = None  # None: the view does not say how long it lasted

    def compose(self) -> ComposeResult:
        yield Static("", id="moment-about", markup=False)
        with Horizontal(id="moment-row"):
            yield Label("Moment", markup=False)
            yield SafeInput("", placeholder="mm:ss.mmm", id="moment-offset")
            yield Static("", id="moment-where", markup=False)
        yield Static("", id="moment-error", markup=False)

    @property
    def offset_input(self) -> Input:
        return self.query_one("#moment-offset", Input)

    def begin(self, event: ViewEvent) -> None:
        """Offer `event`'s view, from its beginning, with the focus on the moment."""
        self.duration_ms = event.time_spent_ms
        if self.duration_ms is None:
            about = "How long this view lasted is unknown: no end to check the moment against."
        else:
            lasted, end = format_duration(self.duration_ms), format_start(self.duration_ms)
            about = (
                f"This view lasted {lasted} ({self.duration_ms} ms): take its frame from 00:00.000 to {end}."
            )
        self.query_one("#moment-about", Static).update(f"{about}\n{HOW}")
        self.offset_input.value = format_start(0)
        self.offset_input.focus()
        self._show(self.offset_input.value)

    def action_step(self, ms: int) -> None:
        """Move the moment `ms` later (earlier when negative), within the view."""
        current, _ = parse_offset(self.offset_input.value, "The moment")  # past the end: steps back in
        moved = max(0, (current or 0) + ms)
        if self.duration_ms is not None:
            moved = min(moved, self.duration_ms)
        self.offset_input.value = format_start(moved)
        self.offset_input.cursor_position = len(self.offset_input.value)

    def check(self) -> int | None:
        """The moment typed, from the view's beginning; None (and the reason shown) when it is not one."""
        value, error = parse_moment(self.offset_input.value, self.duration_ms)
        self._show_error(error or "")
        return value

    def _show(self, raw: str) -> None:
        """Where the typed moment lies; past the end is said at once, a half-typed time on enter."""
        value, _ = parse_offset(raw, "The moment")
        where = self.query_one("#moment-where", Static)
        if value is None:
            where.update("")
        elif self.duration_ms is None:
            where.update(f"= {format_start(value)} into the view ({value} ms)")
        else:
            where.update(f"{timeline(value, self.duration_ms)} {format_start(value)}")
        _, error = parse_moment(raw, self.duration_ms)
        self._show_error((error or "") if value is not None else "")

    def _show_error(self, message: str) -> None:
        error = self.query_one("#moment-error", Static)
        error.update(visible(message))
        error.display = bool(message)
        self.offset_input.set_class(bool(message), "-invalid")  # Input's own red frame

    @on(Input.Changed, "#moment-offset")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def submit(self) -> None:
        """Post `Chosen` for the moment typed, or show why it is not one."""
        value = self.check()
        if value is not None:
            self.post_message(self.Chosen(value))

    @on(Input.Submitted, "#moment-offset")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()
