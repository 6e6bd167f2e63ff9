"""The browser's filter bar: the view name (required by the API), the device type, the row filter."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select

from heatmap_tui.ui.forms import DEVICE_TYPES
from heatmap_tui.ui.safe import SafeInput
from heatmap_tui.ui.widgets.vim_keys import VimSelect

ANY_DEVICE = "any"
VIEW_PLACEHOLDER = "view name, e.g. /home (enter loads)"
DEVICE_OPTIONS: list[tuple[str, str]] = [("any device", ANY_DEVICE)] + [(d, d) for d in DEVICE_TYPES]


def device_value(device: str | None) -> str:
    return device if device in DEVICE_TYPES else ANY_DEVICE


class BarInput(SafeInput):
    """An input of a fixed size: a keystroke repaints it alone.

    Input's own watcher sets virtual_size, a layout reactive, on every change of the value, and
    a layout reflows the whole screen. The box's size never depends on its text here (the bar's
    CSS sizes it), so the new virtual size is set without one.
    """

    def _watch_value(self, value: str) -> None:
        if self.styles.auto_dimensions:
            super()._watch_value(value)
            return
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        self._suggestion = ""
        if self.suggester and value:
            self.run_worker(self.suggester._get_suggestion(self, value))
        self.refresh()


class FilterBar(Horizontal):
    """Compact, one line high. It says what the person asked for in messages of its own, and
    the row filter's text through `on_search`, called in the keystroke's own step (so the
    table's change is painted in the same frame as the echo of the key); the screen changes
    the bar through the methods here, never through its inner widgets."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        Label { padding: 0 1 0 0; color: $text-muted; }
        Input { height: 1; }
        Input:focus { background-tint: $foreground 10%; }
        /* Compact, the select has no border to light up: its line takes the cursor's colours. */
        Select:focus > SelectCurrent {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            .arrow { color: $block-cursor-foreground; }
        }
        /* Both inputs keep a usable width at 80 columns; the view box stops growing at 40. */
        #view-input { width: 1fr; min-width: 14; max-width: 40; }
        #view-pick { min-width: 3; width: 3; margin: 0 2 0 0; }
        #device-select { width: 18; margin: 0 2 0 0; }
        #search-input { width: 1fr; min-width: 14; }
    }
    """

    def __init__(
        self,
        views: Iterable[str],
        view: str,
        device: str | None,
        *,
        on_search: Callable[[str], None],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._on_search = on_search
        self._views = list(views)
        self._view = view
        self._device = device_value(device)

    def compose(self) -> ComposeResult:
        yield Label("View", markup=False)
        yield BarInput(
            self._view,
            placeholder=VIEW_PLACEHOLDER,
            suggester=SuggestFromList(self._views, case_sensitive=False),
            compact=True,
            id="view-input",
        )
        pick = Button("▾", compact=True, id="view-pick")
        pick.tooltip = "Pick a view from the known views (v)"
        yield pick
        yield Label("Device", markup=False)
        yield VimSelect(
            DEVICE_OPTIONS, value=self._device, allow_blank=False, compact=True, id="device-select"
        )
        yield Label("Filter", markup=False)
        yield BarInput(placeholder="/ to filter rows", compact=True, id="search-input")

    def on_mount(self) -> None:
        # A watcher runs as the value is set, in the keystroke's step; Input.Changed would
        # reach the screen only after the echo's frame.
        self.watch(self._search_input, "value", self._on_search, init=False)

    class ViewChosen(Message):
        """Enter in the view input: `view` as typed (perhaps blank)."""

        def __init__(self, view: str) -> None:
            super().__init__()
            self.view = view

    class DeviceChanged(Message):
        """Another device type was picked; None: any device."""

        def __init__(self, device: str | None) -> None:
            super().__init__()
            self.device = device

    class SearchDone(Message):
        """Enter in the row filter: back to the rows."""

    class PickViewWanted(Message):
        """The ▾ button: the view picker is wanted."""

    class ViewInputFocused(Message):
        """The view input got the focus: a name is about to be typed."""

    # --- what the person does ------------------------------------------------------

    @on(Input.Submitted, "#view-input")
    def _view_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.ViewChosen(event.value))

    @on(Button.Pressed, "#view-pick")
    def _view_pick_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.PickViewWanted())

    @on(events.DescendantFocus)
    def _descendant_focused(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "view-input":
            self.post_message(self.ViewInputFocused())

    @on(Select.Changed, "#device-select")
    def _device_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(
            self.DeviceChanged(None if event.value in (ANY_DEVICE, Select.NULL) else str(event.value))
        )

    @on(Input.Changed, "#search-input")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()  # on_search had it already

    @on(Input.Submitted, "#search-input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.SearchDone())

    # --- what the screen changes -------------------------------------------------------

    @property
    def _view_input(self) -> Input:
        return self.query_one("#view-input", Input)

    @property
    def _search_input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def _device_select(self) -> Select[str]:
        return self.query_one("#device-select", Select)

    @property
    def view_text(self) -> str:
        return self._view_input.value

    @property
    def search_text(self) -> str:
        return self._search_input.value

    @property
    def editing_view(self) -> bool:
        """Whether the view input has the focus."""
        return self._view_input.has_focus

    def show_view(self, view: str) -> None:
        """Put `view` in the view input (what is listed, or what was typed and cleaned)."""
        self._view_input.value = view

    def show_all_views(self, count: int | None, view: str) -> None:
        """All-views mode (`count` views) names no one view: the input is left empty and says
        what is listed. None: one view again, `view`."""
        field = self._view_input
        if count is None:
            if field.placeholder != VIEW_PLACEHOLDER:
                field.placeholder = VIEW_PLACEHOLDER
                field.value = view
            return
        field.placeholder = f"all {count} views · type a name for one"
        if not field.has_focus:
            field.value = ""

    def focus_view(self) -> None:
        self._view_input.focus()

    def focus_search(self) -> None:
        self._search_input.focus()

    def clear_search(self) -> None:
        self.show_search("")

    def show_search(self, text: str) -> None:
        """Put `text` in the row filter; it applies as if typed (on_search)."""
        self._search_input.value = text

    def cycle_device(self) -> None:
        """The next device type, after the last one any device again."""
        values = [value for _, value in DEVICE_OPTIONS]
        current = values.index(str(self._device_select.value))
        self._device_select.value = values[(current + 1) % len(values)]

    def set_views(self, views: Iterable[str], *, counted: bool = False) -> None:
        """Complete from these names; `counted`: they were discovered, with their view counts."""
        self._views = list(views)
        self._view_input.suggester = SuggestFromList(self._views, case_sensitive=False)
        if counted:
            pick = self.query_one("#view-pick", Button)
            pick.tooltip = f"Pick one of {len(self._views)} views, busiest first, with their counts (v)"
