"""Issue 15: the layout at every size, j/k/g/G in every list, the focus always visible.

Against the embedded server over loopback: the browser screen (BrowserApp), or the whole app
(HeatmapApp) where its own keys matter (the footer's `? Help`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, Select

from heatmap_tui.core.trash import Trash, delete_with_trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.sort_menu import SortMenu
from heatmap_tui.ui.dialogs.view_picker import ViewPicker
from heatmap_tui.ui.screens.help import HelpScreen
from heatmap_tui.ui.screens.trash_screen import TrashScreen
from heatmap_tui.ui.widgets.filter_bar import DEVICE_OPTIONS
from heatmap_tui.ui.widgets.key_footer import KeyFooter
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.table_model import GAP, NAME_MAX
from heatmap_tui.ui.widgets.trash_table import TrashTable
from tests.apps.browser_app import BrowserApp, data_dir, server, settle, store_snapshots
from tests.apps.shell_app import DEMO_ENV, config_path, shell_app
from tests.functional.test_ui_hostile import frame
from tests.functional.test_ui_place_remembered import start_on_home

SMALL, MEDIUM, LARGE = (80, 24), (120, 40), (200, 60)


# --- columns ------------------------------------------------------------------------------------


def header(table: SnapshotTable) -> str:
    return table.render_line(0).text


async def test_a_wide_terminal_shows_more_columns_and_the_name_keeps_to_its_max(server: DevServer) -> None:
    """At 200 columns the name took ~90 blank cells; now the created time and the session show."""
    app = BrowserApp(server)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        table = app.browser.table
        line = header(table)
        assert line.split() == [
            "Name",
            "View",
            "Device",
            "Stale",
            "Start",
            "Author",
            "Created",
            "Modified",
            "Session",
            "ID",
        ]
        assert line.index("View") - line.index("Name") - GAP <= NAME_MAX
        for y, row in enumerate(table.model.shown[:20], start=1):
            attributes = row.snapshot.attributes
            text = table.render_line(y).text
            assert row.id in text  # every field whole
            # The session id is the one column that shortens itself (to its first characters and …).
            assert attributes.session_id is None or attributes.session_id[:18] in text
            assert attributes.created_at is None or f"{attributes.created_at:%Y-%m-%d %H:%M}" in text

        # Narrow again, the columns hide by priority, as before.
        await pilot.resize_terminal(*MEDIUM)
        await settle(pilot)
        assert header(table).split() == [
            "Name",
            "View",
            "Device",
            "Stale",
            "Start",
            "Author",
            "Modified",
            "ID",
        ]
        await pilot.resize_terminal(*SMALL)
        await settle(pilot)
        assert header(table).split() == ["Name", "View", "Device", "Stale", "Start"]


# --- footer -------------------------------------------------------------------------------------


async def test_the_footer_shows_help_and_the_palette_whole_at_every_size(
    server: DevServer, config_path: Path
) -> None:
    """At 120 columns the help key was cut to `?▏`, at 80 it was off the screen."""
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for size, last_key in (
            (SMALL, "v View"),
            (MEDIUM, "J JSON"),
            (LARGE, "r Refresh"),
            (SMALL, "v View"),
        ):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            footer = app.screen.query_one(KeyFooter)
            line = frame(app).text(footer.region)
            assert line.rstrip().endswith("? Help ▏^p Commands"), (size, line)
            assert line.startswith(" n New  e Edit  d Delete"), (size, line)
            # The keys before the pinned ones are whole: the last one shown ends in its word.
            assert line.split("  ? Help")[0].rstrip().endswith(last_key), (size, line)
            pinned = footer.query_one("#footer-pinned")
            shown = [key for key in footer.children if key is not pinned and key.display]
            assert shown and all(key.region.right <= pinned.region.x for key in shown)


# --- j/k/g/G --------------------------------------------------------------------------------------


async def test_j_k_g_and_G_move_in_the_device_dropdown(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        select = app.browser.filter_bar.query_one("#device-select", Select)
        select.focus()
        await pilot.press("j")  # closed, j opens it as down does
        assert select.expanded
        dropdown = select.query_one("SelectOverlay", OptionList)
        assert app.focused is dropdown and dropdown.highlighted == 0
        await pilot.press("j")
        assert dropdown.highlighted == 1
        await pilot.press("G")
        assert dropdown.highlighted == len(DEVICE_OPTIONS) - 1
        await pilot.press("g")
        assert dropdown.highlighted == 0
        await pilot.press("d", "n")  # the browser's delete and new: not while the dropdown is open
        await settle(pilot)
        assert app.screen is app.browser and select.expanded and dropdown.highlighted == 0
        await pilot.press("j", "j", "k", "enter")
        await settle(pilot)
        assert not select.expanded and app.browser.device == DEVICE_OPTIONS[1][1]


async def test_j_k_g_and_G_move_in_the_sort_menu_and_the_view_list(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SortMenu)
        options = app.screen.query_one(OptionList)
        assert app.focused is options
        await pilot.press("G")
        assert options.highlighted == options.option_count - 1
        await pilot.press("g", "j", "j", "k")
        assert options.highlighted == 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.browser and app.browser.table.model.sort_column == "view"

        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ViewPicker)
        views = app.screen.query_one("#view-picker-list", OptionList)
        views.focus()  # from the input, where j and k are text
        await pilot.press("G")
        assert views.highlighted == views.option_count - 1
        await pilot.press("g", "j")
        assert views.highlighted == 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.browser.view == str(views.get_option_at_index(1).id)


async def test_j_k_g_and_G_move_in_the_trash(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        conn = app.connection
        gone = store_snapshots(server, "/cart")[:4]
        await delete_with_trash(conn.snapshots, gone, Trash(), site=conn.site, profile=conn.profile)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TrashScreen)
        table = app.screen.query_one(TrashTable)
        assert app.focused is table and table.row_count == 4 and table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("j")
        assert table.cursor_row == 1


# --- focus --------------------------------------------------------------------------------------

Cell = tuple[str, Style | None]


def looks(app: App[Any], widget: Widget) -> list[Cell]:
    """The cells the widget covers on screen, with their styles."""
    region = widget.region
    return [
        (character, segment.style)
        for strip in frame(app).strips[region.y : region.bottom]
        for segment in strip.crop(region.x, region.right)
        for character in segment.text
    ]


def _rgb(style: Style | None, background: bool) -> tuple[int, int, int]:
    color = None if style is None else style.bgcolor if background else style.color
    if color is None:
        return (0, 0, 0)
    true = color.get_truecolor()
    return (true.red, true.green, true.blue)


def shows_focus(blurred: list[Cell], focused: list[Cell]) -> bool:
    """Whether a cell changes enough to be seen: a colour by 24 or more in a channel (Textual's
    5% focus tint moves it by ~9), reverse, bold or underline."""
    for (_, before), (_, after) in zip(blurred, focused, strict=True):
        for background in (True, False):
            old, new = _rgb(before, background), _rgb(after, background)
            if max(abs(a - b) for a, b in zip(old, new, strict=True)) >= 24:
                return True
        flags = [(s.reverse, s.bold, s.underline) if s else None for s in (before, after)]
        if flags[0] != flags[1]:
            return True
    return False


async def focus_contrast(pilot: Pilot[Any], widget: Widget) -> bool:
    """Whether the widget looks different enough focused than not."""
    app = pilot.app
    app.set_focus(None)
    await pilot.pause()
    blurred = looks(app, widget)
    widget.focus()
    await pilot.pause()
    assert widget.has_focus
    return shows_focus(blurred, looks(app, widget))


async def test_a_table_with_no_rows_shows_its_focus(server: DevServer) -> None:
    """The snapshot table and the trash had only a 5% tint to tell it when empty."""
    app = BrowserApp(server, views=None, initial_view=None)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        table = app.browser.table
        assert table.model.shown_count == 0
        assert await focus_contrast(pilot, table)
        await pilot.press("T")
        await settle(pilot)
        trash = app.screen.query_one(TrashTable)
        assert trash.row_count == 0
        assert await focus_contrast(pilot, trash)


async def test_the_compact_device_select_shows_its_focus(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        select = app.browser.filter_bar.query_one("#device-select", Select)
        assert await focus_contrast(pilot, select)
        for widget in (app.browser.table, app.browser.filter_bar.query_one("#view-pick")):
            assert await focus_contrast(pilot, widget), widget


async def test_the_help_takes_the_focus_only_to_scroll_and_shows_it(
    server: DevServer, config_path: Path
) -> None:
    """Its body took the focus even with nothing to scroll, and showed it nowhere (app.tcss)."""
    start_on_home(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        assert not body.allow_vertical_scroll and app.focused is None  # it all fits
        await pilot.resize_terminal(*SMALL)
        await settle(pilot)
        assert body.allow_vertical_scroll and app.focused is body
        assert await focus_contrast(pilot, body)
        await pilot.press("down")
        assert body.scroll_y > 0
