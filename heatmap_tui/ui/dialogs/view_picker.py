"""Pick a view name from the known ones, or type a new one: the API lists one view at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.view_registry import TRAFFIC_WINDOW_WORDS
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.safe import SafeInput
from heatmap_tui.ui.widgets.busy import busy_during
from heatmap_tui.ui.widgets.vim_keys import VimOptionList

NAME_WIDTH = 44
KEYS = "enter picks · escape cancels"
COUNTED = f"busiest first, with their views {TRAFFIC_WINDOW_WORDS}\n" + KEYS


def view_prompt(name: str, count: int | None) -> Text:
    name = visible(name)
    if count is None:
        return Text(name)
    shown = name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"
    return Text.assemble(shown.ljust(NAME_WIDTH), (f"{count:>8,}", "dim"))


class ViewPicker(Dialog[str | None]):
    """Type to narrow the list; enter picks the highlighted view, or the typed text if none match.

    `discovering`: the worker asking the server for the app's views; while it runs (if slowly),
    the list shows it is waiting, and set_views fills it when it answers."""

    DEFAULT_CSS = """
    ViewPicker {
        #view-picker {
            width: 60;
            max-width: initial;
            max-height: 80%;
            border: round $border;
            border-title-style: initial;
            padding: 0 1;
        }
        #view-picker-input { margin: 0 0 1 0; }
        #view-picker-list { height: auto; max-height: 20; border: none; }
        #view-picker-hint { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="view_picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, tooltip="Next view", id="view_picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, tooltip="Previous view", id="view_picker.up"),
    ]

    def __init__(
        self,
        views: Iterable[str],
        current: str = "",
        counts: Mapping[str, int] | None = None,
        *,
        discovering: Worker[Any] | None = None,
    ) -> None:
        super().__init__()
        self.views = list(views)
        self.current = current
        self.counts: Mapping[str, int] = counts or {}
        self._discovering = discovering

    def compose(self) -> ComposeResult:
        with Vertical(id="view-picker", classes="dialog") as box:
            box.border_title = "Pick a view"
            yield SafeInput(placeholder="type to narrow, or a new view name", id="view-picker-input")
            yield VimOptionList(*self._options(""), id="view-picker-list", markup=False)
            yield Label(COUNTED if self.counts else KEYS, id="view-picker-hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in self.views:
            options.highlighted = self.views.index(self.current)
        self.query_one(Input).focus()
        if self._discovering is not None:
            busy_during(options, self._discovering)

    def _options(self, text: str) -> list[Option]:
        needle = text.casefold().strip()
        return [
            Option(view_prompt(v, self.counts.get(v)), id=v) for v in self.views if needle in v.casefold()
        ]

    def set_views(self, views: Iterable[str], counts: Mapping[str, int]) -> None:
        """The views were discovered while the picker was open: show them, keeping the highlight."""
        options = self.query_one(OptionList)
        index = options.highlighted
        keep = options.get_option_at_index(index).id if index is not None and options.option_count else None
        self.views, self.counts = list(views), counts
        self.query_one("#view-picker-hint", Label).update(COUNTED if counts else KEYS)
        self._fill(self.query_one(Input).value, keep)

    def _fill(self, text: str, keep: str | None = None) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(text))
        if options.option_count:
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            options.highlighted = ids.index(keep) if keep in ids else 0

    @on(Input.Changed, "#view-picker-input")
    def _narrow(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = (current + step) % options.option_count

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#view-picker-input")
    def _submit(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(str(options.get_option_at_index(options.highlighted).id))
        elif event.value.strip():
            self.dismiss(event.value.strip())

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))
