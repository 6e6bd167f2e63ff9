"""`?`: every key of the screen below, grouped by where it applies, as the keymap has made them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import Screen
from textual.widgets import Static

from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.keymap import heading
from heatmap_tui.ui.safe import safe_rich


def key_label(binding: Binding) -> str:
    """Words rather than the footer's glyphs: `enter`, `ctrl+q`, `?`."""
    if binding.key_display:
        return binding.key_display
    return "enter" if binding.key == "enter" else format_key(binding.key)


@dataclass(frozen=True, slots=True)
class HelpRow:
    keys: str
    description: str
    enabled: bool


def help_groups(screen: Screen[Any]) -> list[tuple[str, list[HelpRow]]]:
    """Every binding in reach of the screen, as the keymap has made it, one group per node.

    This walks the same binding chain as `Screen.active_bindings`, but keeps a binding that a
    focused widget shadows (enter on a list still chooses the site). Only bindings with an id are
    listed: the others are Textual's own (text editing, focus, copy). An action that is hidden
    (check_action False, e.g. writes in read-only mode) is left out, a disabled one (None) dimmed.
    """
    app = screen.app
    grouped: dict[DOMNode, dict[tuple[str, str], list[str]]] = {}
    enabled: dict[tuple[DOMNode, str, str], bool] = {}
    # Private, but it is what active_bindings itself reads; Textual is pinned below 9.
    for node, bindings in screen._modal_binding_chain:
        for _key, binding in bindings:
            if binding.id is None or binding.system:
                continue
            state = app._check_action_state(binding.action, node)
            if state is False:
                continue
            description = binding.description or binding.action.replace("_", " ")
            entry = (binding.action, description)
            grouped.setdefault(node, {}).setdefault(entry, []).append(key_label(binding))
            enabled[(node, *entry)] = enabled.get((node, *entry), False) or bool(state)
    order = sorted(grouped, key=lambda n: (isinstance(n, App), not isinstance(n, Screen)))
    groups = []
    for node in order:
        rows = [
            HelpRow(" ".join(dict.fromkeys(keys)), description, enabled[(node, action, description)])
            for (action, description), keys in grouped[node].items()
        ]
        groups.append((heading(_group_class(node)), rows))
    return groups


def _group_class(node: DOMNode) -> type:
    """The class a node's keys are headed by: its own, or for a widget that declares none, the
    first base that does (a list's j/k/g/G are VimKeys', "Vim keys" as in the README)."""
    if isinstance(node, App | Screen):
        return type(node)
    for cls in type(node).__mro__:
        if any(isinstance(b, Binding) and b.id for b in cls.__dict__.get("BINDINGS", [])):
            return cls
    return type(node)


def _cells(row: HelpRow | None) -> tuple[Text, Text]:
    if row is None:
        return Text(""), Text("")
    style = "bold" if row.enabled else "dim"
    note = "" if row.enabled else " (nothing to act on)"
    # The keys come from the config's keymap too: escaped like any outside text.
    return safe_rich(row.keys, style), Text(row.description + note, style="" if row.enabled else "dim")


def help_table(groups: list[tuple[str, list[HelpRow]]]) -> Group:
    """Each group in two columns of key/description pairs, so a long list still fits a screen."""
    parts: list[Text | Table] = []
    for index, (title, rows) in enumerate(groups):
        parts.append(Text(("\n" if index else "") + title, style="bold underline"))
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
        for _ in range(2):
            table.add_column(no_wrap=True, min_width=10)
            table.add_column(ratio=1)
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:]
        for i, row in enumerate(left):
            table.add_row(*_cells(row), *_cells(right[i] if i < len(right) else None))
        parts.append(table)
    return Group(*parts)


class HelpBody(VerticalScroll):
    """The keys; the arrows scroll them when they do not fit. Only then does it take the focus
    (its scrollbar shows it, see app.tcss): with nothing to scroll, a focus would show nothing."""

    def allow_focus(self) -> bool:
        return self.allow_vertical_scroll


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen {
        #help {
            width: 100;
            padding: 0 1;
        }
        #help-body { height: auto; max-height: 100%; }
        #help-keys { padding: 1 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", tooltip="Close the help", id="help.close"),
    ]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog") as box:
            box.border_title = "Keys · " + heading(type(self.target))  # our own words, no outside text
            box.border_subtitle = "tab moves between fields · ctrl+p finds commands · escape closes"
            with HelpBody(id="help-body"):
                yield Static(help_table(help_groups(self.target)), id="help-keys", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self._focus_body)

    def on_resize(self) -> None:
        self.call_after_refresh(self._focus_body)

    def _focus_body(self) -> None:
        """Laid out, the body takes the focus if it scrolls, and gives it up if no longer."""
        if not self.is_current:  # closed meanwhile, or under another screen
            return
        body = self.query_one(HelpBody)
        if body.allow_focus():
            body.focus()
        elif body.has_focus:
            self.set_focus(None)

    def action_close(self) -> None:
        self.dismiss(None)
