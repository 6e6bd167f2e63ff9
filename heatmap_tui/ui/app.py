"""HeatmapApp: the shell that walks site -> keys -> application -> snapshot browser.

It starts where the last run left off (the config's active profile, and the application, view
and device the state file remembers for it) and otherwise walks the first-run flow. The screen
stack mirrors the path taken, so escape always goes back one step. Everything it talks to comes
in `Services`; the config edits are `Settings` (ui/settings.py), where it left off is `LeftOff`
(ui/left_off.py), and a run that dies is watched by `CrashWatch` (ui/crash.py).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.config import Config
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.credentials import CredentialsError, InvalidKey, ResolvedCredentials, Source
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.keyring_access import KeyringUnavailable
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import Site, SiteError
from heatmap_tui.ui.crash import CrashWatch, tracebacks_without_locals
from heatmap_tui.ui.left_off import LeftOff, Place
from heatmap_tui.ui.palette import HeatmapCommands
from heatmap_tui.ui.services import Services
from heatmap_tui.ui.settings import Settings

if TYPE_CHECKING:
    from heatmap_tui.core.rum_models import ViewCount

    # Imported where they are used: a start straight into the browser needs none of them but
    # the browser, imported once its view's list is sent (it travels meanwhile).
    from heatmap_tui.ui.dialogs.credentials_form import CredentialsResult
    from heatmap_tui.ui.screens.app_picker import AppPicker
    from heatmap_tui.ui.screens.browser import BrowserScreen
    from heatmap_tui.ui.screens.site_picker import SitePicker


class HeatmapApp(App[None]):
    TITLE = "heatmap-tui"
    COMMANDS: ClassVar = {HeatmapCommands}
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
        Binding(
            "question_mark,f1", "help", "Help", tooltip="Show the keys of the current screen", id="app.help"
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            tooltip="Open the command palette",
            id="app.command_palette",
        ),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.settings = Settings(services, self.notify)
        self.left_off = LeftOff(services, self.settings, self.notify)
        self.profile = "default"
        self.site: Site | None = None
        self.connection: Connection | None = None
        self.read_only = services.read_only
        self._first_start = True
        # The note that a run died (ui/crash.py).
        self.crash_watch = CrashWatch(services.crash_marker)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of the app: messages carry names and server text, so never markup.

        Screens and widgets reach this through Widget.notify; `markup` is ignored on purpose.
        """
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )

    @property
    def config(self) -> Config:
        return self.settings.config

    def compose(self) -> ComposeResult:
        yield Static("heatmap-tui · starting…", id="splash", markup=False)

    def on_mount(self) -> None:
        if not self.is_headless and _on_a_terminal():
            self.set_interval(1.0, self._exit_if_the_terminal_is_gone)
        self.settings.load()
        self.set_keymap(self.settings.keymap())
        if theme := self.settings.theme(self.available_themes):
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self.settings.theme_changed)
        self.profile = self.services.overrides.profile or self.config.active_name()
        self.left_off.load()
        if (note := self.crash_watch.last_run()) is not None:  # say so; offer not to resume into it
            from heatmap_tui.ui.dialogs.crash_offer import CrashOffer

            self.push_screen(CrashOffer(note), self._crash_offer_answered)
            return
        self.start()

    def _exit_if_the_terminal_is_gone(self) -> None:
        """A closed terminal (a killed tmux, a dropped ssh) does not always send SIGHUP: under
        `make demo` none came, and Textual's input thread then read end-of-file in a busy loop
        forever. Once the terminal is gone, the run ends as a hang-up would end it."""
        if not _on_a_terminal():
            self.exit(return_code=129)  # 128 + SIGHUP, as a shell reports a hang-up

    async def on_unmount(self) -> None:
        self.crash_watch.exited()
        if self.connection is not None:
            await self.connection.close()

    def _handle_exception(self, error: Exception) -> None:
        """The app dies of `error` (Textual exits after this): leave the note the next start reads,
        so that it offers a clean start instead of resuming into the same failure."""
        try:
            where = type(self.screen).__name__
        except Exception:  # no screen yet, or the stack is what broke
            where = ""
        self.crash_watch.died(error, where)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual's crash report, without the locals that would show the keys (ui/crash.py)."""
        with tracebacks_without_locals():
            super()._fatal_error()

    def _crash_offer_answered(self, clean: bool | None) -> None:
        self.crash_watch.answered()
        if clean is not False:
            self.left_off.forget(self.profile)
        self.start(clean=clean is not False)

    # --- the flow ------------------------------------------------------------------

    @work(exclusive=True, group="flow")
    async def start(self, site: Site | None = None, *, clean: bool = False) -> None:
        """Go as far as the config and the keys allow: browser, else applications, else sites.
        `clean`: never into an application (the one the last run died in, say)."""
        first, self._first_start = self._first_start, False
        stored = self.config.profiles.get(self.profile)
        remembered_app = self.left_off.application_id(self.profile)
        try:
            creds = await self.services.resolve(self.profile, self.config, site)
        except SiteError as exc:
            self.notify(str(exc), title="Cannot use that site", severity="error", timeout=10)
            await self.show_sites()
            return
        except InvalidKey as exc:  # a key from a flag, the environment or the keyring
            self.notify(str(exc), title="Cannot use that key", severity="error", timeout=10)
            await self.show_sites()
            return
        self.site = creds.site
        self._tell_keyring_problem(creds)
        new_profile = stored is None and creds.site_source is Source.DEFAULT
        if new_profile or not creds.is_complete:
            await self.show_sites()
            return
        await self._connect(creds.auth)
        app_id = (self.services.overrides.application_id if first else None) or remembered_app
        if app_id and not clean:
            await self._open_application(app_id, None, from_start=True)  # in this worker: no hop
        else:
            await self.show_apps()

    def _tell_keyring_problem(self, creds: ResolvedCredentials) -> None:
        problem = creds.keyring_problem
        # An absent keyring is explained by the keys form; a locked or hung one is news.
        if problem is not None and not isinstance(problem, KeyringUnavailable) and not creds.is_complete:
            self.notify(str(problem), title="OS keyring", severity="warning", timeout=10)

    async def _reset_stack(self) -> None:
        while len(self.screen_stack) > 1:
            await self.pop_screen()

    async def _connect(self, auth: ApiAuth) -> None:
        assert self.site is not None
        old = self.connection
        self.connection = self.services.open_connection(
            self.profile, self.site, auth, self.config.preferences.page_limit
        )
        await self._reset_stack()  # the screens of the old connection go with it
        if old is not None:
            await old.close()

    async def show_sites(self, *, new_profile: bool = False, over: bool = False) -> None:
        """The site picker alone, or `over` the current screens (escape goes back to them)."""
        from heatmap_tui.ui.screens.site_picker import SitePicker

        if not over:
            await self._reset_stack()
        profile = "" if new_profile else self.profile
        configured = self.profile in self.config.profiles
        await self.push_screen(
            SitePicker(profile, list(self.config.profiles), self.site, configured=configured)
        )

    def _left_browser(self, place: BrowserScreen.PositionChanged | None) -> None:
        self._remember_place(place)
        self.call_later(self.show_apps)

    def _remember_place(self, place: BrowserScreen.PositionChanged | None) -> None:
        self.left_off.left(self.profile, place)

    def _remember_browsers(self) -> None:
        """The row filter and cursor of a browser about to go are remembered on the way out."""
        from heatmap_tui.ui.screens.browser import BrowserScreen

        for screen in self.screen_stack:
            if isinstance(screen, BrowserScreen):
                self._remember_place(screen.place())

    async def show_apps(self) -> None:
        assert self.connection is not None
        await self._reset_stack()
        await self.push_screen(self._app_picker())

    def _app_picker(self) -> AppPicker:
        from heatmap_tui.ui.screens.app_picker import AppPicker

        assert self.connection is not None
        last = self.left_off.application_id(self.profile)
        return AppPicker(self.connection, last_application_id=last)

    def on_site_picker_chosen(self, message: SitePicker.Chosen) -> None:
        message.picker.busy_while(self.use_site(message.profile, message.site))

    @work(exclusive=True, group="flow")
    async def use_site(self, profile: str, site: Site) -> None:
        from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm

        self.profile, self.site = profile, site
        try:
            creds = await self.services.resolve(profile, self.config, site)
        except SiteError as exc:
            self.notify(str(exc), severity="error")
            return
        except InvalidKey as exc:  # keys typed in the form take the place of the unusable one
            self.push_screen(
                CredentialsForm(self.services, profile, site, reason=str(exc)), self._keys_entered
            )
            return
        self._tell_keyring_problem(creds)
        reason = f"No keys for profile {profile!r} were found in the environment or the OS keyring."
        if creds.is_complete:
            try:  # the site is written to the profile only once the keys work there
                await self.services.validate(site, creds.auth)
            except (CredentialsError, ApiError) as exc:
                reason = f"The keys found in the environment or the OS keyring did not work: {exc}"
            else:
                self.settings.remember_site(profile, site)
                await self._connect(creds.auth)
                await self.show_apps()
                return
        self.push_screen(CredentialsForm(self.services, profile, site, reason=reason), self._keys_entered)

    def _keys_entered(self, result: CredentialsResult | None) -> None:
        if result is None:
            return
        self.notify(result.message, title="Keys accepted", timeout=8)
        assert self.site is not None
        self.settings.remember_site(self.profile, self.site)
        self.use_keys(result.auth)

    @work(exclusive=True, group="flow")
    async def use_keys(self, auth: ApiAuth) -> None:
        await self._connect(auth)
        await self.show_apps()

    def on_app_picker_chosen(self, message: AppPicker.Chosen) -> None:
        message.picker.busy_while(self.open_application(message.application_id, message.name))

    def on_app_picker_keys_wanted(self) -> None:
        self.action_enter_keys()

    async def on_app_picker_back_wanted(self) -> None:
        if not self._stays_in_demo():
            await self.show_sites()

    def _stays_in_demo(self) -> bool:
        """In the demo, say why another site, profile or keys are not offered; True if so."""
        if self.services.demo:
            self.notify(
                "The demo runs on its own server with its own keys. Run heatmap-tui (without "
                "demo) to use your Datadog site and keys.",
                title="Demo",
                timeout=8,
            )
        return self.services.demo

    @work(exclusive=True, group="flow")
    async def open_application(self, app_id: str, name: str | None) -> None:
        await self._open_application(app_id, name)

    async def _open_application(self, app_id: str, name: str | None, *, from_start: bool = False) -> None:
        """Open the browser on the app (escape goes back to the app picker). With a view to show,
        its list is sent first and the browser built while it travels (Connection.list_early);
        the app's name and views come after it, in the background. Without one, the app's views
        are discovered first and the busiest is shown."""
        connection = self.connection
        assert connection is not None
        place = self.left_off.opening(self.profile, app_id)
        if (first := place.first_list()) is not None:
            connection.list_early(*first, app_id)
        try:
            self.left_off.opened(self.profile, app_id, place)
            browser = await self._browser(connection, app_id, name, place)
            if from_start:
                await self._reset_stack()
        except BaseException:
            connection.drop_early()  # no browser will take it
            raise
        if from_start:
            # Escape goes back to the app picker, made only then: one screen less at start.
            await self.push_screen(browser, callback=self._left_browser)
        else:
            await self.push_screen(browser, callback=self._remember_place)
        if name is None:
            named = await self._application_name(connection, app_id)
            if named is not None and browser.is_mounted:
                browser.set_application_name(named)

    async def _browser(
        self, connection: Connection, app_id: str, name: str | None, place: Place
    ) -> BrowserScreen:
        from heatmap_tui.core import view_registry
        from heatmap_tui.ui.screens.browser import BrowserScreen

        found: list[ViewCount] | None = None
        if not place.view:
            try:
                found = await view_registry.discover(connection, app_id)
            except ApiError as exc:
                # The views only fill the view picker: without them the browser still works.
                self.notify(
                    f"{exc} Type a view name in the browser.", title="No views found", severity="warning"
                )
        return BrowserScreen(
            connection,
            app_id,
            application_name=name,
            discovered=found,
            views=view_registry.known_views(
                connection.profile, app_id, path=connection.views_path
            ),  # no traffic: the first
            initial_view=place.view or (found[0].name if found else None),
            initial_device=place.device,
            initial_sort=place.sort,
            initial_filter=place.row_filter or "",
            initial_cursor_id=place.cursor_id,
            read_only=self.read_only,
            clock=self.services.clock,
            trash=self.services.trash,
        )

    async def _application_name(self, connection: Connection, app_id: str) -> str | None:
        """What the org's list calls the app (None: the browser goes on showing the id)."""
        try:
            return await connection.application_name(app_id)
        except ApiError:
            return None

    def on_browser_screen_position_changed(self, message: BrowserScreen.PositionChanged) -> None:
        self._remember_place(message)

    # --- actions (keys and the command palette) ---------------------------------------

    async def action_quit(self) -> None:
        """ctrl+q. While a restore or a bulk delete runs (its dialog has `quit_question`), ask first."""
        if any(hasattr(screen, "quit_question") for screen in self.screen_stack):
            from heatmap_tui.ui.dialogs.bulk_progress import ask_before_quit

            if not ask_before_quit(self):
                return
        self._remember_browsers()
        self.exit()

    def action_help(self) -> None:
        from heatmap_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    async def _back_to(self, kind: type[Screen[Any]]) -> bool:
        """Pop the screens above the `kind` one in the stack; False when there is none."""
        if not any(isinstance(screen, kind) for screen in self.screen_stack):
            return False
        while not isinstance(self.screen, kind):
            await self.pop_screen()
        return True

    @work(exclusive=True, group="flow")
    async def action_switch_site(self) -> None:
        from heatmap_tui.ui.screens.site_picker import SitePicker

        if not self._stays_in_demo() and not await self._back_to(SitePicker):
            await self.show_sites(over=True)

    @work(exclusive=True, group="flow")
    async def action_switch_application(self) -> None:
        from heatmap_tui.ui.screens.app_picker import AppPicker

        self._remember_browsers()
        if not await self._back_to(AppPicker) and self.connection is not None:
            await self.show_apps()

    @work(exclusive=True, group="flow")
    async def action_new_profile(self) -> None:
        if not self._stays_in_demo():
            await self.show_sites(new_profile=True, over=True)

    def switch_profile(self, name: str) -> None:
        self.profile = name
        self.settings.choose_profile(name)
        try:
            self.start(self.config.profiles[name].resolve_site())
        except SiteError:  # checked when the config was read: only a hand-made Config gets here
            self.start()

    def action_enter_keys(self) -> None:
        from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm

        if self._stays_in_demo():
            return
        if self.site is None:
            self.action_switch_site()
            return
        reason = f"Type the keys to use for profile {self.profile!r} from now on."
        self.push_screen(
            CredentialsForm(self.services, self.profile, self.site, reason=reason), self._keys_entered
        )

    def action_toggle_read_only(self) -> None:
        if self.services.read_only:
            self.notify("Started with --read-only: restart without it to create, edit or delete snapshots.")
            return
        from heatmap_tui.ui.screens.browser import BrowserScreen

        self.read_only = not self.read_only
        for screen in self.screen_stack:
            if isinstance(screen, BrowserScreen):
                screen.read_only = self.read_only  # its watcher shows it; the keys follow
        self.notify("Read-only mode is on." if self.read_only else "Read-only mode is off.")


def _on_a_terminal() -> bool:
    """Whether the app's input is a terminal still (a hung-up one is no longer one)."""
    stdin = sys.__stdin__
    return stdin is not None and os.isatty(stdin.fileno())
