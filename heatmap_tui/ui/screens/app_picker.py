"""Pick the RUM application whose snapshots to browse: type to filter, or type an id by hand.

An inactive application (no recent RUM traffic) stays listed; when the local view registry
(core/view_registry.py) knows views of it, its row says how many: opening it shows them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker

from heatmap_tui.core.connection import Connection
from heatmap_tui.core.errors import ApiError, AuthError
from heatmap_tui.core.models import RumApplication
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.view_registry import known_views
from heatmap_tui.ui.safe import SafeInput, safe, safe_rich
from heatmap_tui.ui.widgets.busy import busy_after, busy_during
from heatmap_tui.ui.widgets.key_footer import KeyFooter
from heatmap_tui.ui.widgets.vim_keys import VimDataTable

EMPTY_ORG = "No RUM applications in this org. Type an application id above and press enter to open it anyway."
HINT = "Type to filter · ↑↓ move · enter opens · or type an application id and press enter"


def matches(app: RumApplication, query: str) -> bool:
    words = query.lower().split()
    haystack = f"{app.name} {app.attributes.type} {app.application_id}".lower()
    return all(word in haystack for word in words)


def looks_like_id(text: str) -> bool:
    return bool(text) and not any(c.isspace() for c in text)


class AppPicker(Screen[None]):
    """Posts `AppPicker.Chosen(application_id, name, picker)`; the App opens the snapshot browser,
    and gives the picker the worker that does so (busy_while), so that a slow one shows."""

    DEFAULT_CSS = """
    AppPicker {
        #app-picker {
            height: 1fr;
            border: round $primary;
            border-title-color: $text;
            border-title-style: bold;
            padding: 0 1;
        }
        #apps-filter { margin: 0 0 1 0; }
        #apps-table { height: auto; max-height: 1fr; }
        #apps-hint { color: $text-muted; margin: 1 0 0 0; }
        #apps-hint.-error { color: $text-error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            tooltip="Open the highlighted application (or the typed id)",
            id="apps.open",
        ),
        Binding("slash", "filter", "Filter", tooltip="Type to filter the applications", id="apps.filter"),
        Binding("down", "move(1)", "Down", show=False, tooltip="Next application", id="apps.down"),
        Binding("up", "move(-1)", "Up", show=False, tooltip="Previous application", id="apps.up"),
        Binding(
            "j", "move(1)", "Down", show=False, tooltip="Next application (in the list)", id="apps.vim_down"
        ),
        Binding(
            "k", "move(-1)", "Up", show=False, tooltip="Previous application (in the list)", id="apps.vim_up"
        ),
        Binding("ctrl+r", "refresh", "Refresh", tooltip="Load the applications again", id="apps.refresh"),
        Binding("ctrl+o", "keys", "Keys", tooltip="Enter other keys for this profile", id="apps.keys"),
        Binding("escape", "back", "Back", tooltip="Clear the filter, else back to the sites", id="apps.back"),
    ]

    AUTO_FOCUS = "#apps-filter"

    class Chosen(Message):
        def __init__(self, application_id: str, name: str | None, picker: AppPicker) -> None:
            super().__init__()
            self.application_id = application_id
            self.name = name
            self.picker = picker

    class KeysWanted(Message):
        """The person asked to type other keys (say, after the site refused these)."""

    class BackWanted(Message):
        """Escape with nothing to clear and no screen below: the App shows the site picker."""

    def __init__(self, connection: Connection, *, last_application_id: str | None = None) -> None:
        super().__init__()
        self.connection = connection
        self.last_application_id = last_application_id
        self.applications: list[RumApplication] = []
        self.shown: list[RumApplication] = []
        self.loaded = False
        self.error: ApiError | None = None
        self.known_locally: dict[str, int] = {}  # inactive app id -> views the registry knows

    def compose(self) -> ComposeResult:
        site = self.connection.site
        with Vertical(id="app-picker") as box:
            box.border_title = safe(f"RUM applications · {site.label} · profile {self.connection.profile}")
            yield SafeInput(
                placeholder="Filter by name, type or id — or type an application id", id="apps-filter"
            )
            table: DataTable[Text | str] = VimDataTable(
                id="apps-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("Name", "Type", "Application ID", "Active")
            yield table
            yield Static(HINT, id="apps-hint", markup=False)
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        # Loaded when first shown, not when stacked under a browser the App opened directly.
        if self.app.screen is self and not self.loaded and not self.is_loading:
            self.load()

    @property
    def is_loading(self) -> bool:
        return any(w.group == "apps" and w.is_running for w in self.workers)

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#apps-table", DataTable)

    @property
    def filter_text(self) -> str:
        return self.query_one("#apps-filter", Input).value.strip()

    # --- loading -----------------------------------------------------------------

    @work(exclusive=True, group="apps")
    async def load(self) -> None:
        try:
            with busy_after(self.table, sign=self._tell_loading):
                applications = await self.connection.rum.list_applications()
        except ApiError as exc:
            self.error = exc
            hint = f"{exc} Press ctrl+r to try again"
            hint += ", or ctrl+o to enter other keys." if isinstance(exc, AuthError) else "."
            self._hint(hint, error=True)
            self.notify(str(exc), title="Could not list the applications", severity="error", timeout=8)
            return
        self.error = None
        self.loaded = True
        self.applications = sorted(applications, key=lambda a: (not a.attributes.is_active, a.name.lower()))
        profile = self.connection.profile
        self.known_locally = {
            a.application_id: len(known_views(profile, a.application_id, path=self.connection.views_path))
            for a in self.applications
            if not a.attributes.is_active
        }
        self._fill(preselect=self.last_application_id)

    def _tell_loading(self, shown: bool) -> None:
        if shown:  # what comes next (the list, or why not) replaces it
            self._hint("Loading the RUM applications…")

    def busy_while(self, worker: Worker[Any]) -> None:
        """The App opens the application chosen (finding its views first, perhaps): the list
        shows it is waiting if that is slow."""

        def tell(shown: bool) -> None:
            if shown:
                self._hint("Opening the application…")
            else:
                self._update_hint()

        busy_during(self.table, worker, sign=tell)

    def _fill(self, preselect: str | None = None) -> None:
        table = self.table
        highlighted = self._highlighted()
        keep = preselect or (highlighted.application_id if highlighted else None)
        query = self.filter_text
        self.shown = [a for a in self.applications if matches(a, query)]
        table.clear()
        for app in self.shown:
            active = app.attributes.is_active
            table.add_row(
                safe_rich(app.name, "bold"),
                safe_rich(app.attributes.type or "-"),
                safe_rich(app.application_id, "dim"),
                Text("● active", style="green") if active else self._inactive(app.application_id),
                key=app.application_id,
            )
        index = next((i for i, a in enumerate(self.shown) if a.application_id == keep), 0)
        if self.shown:
            table.move_cursor(row=index, animate=False)
        self._update_hint()

    def _inactive(self, app_id: str) -> Text:
        """`○ inactive`, with how many of its views the local registry knows, if any."""
        known = self.known_locally.get(app_id, 0)
        note = f" · {known} view{'s' if known != 1 else ''} known locally" if known else ""
        return Text(f"○ inactive{note}", style="dim")

    def _update_hint(self) -> None:
        if self.error is not None:
            return
        query = self.filter_text
        if not self.applications:
            self._hint(
                EMPTY_ORG
                if not looks_like_id(query)
                else f"No RUM applications in this org. Press enter to open application id {query!r}."
            )
        elif not self.shown and looks_like_id(query):
            self._hint(f"No application matches {query!r}. Press enter to open it as an application id.")
        elif not self.shown:
            self._hint(f"No application matches {query!r}.")
        else:
            count = (
                f"{len(self.shown)} of {len(self.applications)} applications"
                if query
                else f"{len(self.applications)} applications"
            )
            self._hint(f"{count} · {HINT}")

    def _hint(self, text: str, *, error: bool = False) -> None:
        hint = self.query_one("#apps-hint", Static)
        hint.update(visible(text))
        hint.set_class(error, "-error")

    def _highlighted(self) -> RumApplication | None:
        row = self.table.cursor_row
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    # --- actions -----------------------------------------------------------------

    @on(Input.Changed, "#apps-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value == "?":  # no name or id starts with it: the help key, as everywhere else
            event.input.value = ""
            self.app.action_help()  # type: ignore[attr-defined]
            return
        self._fill()

    @on(Input.Submitted, "#apps-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.RowSelected, "#apps-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        app = self._highlighted()
        if app is not None:
            self.post_message(self.Chosen(app.application_id, app.name, self))
            return
        typed = self.filter_text
        if looks_like_id(typed):
            self.post_message(self.Chosen(typed, None, self))
        elif typed:
            self.notify("An application id has no spaces.", severity="warning")
        else:
            self.query_one("#apps-filter", Input).focus()

    def action_filter(self) -> None:
        self.query_one("#apps-filter", Input).focus()

    def action_move(self, step: int) -> None:
        table = self.table
        table.action_cursor_down() if step > 0 else table.action_cursor_up()

    def action_refresh(self) -> None:
        self.error = None
        self.load()

    def action_keys(self) -> None:
        self.post_message(self.KeysWanted())

    def action_back(self) -> None:
        filter_input = self.query_one("#apps-filter", Input)
        if filter_input.value:
            filter_input.value = ""
            filter_input.focus()
        elif len(self.app.screen_stack) > 2 and self.app.screen is self:
            self.dismiss(None)
        else:
            self.post_message(self.BackWanted())
