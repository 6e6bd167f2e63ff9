"""Marking many rows at once: a range that follows the cursor (vim's visual line mode, k9s's span
marks), and inverting the marks of the rows shown. Both work on a TableModel's shown rows."""

from __future__ import annotations

from heatmap_tui.ui.widgets.table_model import TableModel


class MarkRange:
    """While on, the rows between the anchor and the cursor are marked, on top of the marks there
    were when it started; a row the cursor leaves behind gets its mark from then back."""

    def __init__(self, model: TableModel) -> None:
        self._model = model
        self._anchor: str | None = None  # the id of the row it started on
        self._before: frozenset[str] = frozenset()  # the marks when it started
        self._span: set[str] = set()  # the rows it marks now

    @property
    def active(self) -> bool:
        return self._anchor is not None

    def start(self) -> None:
        """Start at the cursor row (marking it); nothing happens with no row shown."""
        row = self._model.cursor_row
        if row is None:
            return
        self._anchor, self._before, self._span = row.id, self._model.marked_ids, set()
        self.follow()

    def stop(self) -> None:
        """Stop following the cursor; the marks stay as they are."""
        self._anchor, self._before, self._span = None, frozenset(), set()

    def follow(self) -> bool:
        """Mark the rows from the anchor to the cursor; True if a mark changed, or it stopped."""
        if self._anchor is None:
            return False
        model = self._model
        anchor = model.index_of(self._anchor)
        if anchor is None:  # its row is gone or hidden (the table stops it first): nothing to span
            self.stop()
            return True
        low, high = sorted((anchor, model.cursor))
        span = {row.id for row in model.shown[low : high + 1]}
        changed = False
        for row_id in self._span - span:
            if model.is_marked(row_id) and row_id not in self._before:
                changed |= not model.toggle_mark(row_id)
        for row_id in span - self._span:
            if not model.is_marked(row_id):
                changed |= model.toggle_mark(row_id)
        self._span = span
        return changed


def invert_shown(model: TableModel) -> None:
    """Flip the mark of every row shown; the marks of rows the filter hides stay as they are."""
    for row in model.shown:
        model.toggle_mark(row.id)
