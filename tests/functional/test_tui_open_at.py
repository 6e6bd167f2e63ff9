"""Issue 15: `heatmap-tui tui --view V --device D` (and `heatmap-tui demo ...`) open the browser
exactly there, with no picker in the way. Each app is built as the command builds it (its parser,
its Services) against the dev server; usage errors are checked on the real command."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.cli_runner import Cli, many

from heatmap_tui.cli import build_parser, main
from heatmap_tui.commands.tui import demo_services_for, tui_services
from heatmap_tui.core.config import Config, Profile, save_config
from heatmap_tui.core.state import Position, remember
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from tests.apps.shell_app import DEMO_ENV, SIZE, app_id, config_path, screen_names, settle
from tests.functional.test_demo_place import browser_of, open_application

HOME_PLACE = {"view_name": "/home", "device_type": "desktop", "sort_column": "start", "row_filter": "pass"}


@pytest.fixture
def profile(devserver: DevServer, config_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    """A profile on the dev server, its keys in the environment (as `heatmap-tui` finds them)."""
    for name, value in DEMO_ENV.items():
        monkeypatch.setenv(name, value)
    profile = Profile(api_url=devserver.url)
    save_config(Config(active_profile="default", profiles={"default": profile}), config_path)
    return profile


def left_off_in(profile: Profile, application_id: str, **place: str) -> None:
    """What the state file says the last run left off with."""
    remember("default", Position(site=profile.site_key, application_id=application_id, **place))


def tui_app(*args: str) -> HeatmapApp:
    """The app `heatmap-tui tui ARGS` runs: the same parser, the same Services."""
    return HeatmapApp(tui_services(build_parser("tui").parse_args(["tui", *args])))


def devices_listed(browser: BrowserScreen) -> set[str]:
    return {s.device_type for s in browser.table.model.snapshots}


async def test_view_and_device_open_the_remembered_application_there(
    devserver: DevServer, profile: Profile
) -> None:
    left_off_in(profile, app_id(devserver), **HOME_PLACE)
    app = tui_app("--view", "/cart", "--device", "mobile")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(app)
        assert screen_names(app) == ["BrowserScreen"]  # no picker on the way
        assert (browser.application_name, browser.view, browser.device) == ("Shop Web", "/cart", "mobile")
        assert browser.table.model.total_count > 0 and devices_listed(browser) == {"mobile"}
        # The sort stays; the row filter belonged to the list of /home on desktop.
        assert (browser.table.model.sort_column, browser.table.model.filter_text) == ("start", "")
        await pilot.press("escape")  # the application picker comes only now, as after any start
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)


async def test_the_view_alone_lists_every_device_and_the_device_alone_keeps_the_view(
    devserver: DevServer, profile: Profile
) -> None:
    left_off_in(profile, app_id(devserver), **HOME_PLACE)
    app = tui_app("--view", "/cart")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(app)
        assert (browser.view, browser.device) == ("/cart", None)
        assert devices_listed(browser) == {"desktop", "mobile", "tablet"}
        await pilot.press("ctrl+q")
    app = tui_app("--device", "Tablet")  # the case does not matter
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(app)
        assert (browser.view, browser.device) == ("/cart", "tablet")  # where the last run left off
        assert devices_listed(browser) == {"tablet"}


async def test_the_same_view_and_device_keep_the_row_filter(devserver: DevServer, profile: Profile) -> None:
    left_off_in(profile, app_id(devserver), **HOME_PLACE)
    app = tui_app("--view", "/home", "--device", "desktop")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert browser_of(app).table.model.filter_text == "pass"


async def test_the_app_flag_opens_there_with_nothing_remembered(
    devserver: DevServer, profile: Profile
) -> None:
    app = tui_app(
        "--app", app_id(devserver, "Shop iOS"), "--view", "CartViewController", "--device", "mobile"
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(app)
        assert screen_names(app) == ["BrowserScreen"]
        assert (browser.application_name, browser.view, browser.device) == (
            "Shop iOS",
            "CartViewController",
            "mobile",
        )
        assert browser.table.model.total_count > 0


async def test_without_an_application_the_first_one_picked_opens_there_and_only_it(
    devserver: DevServer, profile: Profile
) -> None:
    app = tui_app("--view", "/cart", "--device", "mobile")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)  # not enough is known to skip it
        browser = await open_application(pilot, "Shop Web")
        assert (browser.view, browser.device) == ("/cart", "mobile")
        await pilot.press("escape")
        await settle(pilot)
        other = await open_application(pilot, "Shop Android")
        assert (other.view, other.device) == ("com.shop.app.HomeActivity", None)  # its busiest view


async def test_an_unknown_view_is_taken_as_typed_in_the_view_filter(
    devserver: DevServer, profile: Profile
) -> None:
    left_off_in(profile, app_id(devserver), **HOME_PLACE)
    app = tui_app("--view", "  /not seen yet ")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(app)
        assert browser.view == browser.filter_bar.view_text == "/not seen yet"
        assert browser.table.model.total_count == 0


async def test_the_demo_opens_there_too(devserver: DevServer, tmp_path: Path) -> None:
    for args, expected in (
        (("--view", "/cart", "--device", "tablet"), ("Shop Web", "/cart", "tablet")),
        (("--device", "mobile"), ("Shop Web", "/home", "mobile")),
        (("--app", "shop ios", "--device", "mobile"), ("Shop iOS", "HomeViewController", "mobile")),
    ):
        ns = build_parser("demo").parse_args(["demo", *args])
        app = HeatmapApp(demo_services_for(ns, devserver, tmp_path / "scratch"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            browser = browser_of(app)
            assert screen_names(app) == ["BrowserScreen"], args
            assert (browser.application_name, browser.view, browser.device) == expected, args
            assert browser.table.model.total_count > 0, args


def test_usage_errors_exit_2_in_plain_words(tmp_path: Path) -> None:
    cli = Cli(tmp_path, "http://127.0.0.1:9")  # nothing is asked of any server
    runs = many(
        lambda: cli.run("tui", "--view", "/home", "--device", "phone"),
        lambda: cli.run("demo", "--device", "watch"),
        lambda: cli.run("--view", "   "),  # `tui` is the default command
        lambda: cli.run("demo", "--app", "No Such App"),
    )
    assert [r.code for r in runs] == [2, 2, 2, 2], [str(r) for r in runs]
    assert "argument --device: unknown device type 'phone': use desktop, mobile, tablet" in runs[0].stderr
    assert "unknown device type 'watch'" in runs[1].stderr
    assert "argument --view: a view name is needed" in runs[2].stderr
    assert "the demo has no application 'No Such App': use one of Shop Web, Shop iOS" in runs[3].stderr
    assert not (tmp_path / "config.toml").exists() and not (tmp_path / "data").exists()


def test_help_says_where_the_browser_opens(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("tui", "demo"):
        assert main([command, "--help"]) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "--view VIEW open the browser on this view (e.g. /home)" in text, text
        assert "--device TYPE open the browser on this device type (desktop, mobile, tablet)" in text, text
