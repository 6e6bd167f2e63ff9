"""The footer of every screen: `? Help` and the command palette pinned on the right, so the way
to every key shows at any width, and the screen's keys from the left, as many as fit whole."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # not exported; Textual is pinned below 9

PINNED_ACTIONS = frozenset({"help", "app.help"})  # the app's `?`, by its action


class KeyFooter(Footer):
    """A Footer whose help and palette keys never scroll off, and whose other keys are left out
    when they do not fit whole (rather than cut to `a▏`): the first ones, the screen's main
    keys, stay."""

    DEFAULT_CSS = """
    KeyFooter {
        #footer-pinned { dock: right; width: auto; height: 1; }
        #footer-pinned FooterKey.-command-palette { dock: none; }
    }
    """

    def compose(self) -> ComposeResult:
        pinned: list[Widget] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and (
                widget.action in PINNED_ACTIONS or widget.has_class("-command-palette")
            ):
                pinned.append(widget)
            else:
                yield widget
        if pinned:
            with HorizontalGroup(id="footer-pinned"):
                yield from pinned

    async def recompose(self) -> None:
        await super().recompose()
        self.fit_keys()

    def _on_resize(self, event: events.Resize) -> None:
        self.fit_keys()

    def fit_keys(self) -> None:
        """Show the keys that fit whole beside the pinned ones, in order; hide the rest."""
        keys = [child for child in self.children if child.id != "footer-pinned"]
        pinned = [child for child in self.children if child.id == "footer-pinned"]
        room = self.size.width - sum(_cells(key) for group in pinned for key in group.children)
        used = 0
        for key in keys:
            used += _cells(key)
            key.display = used <= room


def _cells(widget: Widget) -> int:
    """The cells a footer key takes, its margin included, whether it shows or not."""
    if isinstance(widget, FooterKey):
        width = widget.render().cell_len + widget.styles.gutter.width
    else:  # a group of keys or a label: laid out already
        width = widget.outer_size.width
    return width + widget.styles.margin.width
