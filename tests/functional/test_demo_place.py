"""Issue 15: the demo remembers its place while it runs (leaving the browser and coming back,
switching application and back), a new demo starts fresh and says so once, and nothing in the
demo claims that a theme picked there is saved. Each app is built as `heatmap-tui demo` builds it."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from heatmap_tui.cli import build_parser
from heatmap_tui.commands.tui import DEMO_VIEW, demo_services_for
from heatmap_tui.core.config import Config, Profile, load_config, save_config
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.left_off import DEMO_STARTS_FRESH
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from tests.apps.shell_app import DEMO_ENV, SIZE, config_path, notifications, server, settle, shell_app


def demo_app(server: DevServer, scratch: Path, *args: str) -> HeatmapApp:
    """The app `heatmap-tui demo ARGS` runs, on `server` (the command starts one of its own)."""
    return HeatmapApp(demo_services_for(build_parser("demo").parse_args(["demo", *args]), server, scratch))


def browser_of(app: HeatmapApp) -> BrowserScreen:
    assert isinstance(app.screen, BrowserScreen), app.screen
    return app.screen


def keys(text: str) -> list[str]:
    return ["space" if c == " " else c for c in text]


async def open_application(pilot: Pilot[None], name: str) -> BrowserScreen:
    """In the application picker, as a person does: the name typed into its filter, then enter."""
    app = pilot.app
    assert isinstance(app, HeatmapApp) and isinstance(app.screen, AppPicker), app.screen
    if app.screen.filter_text:  # what was typed the last time: escape clears it
        await pilot.press("escape")
    await pilot.press(*keys(name), "enter")
    await settle(pilot)
    browser = browser_of(app)
    assert browser.application_name == name
    return browser


async def move_somewhere(pilot: Pilot[None], browser: BrowserScreen) -> tuple[object, ...]:
    """Another view, a device, a sort, a row filter and a cursor; returns them."""
    await pilot.press("v", *"cart", "enter")  # the view picker
    await settle(pilot)
    await pilot.press("t", "4")  # desktop; sorted by start
    await settle(pilot)
    await pilot.press("slash", *"pass", "enter", "down")
    await settle(pilot)
    model = browser.table.model
    cursor = browser.table.cursor_snapshot
    assert cursor is not None and 0 < model.shown_count < model.total_count
    place = (browser.view, browser.device, model.sort_column, model.filter_text, cursor.id)
    assert place[:4] == ("/cart", "desktop", "start", "pass")
    return place


def place_of(browser: BrowserScreen) -> tuple[object, ...]:
    model, cursor = browser.table.model, browser.table.cursor_snapshot
    shown = (browser.view, browser.device, model.sort_column, model.filter_text)
    return (*shown, cursor.id if cursor is not None else None)


async def test_leaving_the_browser_and_coming_back_gives_the_place_back(
    server: DevServer, tmp_path: Path
) -> None:
    app = demo_app(server, tmp_path / "scratch")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(app)
        assert (browser.application_name, browser.view) == ("Shop Web", DEMO_VIEW)
        await move_somewhere(pilot, browser)
        await pilot.press("escape")  # the row filter is cleared first (the cursor stays)...
        await settle(pilot)
        place = place_of(browser)
        assert place[3] == "" and place[4] is not None
        await pilot.press("escape")  # ... then the browser is left
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        back = await open_application(pilot, "Shop Web")
        assert back is not browser
        assert place_of(back) == place  # the demo's /home no longer wins over where it was left


async def test_switching_application_and_back_gives_each_its_place(server: DevServer, tmp_path: Path) -> None:
    app = demo_app(server, tmp_path / "scratch")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        place = await move_somewhere(pilot, browser_of(app))
        # From the command palette: the browser goes without being dismissed.
        await pilot.press("ctrl+p", *keys("Switch application"), "enter")
        await settle(pilot)
        ios = await open_application(pilot, "Shop iOS")
        await pilot.press("t", "t")  # mobile
        await settle(pilot)
        ios_place = place_of(ios)
        assert ios_place[1] == "mobile"
        await pilot.press("escape")
        await settle(pilot)
        web = await open_application(pilot, "Shop Web")
        assert place_of(web) == place and web.filter_bar.search_text == "pass"
        await pilot.press("escape", "escape")  # the row filter, then the browser
        await settle(pilot)
        assert place_of(await open_application(pilot, "Shop iOS")) == ios_place


async def test_a_new_demo_starts_fresh_and_says_so_once(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    first = demo_app(server, tmp_path / "first")
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await move_somewhere(pilot, browser_of(first))
        await pilot.press("ctrl+q")
    again = demo_app(server, tmp_path / "second")
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = browser_of(again)
        assert place_of(browser)[:4] == ("/home", None, None, "")
        await pilot.press("escape")
        await settle(pilot)
        await open_application(pilot, "Shop Web")
        assert notifications(again).count(DEMO_STARTS_FRESH) == 1
    assert not config_path.exists()  # neither run wrote the person's config, nor a state file
    assert not (tmp_path / "data").exists()


async def test_a_theme_picked_in_the_demo_is_said_to_last_this_run_only(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    app = demo_app(server, tmp_path / "scratch")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *keys("Change theme"), "enter")
        await settle(pilot)
        await pilot.press(*"nord", "enter")
        await settle(pilot)
        assert app.theme == "nord"
        said = [n for n in notifications(app) if "theme" in n]
        assert said == ["The nord theme is for this run only: the demo writes nothing to your config."]
    assert not config_path.exists()


async def test_a_theme_picked_with_a_broken_config_is_said_to_last_this_run_only(
    server: DevServer, config_path: Path
) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("active_profile = [broken\n")
    before = config_path.read_bytes()
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"
        await settle(pilot)
        assert any(
            n.startswith("The gruvbox theme is for this run only: the config file is broken")
            for n in notifications(app)
        )
    assert config_path.read_bytes() == before


async def test_a_theme_kept_in_the_config_brings_no_notice(server: DevServer, config_path: Path) -> None:
    save_config(Config(active_profile="default", profiles={"default": Profile(site="US5")}), config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"
        await settle(pilot)
        assert not [n for n in notifications(app) if "theme" in n]
    assert load_config(config_path).preferences.theme == "gruvbox"
