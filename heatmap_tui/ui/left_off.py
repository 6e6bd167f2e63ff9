"""Where the app left off, by profile: the state file, written by the app itself, never the config.

The config says which profile and site the person chose; the state remembers the application,
view, device, sort, row filter and cursor last shown with each profile, so that the next start resumes there.
"""

from __future__ import annotations

from heatmap_tui.core.state import Position, State, StateError
from heatmap_tui.ui.notify import Notify
from heatmap_tui.ui.services import Services
from heatmap_tui.ui.settings import Settings


class LeftOff:
    """The state of this run, saved through `services.remember`; a save that fails is reported
    through `notify` and never stops the app. A position holds only for the site the profile
    names in `settings`' config now."""

    def __init__(self, services: Services, settings: Settings, notify: Notify) -> None:
        self._services = services
        self._settings = settings
        self._notify = notify
        self.state = State()

    def load(self) -> None:
        self.state = self._services.load_state(self._settings.config)

    def position(self, profile: str) -> Position | None:
        """Where the last run left off with `profile`; None when nothing is remembered, or
        when it was with another site than the one the profile names now (another org)."""
        left_off = self.state.profiles.get(profile)
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
        """Where the last run left off with `profile`, if that was in `app_id`."""
        left_off = self.position(profile)
        return left_off if left_off is not None and left_off.application_id == app_id else None

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
        if position == left_off:
            return
        self.state.profiles[profile] = position
        self._save(profile, position)

    def forget(self, profile: str) -> None:
        """A clean start: the application, view and device the last run showed are forgotten."""
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
