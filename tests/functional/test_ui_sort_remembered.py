"""The sort is remembered with the view and device: the next run opens the browser sorted so."""

from __future__ import annotations

from pathlib import Path

from heatmap_tui.core.config import Config, Profile, save_config
from heatmap_tui.devserver import DevServer
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


async def test_the_sort_comes_back_at_the_next_run(server: DevServer, config_path: Path) -> None:
    profile = Profile(site="EU1", last_application_id=app_id(server), last_view_name="/cart")
    save_config(Config(active_profile="default", profiles={"default": profile}), config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen) and browser.table.model.sort_column is None
        await pilot.press("6", "6")  # by modified, then flipped: newest first
        await settle(pilot)
        model = browser.table.model
        assert (model.sort_column, model.sort_reverse) == ("modified", True)
        order = [row.snapshot.id for row in model.shown]
        position = saved_position()
        assert position is not None
        assert (position.view_name, position.sort_column, position.sort_reverse) == (
            "/cart",
            "modified",
            True,
        )

    again = shell_app(server, config_path, env=DEMO_ENV)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = again.screen
        assert isinstance(browser, BrowserScreen) and browser.view == "/cart"
        model = browser.table.model
        assert (model.sort_column, model.sort_reverse) == ("modified", True)
        assert [row.snapshot.id for row in model.shown] == order
        # Another view keeps the sort, and the state says so too.
        browser.apply_view("/home")
        await settle(pilot)
        position = saved_position()
        assert position is not None
        assert (position.view_name, position.sort_column, position.sort_reverse) == (
            "/home",
            "modified",
            True,
        )
