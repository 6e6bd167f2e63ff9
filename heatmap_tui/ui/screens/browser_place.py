"""Where the person stands in the browser: what the shell remembers, and gives back on a return."""

from __future__ import annotations

from textual.message import Message

Sort = tuple[str, bool]  # a column key, and whether descending


class PositionChanged(Message, namespace="browser_screen"):
    """The view, device or sort changed; the shell remembers them as where it left off, with the
    row filter and the cursor's snapshot. Also what the browser dismisses with. Known as
    BrowserScreen.PositionChanged, handled as `on_browser_screen_position_changed`."""

    def __init__(
        self,
        view: str | None,
        device: str | None,
        sort: Sort | None = None,
        row_filter: str = "",
        cursor_id: str | None = None,
    ) -> None:
        super().__init__()
        self.view, self.device, self.sort = view, device, sort
        self.row_filter, self.cursor_id = row_filter, cursor_id
