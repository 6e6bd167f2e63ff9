"""The browser's detail pane body: attributes side by side, laid out for the width they get.

A Textual Visual rather than a Rich grid: the pane changes with every move of the cursor and
every keystroke in the row filter, and a Rich Table took milliseconds to lay out what is a few
padded lines. The lines are those of `Table.grid(padding=(0, 1), expand=True)` with a bold
label column and a value column (cut with an ellipsis) twice, the value columns sharing the
room left (the first gets the smaller half), then one line per note (a bold label, then the
text wrapped under itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

from heatmap_tui.ui.safe import safe

Pairs = Sequence[tuple[str, str]]  # (label, value): labels are ours, values outside text


def _labels(pairs: Pairs) -> int:
    return max((len(label) for label, _ in pairs), default=0)


def _label(text: str, width: int) -> Content:
    return Content.styled(text, "bold").pad_right(width - len(text))


class SideBySide(Visual):
    """`left` and `right` (label, value) rows side by side, then `notes` (label, text) below."""

    def __init__(self, left: Pairs, right: Pairs, notes: Pairs = ()) -> None:
        self.left, self.right, self.notes = list(left), list(right), list(notes)
        self._laid_out: tuple[int, list[Content]] | None = None

    def lines(self, width: int) -> list[Content]:
        """The lines at `width` cells (the last width's are kept)."""
        if self._laid_out is None or self._laid_out[0] != width:
            self._laid_out = (width, self._lay_out(width))
        return self._laid_out[1]

    def _lay_out(self, width: int) -> list[Content]:
        left_w, right_w = _labels(self.left), _labels(self.right)
        room = max(0, width - left_w - right_w - 3)  # three one-cell gaps between four columns
        first, second = room // 2, room - room // 2
        out: list[Content] = []
        for (l_label, l_value), (r_label, r_value) in zip_longest(self.left, self.right, fillvalue=("", "")):
            line = Content.assemble(
                _label(l_label, left_w),
                " ",
                safe(l_value).truncate(first, ellipsis=True, pad=True),
                " ",
                _label(r_label, right_w),
                " ",
                safe(r_value).truncate(second, ellipsis=True),
            )
            out.append(line.rstrip())
        note_w = _labels(self.notes)
        indent = Content(" " * (note_w + 1))
        for label, text in self.notes:
            wrapped = safe(text).wrap(max(1, width - note_w - 1))
            for n, part in enumerate(wrapped or [Content("")]):
                head = Content.assemble(_label(label, note_w), " ") if n == 0 else indent
                out.append(Content.assemble(head, part).rstrip())
        return out

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        content = Content("\n").join(self.lines(width))
        return content.render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width  # it fills the width it is given, as an expanded grid does

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def to_plain(self, width: int) -> str:
        """The text at `width`, for tests and screen readers."""
        return "\n".join(line.plain for line in self.lines(width))
