"""The one place that makes outside text (server, files, user) safe to show.

Names, view names, authors, ids and messages may hold anything a member of a Datadog org can
type: terminal escapes (OSC 52 writes the clipboard, CSI clears the screen), newlines that split
a table row, bidi overrides that reorder what is shown, lone surrogates no encoder accepts.
`visible` turns every such character into a visible backslash escape, so the text is shown as
data and never acts on the terminal. Markup is a UI concern: `heatmap_tui.ui.safe` wraps this
result in a Textual object that is never parsed as markup.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls; the Arabic letter mark, LRM/RLM, the bidi embeddings and
# overrides (U+202A-E) and isolates (U+2066-9); line and paragraph separators; lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: object) -> str:
    """`text` as one line with every control, bidi and surrogate character shown as an escape."""
    text = text if isinstance(text, str) else str(text)
    if _UNSAFE.search(text) is None:
        return text  # the common case costs one scan
    return _UNSAFE.sub(_escape, text)


def has_control(text: str) -> bool:
    """True when `visible` would change `text` (used to refuse such ids outright)."""
    return _UNSAFE.search(text) is not None
