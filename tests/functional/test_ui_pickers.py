"""The site picker and the application picker, under Pilot against the embedded server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from heatmap_tui.core.config import Config, Profile, load_config, save_config
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.screens.app_picker import EMPTY_ORG, AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.site_picker import SitePicker
from tests.apps.shell_app import (
    DEMO_ENV,
    NOW,
    SIZE,
    app_id,
    config_path,
    notifications,
    saved_position,
    screen_names,
    server,
    settle,
    shell_app,
)


def text_of(app: HeatmapApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def app_names(app: HeatmapApp) -> list[str]:
    assert isinstance(app.screen, AppPicker)
    return [a.name for a in app.screen.shown]


def with_profile(path: Path, **profile: str | None) -> None:
    save_config(Config(active_profile="default", profiles={"default": Profile(**profile)}), path)  # type: ignore[arg-type]


@pytest.fixture
def empty_server() -> Iterator[DevServer]:
    with DevServer(seed=False, now=NOW) as srv:
        yield srv


# --- site picker -----------------------------------------------------------------


async def test_site_picker_preselects_the_profiles_site_and_marks_it(
    server: DevServer, config_path: Path
) -> None:
    with_profile(config_path, site="AP1")
    app = shell_app(server, config_path)  # no keys anywhere: the first-run flow
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sites = app.screen.query_one("#sites", OptionList)
        assert sites.highlighted == 4
        assert "● current" in str(sites.get_option_at_index(4).prompt)
        assert app.screen.query_one("#profile-input", Input).value == "default"


async def test_custom_url_is_checked_inline(server: DevServer, config_path: Path) -> None:
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        custom = app.screen.query_one("#custom-url", Input)
        assert app.focused is custom
        await pilot.press(*"http://example.com", "enter")
        assert "plain http is only allowed on loopback" in text_of(app, "#custom-error")
        assert custom.value == "http://example.com"
        custom.value = server.url
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        assert app.screen.connection.site.custom_url == server.url
    assert load_config(config_path).profiles["default"].api_url == server.url


async def test_a_new_profile_name_creates_the_profile(server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5")
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_new_profile()
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        assert app.focused is app.screen.query_one("#profile-input", Input)
        await pilot.press(*"bad name", "enter")
        assert "not a usable profile name" in text_of(app, "#profile-error")
        app.screen.query_one("#profile-input", Input).value = "staging"
        await pilot.press("enter")  # to the list
        await pilot.press("j", "enter")  # from US5, preselected, to EU1
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        assert app.profile == "staging"
    config = load_config(config_path)
    assert config.active_profile == "staging"
    assert config.profiles["staging"].site == "EU1"
    assert config.profiles["default"].site == "US5"


# --- application picker ------------------------------------------------------------


async def test_type_to_filter_and_preselect_the_last_choice(server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5", last_application_id=None)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app_names(app) == ["Shop Android", "Shop iOS", "Shop Web", "Legacy Portal"]
        await pilot.press("i", "o", "s")
        assert app_names(app) == ["Shop iOS"]
        await pilot.press("escape")  # clears the filter first, and Shop iOS stays highlighted
        assert len(app_names(app)) == 4
        assert isinstance(app.screen, AppPicker) and app.screen.table.cursor_row == 1
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen) and app.screen.application_name == "Shop Web"
        await pilot.press("escape")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AppPicker)
        assert picker.shown[picker.table.cursor_row].name == "Shop Web"


async def test_an_application_id_can_be_typed_by_hand(server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5")
    app = shell_app(server, config_path, env=DEMO_ENV)
    ios = app_id(server, "Shop iOS")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"not-an-app")
        assert app_names(app) == []
        assert "Press enter to open it as an application id" in text_of(app, "#apps-hint")
        app.screen.query_one("#apps-filter", Input).value = ios  # an id matches its row
        await pilot.pause()
        assert app_names(app) == ["Shop iOS"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen) and app.screen.application_id == ios


async def test_an_org_without_applications_says_so(empty_server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5")
    app = shell_app(empty_server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#apps-hint") == EMPTY_ORG
        await pilot.press(*"my-app-id", "enter")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        assert browser.application_id == "my-app-id" and browser.application_name == "my-app-id"
    position = saved_position()
    assert position is not None and position.application_id == "my-app-id"


async def test_an_api_error_is_plain_and_ctrl_r_retries(server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5")
    server.faults.fail_next(503, count=3, path_prefix="/api/v2/rum/applications")
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        hint = text_of(app, "#apps-hint")
        assert hint.startswith(
            "Could not list the RUM applications on US5: the Datadog server had an error (HTTP 503)"
        )
        assert "Press ctrl+r to try again." in hint
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(app_names(app)) == 4


async def test_rejected_keys_offer_new_keys(server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5")
    app = shell_app(server, config_path, env={**DEMO_ENV, "DD_APP_KEY": "0" * 40})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "ctrl+o to enter other keys" in text_of(app, "#apps-hint")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert type(app.screen).__name__ == "CredentialsForm"


# --- snapshots ----------------------------------------------------------------------


def test_snapshot_site_picker(server: DevServer, config_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    with_profile(config_path, site="EU1")
    assert snap_compare(shell_app(server, config_path), terminal_size=SIZE, run_before=settle)


def test_snapshot_app_picker(server: DevServer, config_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    with_profile(config_path, site="US5", last_application_id=app_id(server))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, HeatmapApp)
        app.action_switch_application()
        await settle(pilot)
        await pilot.press("s", "h", "o", "p")

    app = shell_app(server, config_path, env=DEMO_ENV)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_switching_site_from_the_browser_can_be_undone_with_escape(
    server: DevServer, config_path: Path
) -> None:
    with_profile(config_path, site="US5", last_application_id=app_id(server), last_view_name="/home")
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        app.action_switch_site()
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is browser
        app.action_switch_site()
        await settle(pilot)
        await pilot.press("j", "enter")  # US5 -> EU1: a new connection, so the applications again
        await settle(pilot)
        assert isinstance(app.screen, AppPicker) and app.screen.connection.site.name == "EU1"
        assert screen_names(app) == ["AppPicker"]
    assert load_config(config_path).profiles["default"].site == "EU1"
