"""Display formatting shared by the tables, detail panes and dialogs.

Pure functions with no Textual import (Rich only measures cells), cheap to call for every row
and trivial to test. How times and durations read is core.timefmt's, so that the CLI shows
them the same way: its formatters are re-exported here for the UI.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from heatmap_tui.core.timefmt import format_absolute, format_duration, format_relative, format_start

__all__ = ["fit_cells", "format_absolute", "format_duration", "format_relative", "format_start"]


def fit_cells(text: str, width: int, right: bool = False) -> str:
    """Pad or cut `text` to exactly `width` terminal cells, with an ellipsis when cut."""
    # Names and views are nearly always ASCII, where len() is the cell count and
    # far cheaper than measuring: this runs for every cell of every drawn row.
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    padding = " " * (width - length)
    return padding + text if right else text + padding
