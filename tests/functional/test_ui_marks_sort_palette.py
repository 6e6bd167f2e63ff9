"""Issue 15, marks, sort menu and palette: range marking and inverting the marks, the sort menu's
current column and direction, and a command palette made from the screen's own bindings."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import OptionList

from heatmap_tui.core.config import load_config
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.dialogs.sort_menu import SortMenu
from heatmap_tui.ui.palette import PaletteCommand, palette_commands
from heatmap_tui.ui.screens.browser import BrowserScreen
from tests.apps.browser_app import BrowserApp
from tests.apps.shell_app import DEMO_ENV, NOW, SIZE, config_path, server, settle, shell_app
from tests.functional.test_ui_browser import shown_ids, status_text
from tests.functional.test_ui_place_remembered import start_on_home

# Their palette entries: a binding's tooltip, as the README's keymap table describes it.
RANGE = "Mark a range: the rows the cursor moves over (again or escape ends it)"
INVERT = "Invert the marks of the rows shown"


def marked_rows(app: BrowserApp) -> set[int]:
    """The marked rows, by their place in the list shown."""
    ids = shown_ids(app)
    return {ids.index(i) for i in app.browser.table.marked_ids if i in ids}


async def test_range_marking_follows_the_cursor_both_ways_and_ends_keeping_the_marks(
    server: DevServer,
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        await pilot.press("down", "V")
        assert table.range_marking and marked_rows(app) == {1}
        assert "range marking" in status_text(app) and "1 marked" in status_text(app)
        await pilot.press("j", "j")  # forwards: the rows passed are marked
        assert marked_rows(app) == {1, 2, 3} and "3 marked" in status_text(app)
        await pilot.press("k", "k", "k")  # backwards past the start: the rows left behind are not
        assert table.cursor_row == 0 and marked_rows(app) == {0, 1}
        await pilot.press("V")  # ends it; the marks stay, and stay put as the cursor moves
        assert not table.range_marking and "range marking" not in status_text(app)
        await pilot.press("j", "j", "j", "j", "j")
        assert marked_rows(app) == {0, 1} and table.cursor_row == 5
        # A row marked before the range keeps its mark when the range leaves it again.
        await pilot.press("space")  # marks 5, on to 6
        await pilot.press("V", "k", "k", "k")
        assert marked_rows(app) == {0, 1, 3, 4, 5, 6}
        await pilot.press("j", "j", "j", "j", "j")
        assert table.cursor_row == 8 and marked_rows(app) == {0, 1, 5, 6, 7, 8}
        await pilot.press("escape")  # ends range marking first, the marks stay
        assert not table.range_marking and marked_rows(app) == {0, 1, 5, 6, 7, 8}
        assert "range marking" not in status_text(app) and "6 marked" in status_text(app)
        await pilot.press("escape")  # then clears them, as before
        assert table.marked_ids == frozenset()


async def test_a_new_row_filter_ends_range_marking(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("V", "j")
        marked = app.browser.table.marked_ids
        await pilot.press("slash", *"desktop", "enter", "j", "j")
        assert not app.browser.table.range_marking and app.browser.table.marked_ids == marked
        assert "range marking" not in status_text(app)


async def test_invert_flips_the_rows_shown_and_keeps_those_the_filter_hides(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        devices = [r.snapshot.device_type for r in table.model.shown]
        desktop, mobile = devices.index("desktop"), devices.index("mobile")
        desktop_id, mobile_id = shown_ids(app)[desktop], shown_ids(app)[mobile]
        for row in (desktop, mobile):
            table.move_cursor(row)
            await pilot.press("space")
        await pilot.press("slash", *"desktop", "enter")
        shown = set(shown_ids(app))
        assert desktop_id in shown and mobile_id not in shown and len(shown) > 2
        await pilot.press("i")
        assert table.marked_ids == (shown - {desktop_id}) | {mobile_id}
        assert f"{len(shown)} marked, 1 hidden by the filter" in status_text(app)
        await pilot.press("i")
        assert table.marked_ids == {desktop_id, mobile_id}
        assert "2 marked, 1 hidden by the filter" in status_text(app)


async def test_read_only_hides_range_marking_and_invert(server: DevServer) -> None:
    app = BrowserApp(server, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        actions = {b.binding.action for b in app.browser.active_bindings.values()}
        assert not actions & {"range_mark", "invert_marks"} and "refresh" in actions
        await pilot.press("V", "j", "i")
        assert not app.browser.table.range_marking and app.browser.table.marked_ids == frozenset()
        app.browser.read_only = False  # the shell lifts it: they come back
        await pilot.press("V", "j")  # (from row 1: the j above moved the cursor)
        assert marked_rows(app) == {1, 2}


def menu_lines(app: BrowserApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    lines = []
    for index in range(options.option_count):
        prompt = options.get_option_at_index(index).prompt
        lines.append(prompt.plain if isinstance(prompt, Content) else str(prompt))
    return lines


def header(app: BrowserApp) -> str:
    return app.browser.table.render_line(0).text


async def test_the_sort_menu_shows_the_current_column_and_direction_and_reselecting_flips(
    server: DevServer,
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        model = app.browser.table.model
        await pilot.press("4")
        assert "Start ▲" in header(app)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SortMenu)
        lines = menu_lines(app)
        assert lines[3] == "4  Start  ▲ ascending  (again: ▼)"
        others = [line for index, line in enumerate(lines) if index != 3]
        assert others[:3] == ["1  Name", "2  View", "3  Device"]
        assert not [line for line in others if "▲" in line or "▼" in line]
        assert app.screen.query_one(OptionList).highlighted == 3  # it opens on the current column
        await pilot.press("enter")  # the current column again: flipped
        await settle(pilot)
        assert (model.sort_column, model.sort_reverse) == ("start", True) and "Start ▼" in header(app)
        await pilot.press("s")
        await settle(pilot)
        assert menu_lines(app)[3] == "4  Start  ▼ descending  (again: ▲)"
        await pilot.press("4")  # its number flips it too
        await settle(pilot)
        assert (model.sort_column, model.sort_reverse) == ("start", False) and "Start ▲" in header(app)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("2")  # another column: ascending
        await settle(pilot)
        assert (model.sort_column, model.sort_reverse) == ("view", False) and "View ▲" in header(app)


# --- the command palette ------------------------------------------------------


def by_name(commands: list[PaletteCommand]) -> dict[str, PaletteCommand]:
    return {c.name: c for c in commands}


async def open_browser(pilot: Pilot[None]) -> BrowserScreen:
    await settle(pilot)
    browser = pilot.app.screen
    assert isinstance(browser, BrowserScreen)
    return browser


async def run_from_palette(pilot: Pilot[None], query: str) -> str:
    """Type `query` into the real palette and run the first hit; what that hit showed."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.3)
    options = pilot.app.screen.query_one(CommandList)
    prompt = options.get_option_at_index(0).prompt
    await pilot.press("enter")
    await settle(pilot)
    return prompt.plain if isinstance(prompt, Content) else str(prompt)


