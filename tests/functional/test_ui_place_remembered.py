"""Issue 15, bug 1: coming back to an application gives back the row filter and the cursor's
snapshot along with the view, device and sort, after a quit as after leaving for the app picker."""

from __future__ import annotations

from pathlib import Path

from heatmap_tui.core.config import Config, Profile, save_config
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from tests.apps.shell_app import (
    DEMO_ENV,
    SIZE,
    app_id,
    config_path,
    saved_position,
    server,
    settle,
    shell_app,
)


def start_on_home(server: DevServer, config_path: Path) -> None:
    profile = Profile(site="EU1", last_application_id=app_id(server), last_view_name="/home")
    save_config(Config(active_profile="default", profiles={"default": profile}), config_path)


async def test_the_filter_and_the_cursor_come_back_after_a_quit(server: DevServer, config_path: Path) -> None:
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        await pilot.press("slash", *"desktop", "enter", "down", "down")
        await settle(pilot)
        cursor = browser.table.cursor_snapshot
        assert cursor is not None and browser.table.model.shown_count < browser.table.model.total_count
        await pilot.press("q")
        await settle(pilot)
    position = saved_position()
    assert position is not None and (position.row_filter, position.cursor_id) == ("desktop", cursor.id)

    again = shell_app(server, config_path, env=DEMO_ENV)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = again.screen
        assert isinstance(browser, BrowserScreen) and browser.view == "/home"
        assert browser.filter_bar.search_text == "desktop"
        assert browser.table.model.filter_text == "desktop"
        assert browser.table.cursor_snapshot is not None and browser.table.cursor_snapshot.id == cursor.id


async def test_the_cursor_comes_back_when_the_same_application_is_opened_again(
    server: DevServer, config_path: Path
) -> None:
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        await pilot.press("t", "down", "down", "down")  # the device, then three rows down
        await settle(pilot)
        device, cursor = browser.device, browser.table.cursor_snapshot
        assert device is not None and cursor is not None
        await pilot.press("escape")  # nothing marked, no filter: back to the applications
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        await pilot.press("enter")  # the same application is highlighted
        await settle(pilot)
        back = app.screen
        assert isinstance(back, BrowserScreen) and back is not browser
        assert (back.view, back.device) == ("/home", device)
        assert back.table.cursor_snapshot is not None and back.table.cursor_snapshot.id == cursor.id
