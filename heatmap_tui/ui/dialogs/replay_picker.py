"""Pick the replay view event whose frame becomes a snapshot's background, as the web app's
"grab from replay" does: the recent replay views of one view and device, newest first; then,
in a second step, the moment of that view the frame is taken at (its beginning unless moved)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Label, Static

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.dialogs.replay_moment import MomentStep, ReplayMoment
from heatmap_tui.ui.format import fit_cells, format_absolute, format_duration, format_relative
from heatmap_tui.ui.safe import safe, safe_rich
from heatmap_tui.ui.widgets.vim_keys import VimDataTable

PAGE_SIZE = 50
SINCE = "now-30d"  # replays are kept 30 days
COLUMNS = ("When", "Date", "Session", "View ID", "Device", "Time spent", "URL")
URL_WIDTH = 40
KEYS = "enter chooses · m loads more · r reloads · escape cancels"
MOMENT_KEYS = "enter uses it · escape: back"


def short_id(value: str | None) -> str:
    """The first 8 characters, enough to tell rows apart; the detail lines show the whole id."""
    if not value:
        return "-"
    return value if len(value) <= 9 else value[:8] + "…"


def _cut(text: str, width: int) -> str:
    return fit_cells(text, width).rstrip() if len(text) > width else text


class ReplayPicker(Dialog[ReplayMoment | None]):
    """Dismisses with the chosen `ReplayMoment`, or None. `device_type=None` searches every device.

    Step one lists the replay views; enter chooses one (`chosen`), and step two asks for the
    moment within it; escape goes back to the list."""

    DEFAULT_CSS = """
    ReplayPicker {
        #replay-picker {
            width: 118;
            max-width: 98%;
            max-height: 96%;
            overflow-y: auto;  /* a short terminal scrolls the rest into reach */
            padding: 0 1;
        }
        #replay-events { height: 3; }
        #replay-detail { height: 2; color: $text-muted; margin: 1 0 0 0; }
        #replay-status { height: auto; margin: 1 0 0 0; }
        #replay-status.-error { color: $text-error; }
        #replay-buttons { height: 1; margin: 1 0 0 0; }
        #replay-buttons Button { margin: 0 0 0 2; }
        #replay-keys { width: 1fr; color: $text-muted; }
        #replay-moment { margin: 1 0 0 0; }
    }
    """

    # Each key does one thing per step: check_action enables a binding in its own step only.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back to the list",
            tooltip="Choose another replay view",
            id="replay_picker.back",
        ),
        Binding("escape", "cancel", "Cancel", tooltip="Close without picking", id="replay_picker.cancel"),
        Binding("m", "more", "Load more", tooltip="Load more replay views", id="replay_picker.more"),
        Binding("r", "reload", "Reload", tooltip="Load the replay views again", id="replay_picker.reload"),
        Binding("j", "move(1)", "Down", show=False, tooltip="Next replay view", id="replay_picker.down"),
        Binding("k", "move(-1)", "Up", show=False, tooltip="Previous replay view", id="replay_picker.up"),
    ]

    AUTO_FOCUS = "#replay-events"

    def __init__(
        self,
        rum: RumService,
        application_id: str,
        view_name: str,
        device_type: str | None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.rum = rum
        self.application_id = application_id
        self.view_name = view_name
        self.device_type = device_type or None
        self.clock = clock
        self.events: list[ViewEvent] = []
        self.cursor: str | None = None  # the next page's; None once everything is loaded
        self.loaded_once = False
        self.fetching = False
        self.error: ApiError | None = None
        self.chosen: ViewEvent | None = None  # step two: the view whose moment is being chosen

    @property
    def scope(self) -> str:
        return f"{self.view_name} on {self.device_type or 'any device'}"

    def compose(self) -> ComposeResult:
        with Vertical(id="replay-picker", classes="dialog") as box:
            box.border_title = safe(
                f"Pick a replay frame · {self.view_name} · {self.device_type or 'any device'}"
            )
            box.border_subtitle = "replay views of the last 30 days"
            table: DataTable[str | Text] = VimDataTable(
                id="replay-events", cursor_type="row", zebra_stripes=True
            )
            table.add_columns(*COLUMNS)
            yield table
            yield Static("", id="replay-detail", markup=False)
            yield MomentStep(id="replay-moment")
            yield Static("", id="replay-status", markup=False)
            with Horizontal(id="replay-buttons"):
                yield Label(KEYS, id="replay-keys", markup=False)
                yield Button("Load more", compact=True, id="replay-more")
                yield Button("Cancel", compact=True, id="replay-cancel")
                yield Button("Back", compact=True, id="replay-back")
                yield Button("Choose this view", compact=True, variant="primary", id="replay-use")

    def on_mount(self) -> None:
        self.query_one("#replay-detail", Static).display = False
        self._show_step()
        self._fetch(None)

    @property
    def moment(self) -> MomentStep:
        return self.query_one(MomentStep)

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#replay-events", DataTable)

    # --- loading -----------------------------------------------------------------

    @work(exclusive=True, group="replay-events")
    async def _fetch(self, cursor: str | None) -> None:
        first = cursor is None
        self.fetching = True
        self.error = None
        self.table.loading = first
        self.table.display = self.chosen is None
        self._status(f"Loading the replay views of {self.scope}…" if first else "Loading more…")
        try:
            page = await self.rum.search_view_events(
                self.application_id, self.view_name, self.device_type, SINCE, cursor, limit=PAGE_SIZE
            )
        except ApiError as exc:
            self.error = exc
            self._status(f"{exc} Press r to try again.", error=True)
            return
        finally:
            self.fetching = False
            self.table.loading = False
        if first:
            self.events.clear()
            self.table.clear()
        self.loaded_once = True
        self.cursor = page.cursor
        self._add_rows(page.events)
        self._update_status()

    def _add_rows(self, events: list[ViewEvent]) -> None:
        table, now = self.table, self.clock()
        known = {e.event_id for e in self.events}
        for event in events:
            if event.event_id in known:  # a page boundary that moved under us
                continue
            self.events.append(event)
            table.add_row(
                format_relative(event.date, now),
                format_absolute(event.date),
                safe_rich(short_id(event.session_id), "dim"),
                safe_rich(short_id(event.view_id), "dim"),
                safe_rich(event.device_type or "-"),
                format_duration(event.time_spent_ms),
                safe_rich(_cut(event.url or "-", URL_WIDTH)),
                key=event.event_id,
            )
        self._fit_table()
        self._show_detail()

    def _fit_table(self) -> None:
        # A fixed height: an auto one would size the dialog by every row, even those scrolled away.
        # What is left beside the detail, status and buttons (13 lines with the frame), 60% at most.
        height = self.size.height
        cap = max(3, min(height * 6 // 10, height - 13))
        self.table.styles.height = min(self.table.row_count + 1, cap)

    def on_resize(self) -> None:
        self._fit_table()

    def _update_status(self) -> None:
        count = len(self.events)
        self.table.display = bool(count) and self.chosen is None  # no empty grid: the words below say why
        if not count:
            self._status(
                f"No replay of {self.scope} in the last 30 days: replays are kept 30 days. "
                "Escape, then type an event id, or try another view or device."
            )
        elif self.cursor:
            self._status(
                f"{count} replay views loaded, newest first · more: m, or move to the end of the list"
            )
        else:
            self._status(f"{count} replay view{'s' if count != 1 else ''}, newest first · all loaded")
        self.query_one("#replay-more", Button).disabled = self.cursor is None
        self.query_one("#replay-use", Button).disabled = not count

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#replay-status", Static)
        status.update(visible(text))
        status.set_class(error, "-error")

    # --- the highlighted event ---------------------------------------------------

    def highlighted(self) -> ViewEvent | None:
        row = self.table.cursor_row
        return self.events[row] if 0 <= row < len(self.events) else None

    def _show_detail(self) -> None:
        event = self.highlighted()
        detail = self.query_one("#replay-detail", Static)
        detail.display = event is not None
        if event is None:
            return
        detail.update(
            Content("\n").join(
                [
                    safe(f"event   {event.event_id}   session {event.session_id or '-'}"),
                    safe(f"view id {event.view_id or '-'}   {event.url or ''}"),
                ]
            )
        )

    @on(DataTable.RowHighlighted, "#replay-events")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        if event.cursor_row == self.table.row_count - 1:
            self.action_more(quiet=True)  # reaching the end asks for the next page

    @on(DataTable.RowSelected, "#replay-events")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose()

    # --- actions -----------------------------------------------------------------

    def action_choose(self) -> None:
        """Step one: on to the moment of the highlighted view. Step two: use the moment typed."""
        if self.chosen is not None:
            self.moment.submit()
            return
        event = self.highlighted()
        if event is not None and not self.table.loading:
            self.chosen = event
            self._show_step()
            self.moment.begin(event)

    def action_back(self) -> None:
        self.chosen = None
        self._show_step()
        self.table.focus()

    def _show_step(self) -> None:
        moment = self.chosen is not None
        self.table.display = not moment and (bool(self.events) or self.fetching)
        self.query_one("#replay-status", Static).display = not moment
        self.moment.display = moment
        for button, shown in (("more", not moment), ("cancel", not moment), ("back", moment)):
            self.query_one(f"#replay-{button}", Button).display = shown
        self.query_one("#replay-use", Button).label = "Use this moment" if moment else "Choose this view"
        self.query_one("#replay-keys", Label).update(MOMENT_KEYS if moment else KEYS)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.chosen is not None
        if action in ("cancel", "more", "reload", "move"):
            return self.chosen is None
        return True

    @on(MomentStep.Chosen)
    def _moment_chosen(self, event: MomentStep.Chosen) -> None:
        event.stop()
        if self.chosen is not None:
            self.dismiss(ReplayMoment(self.chosen, event.offset_ms))

    def action_more(self, quiet: bool = False) -> None:
        if self.fetching:
            return
        if self.cursor is not None:
            self._fetch(self.cursor)
        elif not quiet and self.loaded_once and self.error is None:
            self.notify(f"All {len(self.events)} replay views of {self.scope} are loaded.")
        elif not quiet and self.error is not None:
            self.action_reload()

    def action_reload(self) -> None:
        """Start over from the newest; after an error, also retries."""
        if self.fetching:
            return
        if self.error is not None and self.loaded_once and self.cursor is not None:
            self._fetch(self.cursor)  # a failed "load more": retry that page, keep the rows
        else:
            self.cursor = None
            self._fetch(None)

    def action_move(self, step: int) -> None:
        table = self.table
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#replay-more")
    def _more_pressed(self) -> None:
        self.action_more()

    @on(Button.Pressed, "#replay-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#replay-back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#replay-use")
    def _use_pressed(self) -> None:
        self.action_choose()
