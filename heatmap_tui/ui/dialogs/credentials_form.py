"""Ask for a site's API key and application key, check them against it, and store them.

The keys are masked while typed and never shown again (only their last 4 characters, elsewhere).
They are stored in the OS keyring only once the site accepts them. Without a keyring they are
checked and then used for this run only, and the form says that DD_API_KEY and DD_APP_KEY work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pydantic import SecretStr
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.credentials import ENV_API_KEY, ENV_APP_KEY, CredentialsError, KeyRejected
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.keyring_access import KeyKind, KeyringProblem, KeyringUnavailable
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import Site
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.safe import safe
from heatmap_tui.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from heatmap_tui.ui.services import Services

NO_KEYRING = (
    "No OS keyring is available here, so the keys cannot be stored: they will be checked and "
    f"used for this session only. To skip this step next time, set {ENV_API_KEY} and {ENV_APP_KEY} "
    "in the environment."
)
WHERE_TO_FIND = "Find them in Datadog under Organization Settings → API Keys and Application Keys."


@dataclass(frozen=True, slots=True)
class CredentialsResult:
    auth: ApiAuth
    stored: bool  # False: kept in memory for this run only
    message: str


class CredentialsForm(Dialog[CredentialsResult | None]):
    """Dismisses with the checked keys, or None when cancelled."""

    DEFAULT_CSS = """
    CredentialsForm {
        #credentials {
            width: 84;
            max-width: 98%;
            max-height: initial;
        }
        Label { color: $text-muted; }
        Input { margin: 0 0 1 0; }
        #cred-intro, #cred-note { color: $text-muted; margin: 0 0 1 0; }
        #cred-note.-warning { color: $text-warning; }
        #cred-error { color: $text-error; background: $error 10%; padding: 0 1; margin: 0 0 1 0; }
        #cred-error.-empty { display: none; }
        #cred-busy { height: 1; margin: 0 0 1 0; }
        #cred-busy LoadingIndicator { width: 4; height: 1; }
        #cred-busy Static { color: $text-muted; }
        #cred-busy.-idle { display: none; }
        #cred-buttons { height: auto; align-horizontal: right; }
        #cred-buttons Button { margin: 0 0 0 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            "Check and save",
            priority=True,
            tooltip="Check the keys and save them",
            id="credentials.save",
        ),
        Binding("escape", "cancel", "Cancel", id="credentials.cancel"),
    ]

    AUTO_FOCUS = "#api-key"

    def __init__(self, services: Services, profile: str, site: Site, *, reason: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.profile = profile
        self.site = site
        self.reason = reason
        self.keyring_available: bool | None = None  # None: not known yet
        self.validating = False

    def compose(self) -> ComposeResult:
        with Vertical(id="credentials", classes="dialog") as box:
            box.border_title = safe(f"Keys for {self.site.label} · profile {self.profile}")
            intro = (
                self.reason
                or f"heatmap-tui needs an API key and an application key of your {self.site.label} organization."
            )
            yield Static(visible(f"{intro} {WHERE_TO_FIND}"), id="cred-intro", markup=False)
            yield Label("API key", markup=False)
            yield Input(password=True, placeholder="32 characters", id="api-key")
            yield Label("Application key", markup=False)
            yield Input(password=True, placeholder="40 characters", id="app-key")
            yield Static("", id="cred-error", classes="-empty", markup=False)
            with Horizontal(id="cred-busy", classes="-idle"):
                yield LoadingIndicator()
                yield Static(
                    f"Validating the keys with {self.site.label}…", id="cred-busy-text", markup=False
                )
            yield Static("Checking the OS keyring…", id="cred-note", markup=False)
            with Horizontal(id="cred-buttons"):
                yield Button("Cancel", id="cred-cancel")
                yield Button("Check and save", variant="primary", id="cred-save")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.check_keyring()

    @work(exclusive=True, group="keyring")
    async def check_keyring(self) -> None:
        status = await self.services.keyring_status()
        self._set_keyring(status.available, status.backend)

    def _set_keyring(self, available: bool, backend: str) -> None:
        self.keyring_available = available
        note = self.query_one("#cred-note", Static)
        note.set_class(not available, "-warning")
        if available:
            note.update(
                visible(
                    f"The keys are checked against {self.site.label}, then stored in the OS keyring ({backend})."
                )
            )
            self.query_one("#cred-save", Button).label = "Check and save"
        else:
            note.update(NO_KEYRING)
            self.query_one("#cred-save", Button).label = "Check and use"

    # --- inputs and buttons ------------------------------------------------------

    @on(Input.Submitted, "#api-key")
    def _api_key_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#app-key", Input).focus()

    @on(Input.Submitted, "#app-key")
    def _app_key_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Input.Changed)
    def _typed(self) -> None:
        self._show_error(None)

    @on(Button.Pressed, "#cred-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cred-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "submit")
        self.dismiss(None)

    def action_save(self) -> None:
        if self.validating:
            return
        api_key = self.query_one("#api-key", Input).value.strip()
        app_key = self.query_one("#app-key", Input).value.strip()
        missing = [
            label for label, value in (("API key", api_key), ("application key", app_key)) if not value
        ]
        if missing:
            self._show_error(f"Type the {' and the '.join(missing)}.")
            self.query_one("#api-key" if not api_key else "#app-key", Input).focus()
            return
        self.submit(api_key, app_key)

    # --- checking ----------------------------------------------------------------

    @work(exclusive=True, group="submit")
    async def submit(self, api_key: str, app_key: str) -> None:
        self._busy(True)
        try:
            result = await self._check(api_key, app_key)
        except (CredentialsError, KeyringProblem, ApiError) as exc:
            self._busy(False)
            self._failed(exc)
            return
        self._busy(False)
        self.dismiss(result)

    def _failed(self, exc: Exception) -> None:
        message = str(exc)
        if isinstance(exc, ApiError):  # the check itself failed (network, server error...)
            message = f"{exc} The keys were not checked, so nothing was stored."
        self._show_error(message)
        wrong = exc.kind if isinstance(exc, KeyRejected) else KeyKind.API_KEY
        self.query_one("#app-key" if wrong is KeyKind.APP_KEY else "#api-key", Input).focus()

    async def _check(self, api_key: str, app_key: str) -> CredentialsResult:
        services = self.services
        if self.keyring_available is None:
            status = await services.keyring_status()
            self._set_keyring(status.available, status.backend)
        if self.keyring_available:
            auth = ApiAuth(api_key=SecretStr(api_key), app_key=SecretStr(app_key))
            try:
                saved = await services.save_keys(self.profile, self.site, api_key, app_key)
            except KeyringUnavailable:  # found out only now: check the keys without storing them
                self._set_keyring(False, "none")
            except KeyringProblem as exc:  # raised once the keys were checked, while storing them
                reason = str(exc)
                return self._for_session(
                    auth, f"The keys work with {self.site.label}, but {reason[:1].lower()}{reason[1:]}"
                )
            else:
                return CredentialsResult(auth, True, saved.message)
        auth = ApiAuth(api_key=SecretStr(api_key), app_key=SecretStr(app_key))
        await services.validate(self.site, auth)
        return self._for_session(
            auth, f"The keys work with {self.site.label}. No OS keyring could store them."
        )

    def _for_session(self, auth: ApiAuth, why: str) -> CredentialsResult:
        self.services.keep_for_session(self.profile, auth)
        message = (
            f"{why} They are used for this session only; set {ENV_API_KEY} and {ENV_APP_KEY} to skip "
            "this step next time."
        )
        return CredentialsResult(auth, False, message)

    def _busy(self, busy: bool) -> None:
        self.validating = busy
        self.query_one("#cred-busy").set_class(not busy, "-idle")
        for widget in self.query("#credentials Input, #cred-save"):
            widget.disabled = busy

    def _show_error(self, message: str | None) -> None:
        error = self.query_one("#cred-error", Static)
        error.update(visible(message or ""))
        error.set_class(not message, "-empty")
