"""The keys form: checked against the site before storing, masked, plain about a missing keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.site_picker import SitePicker
from tests.apps.shell_app import (
    SIZE,
    config_path,
    notifications,
    server,
    settle,
    shell_app,
)

WRONG_APP_KEY = "0" * 40


def form(app: HeatmapApp) -> CredentialsForm:
    assert isinstance(app.screen, CredentialsForm)
    return app.screen


def text_of(app: HeatmapApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_form(pilot: Pilot[None], site_steps: int = 2) -> CredentialsForm:
    """From the first run's site picker to the keys form of US5 (two steps down from US1)."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, SitePicker)
    await pilot.press(*["j"] * site_steps, "enter")
    await settle(pilot)
    return form(pilot.app)  # type: ignore[arg-type]


async def type_keys(pilot: Pilot[None], api_key: str, app_key: str, *, really: bool = False) -> None:
    """Fill both fields and press enter in the second; `really` types every character."""
    if really:
        await pilot.press(*api_key, "enter", *app_key, "enter")
    else:
        screen = form(pilot.app)  # type: ignore[arg-type]
        screen.query_one("#api-key", Input).value = api_key
        screen.query_one("#app-key", Input).value = app_key
        screen.query_one("#app-key", Input).focus()
        await pilot.press("enter")
    await settle(pilot)


@pytest.fixture
def keyring_fails() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


async def test_a_rejected_key_is_named_inline_kept_and_nothing_is_stored(
    server: DevServer,
    config_path: Path,
    secret_service_keyring: KeyringBackend,
    secret_service,  # type: ignore[no-untyped-def]
) -> None:
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_keys(pilot, DEMO_API_KEY, WRONG_APP_KEY, really=True)
        screen = form(app)
        assert text_of(app, "#cred-error") == "The application key was rejected by US5. Nothing was stored."
        assert screen.query_one("#api-key", Input).value == DEMO_API_KEY
        assert screen.query_one("#app-key", Input).value == WRONG_APP_KEY
        assert app.focused is screen.query_one("#app-key", Input)
        assert not screen.validating
        # Correcting the key goes on to the applications.
        screen.query_one("#app-key", Input).value = DEMO_APP_KEY
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
    assert secret_service.items() == {"default:api_key": DEMO_API_KEY, "default:app_key": DEMO_APP_KEY}


async def test_a_rejected_api_key_is_named_and_nothing_stored(
    server: DevServer,
    config_path: Path,
    secret_service_keyring: KeyringBackend,
    secret_service,  # type: ignore[no-untyped-def]
) -> None:
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_keys(pilot, "f" * 32, DEMO_APP_KEY)
        assert text_of(app, "#cred-error") == "The API key was rejected by US5. Nothing was stored."
        assert app.focused is form(app).query_one("#api-key", Input)
    assert secret_service.items() == {}
    assert not config_path.exists()


async def test_without_a_keyring_it_says_so_and_uses_the_keys_for_this_session(
    server: DevServer, config_path: Path, keyring_fails: None
) -> None:
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        note = text_of(app, "#cred-note")
        assert "No OS keyring is available" in note and "DD_API_KEY and DD_APP_KEY" in note
        assert str(form(app).query_one("#cred-save", Button).label) == "Check and use"
        await type_keys(pilot, DEMO_API_KEY, WRONG_APP_KEY)
        assert text_of(app, "#cred-error") == "The application key was rejected by US5."
        form(app).query_one("#app-key", Input).value = DEMO_APP_KEY
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        assert any("for this session only" in n for n in notifications(app))
        assert app.services.session_keys["default"].app_key is not None
    # The site and profile are remembered; the keys are not written anywhere.
    text = config_path.read_text()
    assert 'site = "US5"' in text
    assert DEMO_API_KEY not in text and DEMO_APP_KEY not in text


async def test_keys_never_appear_on_screen(server: DevServer, config_path: Path, keyring_fails: None) -> None:
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_keys(pilot, DEMO_API_KEY, WRONG_APP_KEY)
        svg = app.export_screenshot()
        assert "•" * 8 in svg
        for secret in (DEMO_API_KEY, WRONG_APP_KEY, DEMO_API_KEY[-12:], WRONG_APP_KEY[-12:]):
            assert secret not in svg


async def test_cancel_goes_back_to_the_site_picker(
    server: DevServer, config_path: Path, keyring_fails: None
) -> None:
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
    assert not config_path.exists()


async def test_empty_fields_are_named_inline(
    server: DevServer, config_path: Path, keyring_fails: None
) -> None:
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await pilot.press("ctrl+s")
        assert text_of(app, "#cred-error") == "Type the API key and the application key."
        assert server.count("GET", "/api/v2/validate_keys") == 0


def test_snapshot_credentials_form_with_a_rejection(  # type: ignore[no-untyped-def]
    server: DevServer, config_path: Path, secret_service_keyring: KeyringBackend, snap_compare
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_form(pilot)
        await type_keys(pilot, DEMO_API_KEY, WRONG_APP_KEY)

    assert snap_compare(shell_app(server, config_path), terminal_size=SIZE, run_before=run_before)


class RefusesToStore(KeyringBackend):
    """A keyring that answers, but fails when asked to store (a collection that locks midway)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("nothing there")


async def test_valid_keys_the_keyring_cannot_store_are_used_for_the_session(
    server: DevServer, config_path: Path
) -> None:
    from heatmap_tui.core.keyring_access import KeyringStore

    app = shell_app(server, config_path, store=KeyringStore(RefusesToStore()))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_keys(pilot, DEMO_API_KEY, DEMO_APP_KEY)
        assert isinstance(app.screen, AppPicker)
        [message] = [n for n in notifications(app) if "session only" in n]
        assert message.startswith("The keys work with US5, but the OS keyring (")
        assert "failed: the collection is locked." in message
