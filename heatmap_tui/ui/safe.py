"""Outside text as Textual objects that are never parsed as markup.

Every widget, toast, title and dialog that shows text from the server, a file or the user builds
it here: `safe("name")` for one piece, `safe_join("Deleted ", safe(name), ".")` to mix fixed
words with outside text. Never format outside text into a markup string.

An input field edits the real value, so it cannot show `visible`'s multi-character escapes
without moving the cursor off the text: `SafeInput` draws each unsafe character as one glyph
instead (U+241B for ESC, U+FFFD for the rest), keeps the value as it is, and never offers a
completion that holds one.
"""

from __future__ import annotations

from typing import cast

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.expand_tabs import expand_tabs_inline
from textual.suggester import SuggestionReady
from textual.widgets import Input

from heatmap_tui.core.safe_text import has_control, visible


def safe(text: object, style: str = "") -> Content:
    """Outside text, escaped by `visible`, as Content that is never parsed as markup."""
    return Content.styled(visible(text), style) if style else Content(visible(text))


def safe_join(*parts: str | Content) -> Content:
    """Fixed words (plain str, trusted, never markup either) joined with safe pieces."""
    return Content.assemble(*parts)


def safe_rich(text: object, style: str = "") -> Text:
    """The same for the places that take a Rich Text (DataTable cells, Rich renderables)."""
    return Text(visible(text), style=style)


def safe_help(text: object) -> str:
    """Text for an API that parses a `str` as markup but also takes Content (the command
    palette's help line): Content, typed as the `str` the signature asks for."""
    return cast(str, safe(text))


def _glyph(char: str) -> str:
    if not has_control(char):
        return char
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␊ for a newline
    return "\u2421" if code == 0x7F else "\ufffd"


def glyphs(text: str) -> str:
    """`text` with each unsafe character replaced by one visible glyph: same length, so the
    cursor and selection offsets of an input still point at the same characters."""
    if not has_control(text):
        return text
    return "".join(map(_glyph, text))


class SafeInput(Input):
    """An Input that never writes an unsafe character of its value to the terminal."""

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(glyphs(self.value), no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        return cell_len(expand_tabs_inline(glyphs(self.value[:position]), 4))

    def _cell_offset_to_index(self, offset: int) -> int:
        shown, real = glyphs(self.value), self.value
        if shown is real:
            return super()._cell_offset_to_index(offset)
        # The glyphs are one cell each where the raw characters took none: count on what is shown.
        scroll_x, _ = self.scroll_offset
        offset += scroll_x
        cells = 0
        for index, char in enumerate(shown):
            width = cell_len(char)
            if cells <= offset < cells + width:
                return index
            cells += width
        return max(0, min(offset, len(real)))

    async def _on_suggestion_ready(self, event: SuggestionReady) -> None:
        if has_control(event.suggestion):
            event.prevent_default()  # Input's own handler would show it
            self._suggestion = ""
