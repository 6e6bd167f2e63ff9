"""The look both line-API tables share (the snapshot table and the trash table)."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.scroll_view import ScrollView

from heatmap_tui.ui.widgets.vim_keys import VimKeys


class RowTable(ScrollView, VimKeys, can_focus=True):
    """A focusable table drawn line by line: a header, a cursor row, marked and dim cells.

    j/k/g/G come from VimKeys (a table may bind them under ids of its own); a table has the
    actions cursor_down, cursor_up, first and last."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-table--header",
        "row-table--cursor",
        "row-table--marked",
        "row-table--dim",
        "row-table--warning",
    }

    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        &:focus { background-tint: $foreground 5%; }
        & > .row-table--header { background: $panel; color: $foreground; text-style: bold; }
        /* The header shows the focus too: a table with no rows has no cursor to show it. */
        &:focus > .row-table--header {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .row-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .row-table--marked { background: $warning 15%; color: $text-warning; text-style: bold; }
        & > .row-table--dim { color: $text-muted; }
        & > .row-table--warning { color: $text-warning; }
    }
    """

    def row_styles(self, *names: str) -> dict[str, Style]:
        """The rich styles of the named parts (header, cursor, marked, dim, warning)."""
        return {name: self.get_component_rich_style(f"row-table--{name}") for name in names}
