"""Outside text as Textual objects that are never parsed as markup.

Every widget, toast, title and dialog that shows text from the server, a file or the user builds
it here: `safe("name")` for one piece, `safe_join("Deleted ", safe(name), ".")` to mix fixed
words with outside text. Never format outside text into a markup string.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from heatmap_tui.core.safe_text import visible


def safe(text: object, style: str = "") -> Content:
    """Outside text, escaped by `visible`, as Content that is never parsed as markup."""
    return Content.styled(visible(text), style) if style else Content(visible(text))


def safe_join(*parts: str | Content) -> Content:
    """Fixed words (plain str, trusted, never markup either) joined with safe pieces."""
    return Content.assemble(*parts)


def safe_rich(text: object, style: str = "") -> Text:
    """The same for the places that take a Rich Text (DataTable cells, Rich renderables)."""
    return Text(visible(text), style=style)
