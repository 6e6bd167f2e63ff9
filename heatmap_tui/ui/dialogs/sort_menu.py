"""A small menu of the table's columns to sort by: the discoverable twin of the keys 1..9."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.widgets.table_lines import SORT_GLYPHS
from heatmap_tui.ui.widgets.vim_keys import VimOptionList

DIRECTIONS = {False: "ascending", True: "descending"}


class SortMenu(Dialog[str | None]):
    """Dismisses with the chosen column key; picking the current column flips the order.

    The current column is marked with its direction, as the table's header marks it, and the
    menu opens on it."""

    DEFAULT_CSS = """
    SortMenu {
        #sort-menu {
            width: 48;
            max-width: initial;
            max-height: initial;
            border: round $border;
            border-title-style: initial;
            padding: 0 1;
        }
        #sort-options { height: auto; border: none; }
        #sort-hint { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_menu", "Cancel", id="sort_menu.cancel"),
        Binding("j", "move(1)", "Down", show=False, id="sort_menu.down"),
        Binding("k", "move(-1)", "Up", show=False, id="sort_menu.up"),
    ]

    def __init__(self, columns: Sequence[tuple[str, str]], current: str | None, reverse: bool) -> None:
        super().__init__()
        self.columns = list(columns)
        self.current = current
        self.reverse = reverse

    def prompt(self, number: int, key: str, label: str) -> Content:
        """The column's line: the current one with its direction, and the one choosing it gives."""
        if key != self.current:
            return Content(f"{number}  {label}")
        now, flipped = self.reverse, not self.reverse
        return Content.assemble(
            (f"{number}  {label}  {SORT_GLYPHS[now]} {DIRECTIONS[now]}", "bold $text-accent"),
            (f"  (again: {SORT_GLYPHS[flipped]})", "dim"),
        )

    def compose(self) -> ComposeResult:
        options = [
            Option(self.prompt(number, key, label), id=key)
            for number, (key, label) in enumerate(self.columns, start=1)
        ]
        with Vertical(id="sort-menu", classes="dialog") as box:
            box.border_title = "Sort by"
            yield VimOptionList(*options, id="sort-options", markup=False)
            yield Label("enter sorts · again flips · escape", id="sort-hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [key for key, _ in self.columns]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))

    def on_key(self, event: events.Key) -> None:
        # The digits shown in the menu pick directly, as they do in the browser.
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self.columns):
                event.stop()
                self.dismiss(self.columns[index][0])