async def test_the_palette_offers_the_browsers_actions_with_their_keys(
    server: DevServer, config_path: Path
) -> None:
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        commands = by_name(palette_commands(app, browser))
        expected = {
            "New snapshot": "n",
            "Edit the snapshot": "e",
            "Mark for bulk delete": "space",
            "Mark all shown": "A ctrl+a",
            RANGE: "V",
            INVERT: "i",
            "Live text filter": "/",
            "Sort menu": "s",
            "Sort by name": "1",
            "Sort by modified": "6",
            "Refresh": "r",
            "Copy the snapshot id": "y",
            "Open the trash": "T",
            "Clean up stale snapshots": "c",
            "Quit": "ctrl+q q",  # the app's key and the browser's
            "Keys of this screen": "? f1",
        }
        assert {name: commands[name].keys for name in expected} == expected
        # Running one runs what its key runs; the entry shows the key.
        shown = await run_from_palette(pilot, "sort by modified")
        assert shown == "Sort by modified  6"
        model = browser.table.model
        assert (model.sort_column, model.sort_reverse) == ("modified", False)
        shown = await run_from_palette(pilot, "invert the marks")
        assert shown == "Invert the marks of the rows shown  i"
        assert browser.table.marked_ids == {row.id for row in model.shown} != frozenset()


async def test_the_palette_leaves_out_what_does_not_apply(server: DevServer, config_path: Path) -> None:
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        await pilot.press("slash", *"no such snapshot anywhere", "enter")
        assert browser.table.model.shown_count == 0
        names = set(by_name(palette_commands(app, browser)))
        # Nothing to act on (check_action None): out; what needs no row stays.
        assert not names & {
            "Edit the snapshot",
            "Copy the snapshot id",
            RANGE,
            INVERT,
        }
        assert {"New snapshot", "Refresh", "Sort by name"} <= names
        app.action_toggle_read_only()  # writes hidden (check_action False): out
        await settle(pilot)
        await pilot.press("escape")  # clears the row filter: rows again
        assert browser.table.model.shown_count > 0
        names = set(by_name(palette_commands(app, browser)))
        assert not names & {
            "New snapshot",
            "Mark for bulk delete",
            RANGE,
            INVERT,
        }
        assert {"Copy the snapshot id", "Refresh", "Toggle read-only mode (now on)"} <= names


async def test_the_theme_entry_says_whether_the_choice_is_saved(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    from heatmap_tui.commands.tui import demo_services

    with DevServer(seed=True, now=NOW) as demo:
        app = HeatmapApp(demo_services(demo, tmp_path / "scratch"))
        async with app.run_test(size=SIZE) as pilot:
            browser = await open_browser(pilot)
            theme = by_name(palette_commands(app, browser))["Change theme"]
            assert "for this run only" in theme.help and "the demo saves no settings" in theme.help
            assert "config" not in theme.help
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        theme = by_name(palette_commands(app, browser))["Change theme"]
        assert theme.help == "Pick the colours; the choice is saved in the config file"
        app.theme = "nord"  # what the theme picker the entry opens does
        await settle(pilot)
    assert load_config(config_path).preferences.theme == "nord"
