"""Where the app left off, by profile: the state file, written by the app itself, never the config.

The config says which profile and site the person chose; the state remembers the application,
view, device, sort, row filter and cursor last shown with each profile, so that the next start
resumes there. Within a run each application's place is kept too, so that switching to another
application and back gives it back (the state file keeps the last one only). The command line
may ask for a view and a device (`--view`, `--device`): the first application opened takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from heatmap_tui.core.state import Position, State, StateError
from heatmap_tui.ui.forms import listed_device, listed_view
from heatmap_tui.ui.notify import Notify
from heatmap_tui.ui.services import Services
from heatmap_tui.ui.settings import Settings

if TYPE_CHECKING:
    from heatmap_tui.ui.screens.browser import BrowserScreen

DEMO_STARTS_FRESH = "The demo starts fresh each time: nothing from an earlier demo is kept."


@dataclass(frozen=True, slots=True)
class Place:
    """Where a browser opens: what BrowserScreen takes as its `initial_*` arguments."""

    view: str | None = None
    device: str | None = None
    sort: tuple[str, bool] | None = None
    row_filter: str | None = None
    cursor_id: str | None = None

    @classmethod
    def of(cls, position: Position | None) -> Place:
        if position is None:
            return cls()
        sort = (position.sort_column, position.sort_reverse) if position.sort_column else None
        return cls(position.view_name, position.device_type, sort, position.row_filter, position.cursor_id)

    def first_list(self) -> tuple[str, str | None] | None:
        """The view and device whose list a browser opened here loads first, read as
        BrowserScreen reads them; None when there is no view to list yet."""
        view = listed_view(self.view)
        return (view, listed_device(self.device)) if view else None

    def asked(self, view: str | None, device: str | None) -> Place:
        """This place with the view and device the command line asked for: a view asked shows
        every device unless a device is asked too. The row filter and the cursor belonged to
        another list: they go unless the list is the same; the sort stays."""
        view, device = view or self.view, device or (None if view else self.device)
        if (view, device) == (self.view, self.device):
            return self
        return Place(view, device, self.sort)


class LeftOff:
    """The state of this run, saved through `services.remember`; a save that fails is reported
    through `notify` and never stops the app. A position holds only for the site the profile
    names in `settings`' config now."""

    def __init__(self, services: Services, settings: Settings, notify: Notify) -> None:
        self._services = services
        self._settings = settings
        self._notify = notify
        self.state = State()
        # The view and device of the command line, until the first application opened takes them.
        self._asked: tuple[str | None, str | None] | None = None
        if services.overrides.view or services.overrides.device:
            self._asked = (services.overrides.view, services.overrides.device)
        # Where each application was left in this run, by profile and application id.
        self._left: dict[tuple[str, str], Position] = {}

    def load(self) -> None:
        self.state = self._services.load_state(self._settings.config)
        if self._services.demo:  # its state lives in memory: a new demo remembers nothing
            self._notify(DEMO_STARTS_FRESH, title="Demo", timeout=8)

    def position(self, profile: str) -> Position | None:
        """Where the last run left off with `profile`; None when nothing is remembered, or
        when it was with another site than the one the profile names now (another org)."""
        return self._same_site(profile, self.state.profiles.get(profile))

    def _same_site(self, profile: str, left_off: Position | None) -> Position | None:
        stored = self._settings.config.profiles.get(profile)
        if left_off is None or stored is None:
            return None
        if left_off.site is not None and left_off.site != stored.site_key:
            return None
        return left_off

    def application_id(self, profile: str) -> str | None:
        left_off = self.position(profile)
        return left_off.application_id if left_off is not None else None

    def in_application(self, profile: str, app_id: str) -> Position | None:
        """Where `app_id` was left with `profile`: in this run, else by the last run."""
        left_off = self.position(profile)
        if left_off is not None and left_off.application_id == app_id:
            return left_off
        return self._same_site(profile, self._left.get((profile, app_id)))

    def opening(self, profile: str, app_id: str) -> Place:
        """Where to open `app_id`: where it was left, with the view and device the command line
        asked for if it is the first one opened. `opened` then remembers it (the app sends the
        place's list first: see Place.first_list)."""
        shown = self.in_application(profile, app_id)
        place = Place.of(shown)
        if self._asked is not None:
            place, self._asked = place.asked(*self._asked), None
        return place

    def opened(self, profile: str, app_id: str, place: Place) -> None:
        """`app_id` opens at `place` (from `opening`): from now on the application remembered."""
        self.remember(
            profile,
            app_id=app_id,
            view=place.view,
            device=place.device,
            sort=place.sort,
            row_filter=place.row_filter,
            cursor_id=place.cursor_id,
        )

    def left(self, profile: str, place: BrowserScreen.PositionChanged | None) -> None:
        """Where a browser was left (or moved to): given back when its application opens again."""
        if place is not None:
            self.remember(
                profile,
                view=place.view,
                device=place.device,
                sort=place.sort,
                row_filter=place.row_filter,
                cursor_id=place.cursor_id,
            )

    def remember(
        self,
        profile: str,
        *,
        app_id: str | None = None,
        view: str | None,
        device: str | None,
        sort: tuple[str, bool] | None,
        row_filter: str | None = None,
        cursor_id: str | None = None,
    ) -> None:
        """`app_id` None keeps the application remembered."""
        stored = self._settings.config.profiles.get(profile)
        if stored is None:  # keys from the environment, a site from a flag or DD_SITE: this run only
            return
        left_off = self.position(profile)
        if app_id is None and left_off is not None:
            app_id = left_off.application_id
        column, reverse = sort or (None, False)
        position = Position(
            site=stored.site_key,
            application_id=app_id,
            view_name=view,
            device_type=device,
            sort_column=column,
            sort_reverse=reverse,
            row_filter=row_filter or None,
            cursor_id=cursor_id,
        )
        if app_id is not None:
            self._left[(profile, app_id)] = position
        if position == left_off:
            return
        self.state.profiles[profile] = position
        self._save(profile, position)

    def forget(self, profile: str) -> None:
        """A clean start: the application, view and device the last run showed are forgotten,
        and so is what the command line asked for."""
        self._asked = None
        self._left = {key: place for key, place in self._left.items() if key[0] != profile}
        if profile in self.state.profiles:
            del self.state.profiles[profile]
            self._save(profile, None)

    def _save(self, profile: str, position: Position | None) -> None:
        try:
            self._services.remember(profile, position)
        except StateError as exc:
            self._notify(str(exc), title="Could not save where you left off", severity="warning", timeout=10)
        except ValueError:  # UnicodeEncodeError: a name from the server with a lone surrogate
            self._notify(
                "A view or name to remember holds a character no file can store; "
                "where you left off was not saved.",
                title="Could not save where you left off",
                severity="warning",
                timeout=10,
            )
