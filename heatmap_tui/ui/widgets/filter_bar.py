"""The browser's filter bar: the view name (required by the API), the device type, the row filter."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select

from heatmap_tui.ui.forms import DEVICE_TYPES
from heatmap_tui.ui.safe import SafeInput

ANY_DEVICE = "any"
DEVICE_OPTIONS: list[tuple[str, str]] = [("any device", ANY_DEVICE)] + [(d, d) for d in DEVICE_TYPES]


def device_value(device: str | None) -> str:
    return device if device in DEVICE_TYPES else ANY_DEVICE


class FilterBar(Horizontal):
    """Compact, one line high. The screen listens to the inputs' own messages by id."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        Label { padding: 0 1 0 0; color: $text-muted; }
        Input { height: 1; }
        Input:focus { background-tint: $foreground 10%; }
        #view-input { width: 40; }
        #view-pick { min-width: 3; width: 3; margin: 0 2 0 0; }
        #device-select { width: 18; margin: 0 2 0 0; }
        #search-input { width: 1fr; }
    }
    """

    def __init__(self, views: Iterable[str], view: str, device: str | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views = list(views)
        self._view = view
        self._device = device_value(device)

    def compose(self) -> ComposeResult:
        yield Label("View", markup=False)
        yield SafeInput(
            self._view,
            placeholder="view name, e.g. /home (enter loads)",
            suggester=SuggestFromList(self._views, case_sensitive=False),
            compact=True,
            id="view-input",
        )
        pick = Button("▾", compact=True, id="view-pick")
        pick.tooltip = "Pick a view from the known views (v)"
        yield pick
        yield Label("Device", markup=False)
        yield Select(DEVICE_OPTIONS, value=self._device, allow_blank=False, compact=True, id="device-select")
        yield Label("Filter", markup=False)
        yield SafeInput(placeholder="/ to filter rows", compact=True, id="search-input")

    def set_views(self, views: Iterable[str], *, counted: bool = False) -> None:
        """Complete from these names; `counted`: they were discovered, with their view counts."""
        self._views = list(views)
        self.query_one("#view-input", Input).suggester = SuggestFromList(self._views, case_sensitive=False)
        if counted:
            pick = self.query_one("#view-pick", Button)
            pick.tooltip = f"Pick one of {len(self._views)} views, busiest first, with their counts (v)"
