"""Pick the Datadog site (or a custom API URL) and the profile to use it with."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from heatmap_tui.core.config import InvalidProfileName, check_profile_name
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import (
    SITES,
    Site,
    SiteError,
    confirmation_question,
    custom_site,
    needs_confirmation,
)
from heatmap_tui.ui.safe import SafeInput
from heatmap_tui.ui.widgets.busy import busy_during
from heatmap_tui.ui.widgets.key_footer import KeyFooter
from heatmap_tui.ui.widgets.vim_keys import VimOptionList

CUSTOM = "custom"
CUSTOM_PLACEHOLDER = "https://… or http://127.0.0.1:8126 (plain http on loopback only)"
KEYS_HINT = "enter uses the highlighted site · c custom URL · p profile · tab next field"
CHECKING_HINT = "Checking the keys of this profile with the site…"


def site_option(site: Site, current: Site | None) -> Option:
    """`current`: the site the profile uses now, marked as such."""
    text = Text.assemble(
        (f"{site.name:<12}", "bold"),
        (f"{visible(site.domain):<22}", ""),
        (f"{site.web_host:<22}", "dim"),
        ("● current" if current == site else "", "green"),
    )
    return Option(text, id=site.name)


def custom_option(current: Site | None) -> Option:
    text = Text.assemble(
        (f"{'Custom URL…':<12}", "bold"),
        (f"{'your own server or a proxy':<44}", "dim"),
        ("● current" if current is not None and current.is_custom else "", "green"),
    )
    return Option(text, id=CUSTOM)


class SitePicker(Screen[None]):
    """Posts `SitePicker.Chosen(profile, site, picker)`; the App moves on to the keys or the
    applications, and gives the picker the worker that does so (busy_while), so that a slow
    keyring or site shows."""

    DEFAULT_CSS = """
    SitePicker {
        align: center middle;
        #site-picker {
            width: 96;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $primary;
            border-title-color: $text;
            border-title-style: bold;
            background: $surface;
            padding: 1 2 0 2;
        }
        .hint { color: $text-muted; }
        .row { height: auto; }
        .row Label { padding: 1 1 0 0; width: 9; }
        #profile-input { width: 32; }
        #profile-hint { padding: 1 0 0 1; width: 1fr; }
        .error { color: $text-error; padding: 0 0 0 9; height: auto; }
        .error.-empty { display: none; }
        #sites { height: auto; max-height: 14; margin: 1 0 0 0; border: round $border; background: $surface; }
        #sites:focus { border: round $primary; }
        #custom-url { width: 1fr; }
        #site-keys { margin: 1 0 0 0; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Use site", tooltip="Use the highlighted site", id="sites.choose"),
        Binding("j", "move(1)", "Down", show=False, tooltip="Next site", id="sites.down"),
        Binding("k", "move(-1)", "Up", show=False, tooltip="Previous site", id="sites.up"),
        Binding("c", "custom", "Custom URL", tooltip="Type a custom API URL", id="sites.custom"),
        Binding(
            "p",
            "profile",
            "Profile",
            tooltip="Type the profile name (a new name creates a profile)",
            id="sites.profile",
        ),
        Binding("escape", "back", "Back", id="sites.back"),
    ]

    class Chosen(Message):
        def __init__(self, profile: str, site: Site, picker: SitePicker) -> None:
            super().__init__()
            self.profile = profile
            self.site = site
            self.picker = picker

    def __init__(
        self, profile: str, profiles: Sequence[str], current: Site | None, *, configured: bool = True
    ) -> None:
        """`current` is preselected; `configured=False` says it is only a guess (not marked).

        An empty `profile` asks for a new profile's name first.
        """
        super().__init__()
        self.profile = profile
        self.profiles = list(profiles)
        self.current = current
        self.configured = configured
        self._confirming: str | None = None  # a custom URL shown with its trust question

    def compose(self) -> ComposeResult:
        with Vertical(id="site-picker") as box:
            box.border_title = "heatmap-tui · Datadog site"
            yield Static(
                "Choose the site of your organization: it is in the address you sign in at "
                "(app.datadoghq.eu is EU1, us5.datadoghq.com is US5).",
                classes="hint",
                markup=False,
            )
            marked = self.current if self.configured else None
            options = [site_option(site, marked) for site in SITES]
            yield VimOptionList(*options, custom_option(marked), id="sites", markup=False)
            with Horizontal(classes="row"):
                yield Label("URL", markup=False)
                custom = (
                    self.current.custom_url if self.current is not None and self.current.is_custom else ""
                )
                yield SafeInput(custom or "", placeholder=CUSTOM_PLACEHOLDER, id="custom-url")
            yield Static("", id="custom-error", classes="error -empty", markup=False)
            with Horizontal(classes="row"):
                yield Label("Profile", markup=False)
                yield SafeInput(
                    self.profile,
                    placeholder="a name, e.g. prod",
                    id="profile-input",
                    suggester=SuggestFromList(self.profiles, case_sensitive=True),
                )
                yield Static(visible(self._profile_hint()), id="profile-hint", classes="hint", markup=False)
            yield Static("", id="profile-error", classes="error -empty", markup=False)
            yield Static(KEYS_HINT, id="site-keys", classes="hint", markup=False)
        yield KeyFooter()

    def _profile_hint(self) -> str:
        others = [name for name in self.profiles if name != self.profile]
        known = f"other profiles: {', '.join(others)}; " if others else ""
        return f"{known}a new name creates a profile"

    def on_mount(self) -> None:
        sites = self.query_one("#sites", OptionList)
        if self.current is not None and self.current.is_custom:
            sites.highlighted = len(SITES)
        elif self.current is not None:
            sites.highlighted = next((i for i, s in enumerate(SITES) if s.name == self.current.name), 0)
        else:
            sites.highlighted = 0
        if self.profile:
            sites.focus()
        else:
            self.query_one("#profile-input", Input).focus()

    # --- actions -----------------------------------------------------------------

    def action_move(self, step: int) -> None:
        sites = self.query_one("#sites", OptionList)
        sites.action_cursor_down() if step > 0 else sites.action_cursor_up()

    def action_custom(self) -> None:
        self.query_one("#sites", OptionList).highlighted = len(SITES)
        self.query_one("#custom-url", Input).focus()

    def action_profile(self) -> None:
        self.query_one("#profile-input", Input).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#sites", OptionList).focus()
        elif len(self.app.screen_stack) > 2 and self.app.screen is self:
            self.dismiss(None)

    def action_choose(self) -> None:
        sites = self.query_one("#sites", OptionList)
        if sites.highlighted is not None:
            self._choose_option(sites.get_option_at_index(sites.highlighted))

    @on(OptionList.OptionSelected, "#sites")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose_option(event.option)

    def _choose_option(self, option: Option) -> None:
        if option.id == CUSTOM:
            custom = self.query_one("#custom-url", Input)
            if custom.value.strip():
                self._choose_custom(custom.value)
            else:
                custom.focus()
            return
        site = next(s for s in SITES if s.name == option.id)
        self._finish(site)

    @on(Input.Submitted, "#custom-url")
    def _custom_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose_custom(event.value)

    @on(Input.Submitted, "#profile-input")
    def _profile_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._checked_profile() is not None:
            self.query_one("#sites", OptionList).focus()

    @on(Input.Changed, "#custom-url")
    def _custom_changed(self) -> None:
        self._error("#custom-error", None)
        self._confirming = None

    @on(Input.Changed, "#profile-input")
    def _profile_changed(self) -> None:
        self._error("#profile-error", None)

    def _error(self, selector: str, message: str | None) -> None:
        error = self.query_one(selector, Static)
        error.update(visible(message or ""))
        error.set_class(not message, "-empty")

    def _choose_custom(self, url: str) -> None:
        if not url.strip():
            self._error(
                "#custom-error", "Type the API base URL, e.g. http://127.0.0.1:8126 for `heatmap-tui serve`."
            )
            return
        try:
            site = custom_site(url)
        except SiteError as exc:
            self._error("#custom-error", str(exc))
            self.query_one("#custom-url", Input).focus()
            return
        profile = self.query_one("#profile-input", Input).value.strip()
        if (
            profile == self.profile
            and self.current is not None
            and self.current.trusted
            and self.current == site
        ):
            site = self.current  # trusted for this profile already: asked once
        elif needs_confirmation(site):  # a host that is not Datadog's: enter again says yes
            if self._confirming != site.custom_url:
                self._confirming = site.custom_url
                question = confirmation_question(site, profile or "new")
                self._error("#custom-error", f"{question} Press enter again to trust it.")
                self.query_one("#custom-url", Input).focus()
                return
            site = dataclasses.replace(site, trusted=True)
        self._finish(site)

    def _checked_profile(self) -> str | None:
        profile_input = self.query_one("#profile-input", Input)
        try:
            return check_profile_name(profile_input.value.strip())
        except InvalidProfileName as exc:
            self._error("#profile-error", str(exc))
            profile_input.focus()
            return None

    def _finish(self, site: Site) -> None:
        profile = self._checked_profile()
        if profile is not None:
            self.post_message(self.Chosen(profile, site, self))

    def busy_while(self, worker: Worker[Any]) -> None:
        """The App looks for the keys and tries them on the site chosen: if that is slow, the
        sites show it is waiting, and the hint says for what."""

        def tell(shown: bool) -> None:
            self.query_one("#site-keys", Static).update(CHECKING_HINT if shown else KEYS_HINT)

        busy_during(self.query_one("#sites", OptionList), worker, sign=tell)
