"""j, k, g and G in every list the app shows: down, up, first, last, wherever no text is typed.

The bindings are declared once, by VimKeys (ids `list.down`, `list.up`, `list.first`,
`list.last`: one keymap entry remaps them in every list). Each kind of list inherits them and
has the four actions they call: OptionList and the line-API tables (RowTable) already do; the
DataTable and the Select's dropdown get them here. Screens compose these instead of Textual's.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, ClassVar, TypeVar

from rich.console import RenderableType
from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, OptionList, Select
from textual.widgets.data_table import CellType

SelectType = TypeVar("SelectType", bound=Hashable)


class VimKeys(Widget):
    """Mixed into a list widget, after it (Textual reads a widget's CSS type from its first
    base): its j/k/g/G. The widget has the actions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, tooltip="Next line of the list", id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, tooltip="Previous line of the list", id="list.up"),
        Binding("g", "first", "First", show=False, tooltip="First line of the list", id="list.first"),
        Binding("G", "last", "Last", show=False, tooltip="Last line of the list", id="list.last"),
    ]


class VimOptionList(OptionList, VimKeys):
    """An OptionList with j/k/g/G (its own actions cursor_down, cursor_up, first, last)."""


class VimDataTable(DataTable[CellType], VimKeys):
    """A DataTable with j/k/g/G; g and G move the cursor as ctrl+home and ctrl+end do."""

    def action_first(self) -> None:
        self.action_scroll_top()

    def action_last(self) -> None:
        self.action_scroll_bottom()


class VimSelect(Select[SelectType], VimKeys):
    """A Select whose dropdown takes j/k/g/G. Closed, j and k open it (as down and up do).

    Typing a letter no longer jumps to an option (type_to_search is off by default): the
    dropdown would take j and k as a search. Open, it still keeps the letters it has no use for
    from the screen behind it."""

    def __init__(self, options: Iterable[tuple[RenderableType, SelectType]], **kwargs: Any) -> None:
        kwargs.setdefault("type_to_search", False)
        super().__init__(options, **kwargs)

    def _dropdown(self) -> OptionList:
        return self.query_one("SelectOverlay", OptionList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Closed, g and G are not the dropdown's: the key goes on to the screen's bindings.
        if action in ("first", "last"):
            return self.expanded
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        # A letter must not act on the screen behind the open dropdown (`d` would delete); the
        # dropdown's own keys (j, k, g, G, or what the keymap made them) go on to their bindings.
        if self.expanded and event.is_printable:
            active = self.screen.active_bindings.get(event.key)
            if active is None or active.node not in (self, self._dropdown()):
                event.stop()
                event.prevent_default()

    def action_cursor_down(self) -> None:
        self._dropdown().action_cursor_down() if self.expanded else self.action_show_overlay()

    def action_cursor_up(self) -> None:
        self._dropdown().action_cursor_up() if self.expanded else self.action_show_overlay()

    def action_first(self) -> None:
        self._dropdown().action_first()

    def action_last(self) -> None:
        self._dropdown().action_last()
