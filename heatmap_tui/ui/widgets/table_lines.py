"""The lines SnapshotTable paints: its header, a row, the empty message, each one Strip."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from heatmap_tui.ui.format import fit_cells
from heatmap_tui.ui.widgets.table_model import COLUMN_INDEX, Layout, Row, TableModel

MARK_GLYPH = "●"
SORT_GLYPHS = {False: "▲", True: "▼"}  # by whether the sort is descending


class Frame(NamedTuple):
    """What holds for every line of one frame, looked up once rather than per line."""

    width: int
    height: int
    line_width: int  # wider than `width` only when the columns must scroll sideways
    layout: Layout
    styles: dict[str, Style]  # base, header, cursor, marked, dim
    scroll_x: int
    scroll_y: int


def _join(layout: Layout, width: int, texts: list[str], styles: list[Style], gap: Style) -> Strip:
    """A line of `width` cells with each text at its column's offset.

    Neighbours of one style share a segment: fewer segments make every later step
    (compositing, cropping, encoding) cheaper, and Strip.simplify would cost a second Strip.
    """
    pieces: list[tuple[str, Style]] = []
    x = 0
    for (_, start, cell_width), text, style in zip(layout.cells, texts, styles, strict=False):
        pieces += ((" " * (start - x), gap), (text, style))
        x = start + cell_width
    pieces.append((" " * (width - x), gap))
    segments: list[Segment] = []
    text, style = pieces[0]
    for piece, piece_style in pieces[1:]:
        if piece_style is style:
            text += piece
        else:
            segments.append(Segment(text, style))
            text, style = piece, piece_style
    segments.append(Segment(text, style))
    return Strip(segments, width)


def header_strip(model: TableModel, frame: Frame) -> Strip:
    """The column labels, the sorted column's with its direction."""
    texts = []
    for column, _, width in frame.layout.cells:
        label = column.label
        if column.key == model.sort_column:
            label = f"{label} {SORT_GLYPHS[model.sort_reverse]}"
        texts.append(fit_cells(label, width, column.right))
    style = frame.styles["header"]
    return _join(frame.layout, frame.line_width, texts, [style] * len(texts), style)


def row_strip(model: TableModel, row: Row, frame: Frame, *, cursor: bool, marked: bool) -> Strip:
    styles = frame.styles
    # One style for the whole row, except dim columns on plain rows.
    row_style = styles["cursor" if cursor else "marked" if marked else "base"]
    dim_style = styles["dim"] if row_style is styles["base"] else row_style
    texts, cell_styles = [MARK_GLYPH if marked else " "], [row_style]
    cells = model.cells(row)
    for column, _, width in frame.layout.cells[1:]:  # a narrow terminal hides some columns
        texts.append(fit_cells(cells[COLUMN_INDEX[column.key]], width, column.right))
        cell_styles.append(dim_style if column.dim else row_style)
    return _join(frame.layout, frame.line_width, texts, cell_styles, row_style)


def empty_strip(message: str, frame: Frame) -> Strip:
    """`message` centred, dim: there is no row to show."""
    message = fit_cells(message, min(frame.width, cell_len(message)))
    base = frame.styles["base"]
    left = Segment(" " * max(0, (frame.width - cell_len(message)) // 2), base)
    strip = Strip([left, Segment(message, frame.styles["dim"])])
    return strip.extend_cell_length(frame.width, base)
