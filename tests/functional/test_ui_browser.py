"""The snapshot browser under Pilot, against the embedded server over loopback; two snapshots."""

from __future__ import annotations

import json

from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input

from heatmap_tui.core.models import SnapshotUpdateAttributes
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.payloads import snapshot_json as server_json
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.dialogs.sort_menu import SortMenu
from heatmap_tui.ui.dialogs.view_picker import ViewPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.snapshot_detail import SnapshotDetailScreen
from heatmap_tui.ui.widgets.detail_pane import snapshot_json
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from tests.apps.browser_app import (
    VIEWS,
    BrowserApp,
    application_id,
    notifications,
    server,
    settle,
    store_snapshots,
)

SIZE = (120, 40)


def status_text(app: BrowserApp) -> str:
    return app.browser.status.render_status().plain


def shown_ids(app: BrowserApp) -> list[str]:
    return [row.id for row in app.browser.table.model.shown]


async def test_loads_the_view_with_a_status_line(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        expected = store_snapshots(server, "/home")
        assert table.model.total_count == len(expected) == 60
        assert sorted(shown_ids(app)) == sorted(s.id for s in expected)
        assert app.focused is table
        status = status_text(app)
        for part in (
            "demo",
            "default",
            "Shop Web",
            "/home · any device",
            "60 snapshots",
            "refreshed 12:00:00 UTC",
        ):
            assert part in status
        info = app.connection.client.rate_limit_info
        assert info is not None and f"API {info.remaining}/{info.limit} left" in status
        assert "cut short" not in status
        assert server.count("GET", "/api/v2/replay/heatmap/snapshots") == 1
        # y copies the id, o opens the view's heatmaps in the web app.
        snapshot = table.cursor_snapshot
        assert snapshot is not None
        await pilot.press("y")
        assert app.copied == [snapshot.id]
        assert any(snapshot.id in n for n in notifications(app))
        await pilot.press("o")
        url = (
            f"{server.url}/rum/replay/heatmaps?applicationId={application_id(server)}"
            f"&viewName=%2Fhome&device={snapshot.device_type}"
        )
        assert app.opened == [url]
        assert url in notifications(app)


async def test_filters_reload_from_the_server_clear_marks_and_tell_the_shell(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser, table = app.browser, app.browser.table
        await pilot.press("space", "space")
        assert len(table.marked_ids) == 2
        # Device: `t` cycles the Select (any -> desktop).
        await pilot.press("t")
        await settle(pilot)
        assert browser.device == "desktop"
        assert table.marked_ids == frozenset()
        assert sorted(shown_ids(app)) == sorted(s.id for s in store_snapshots(server, "/home", "desktop"))
        assert "/home · desktop" in status_text(app)
        # View: typed into the input, with enter.
        browser.filter_bar.focus_view()
        browser.filter_bar.show_view("/cart")
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is table
        assert sorted(shown_ids(app)) == sorted(s.id for s in store_snapshots(server, "/cart", "desktop"))
        # View: picked from the known views.
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ViewPicker)
        await pilot.press(*"check", "enter")
        await settle(pilot)
        assert browser.view == "/checkout"
        assert sorted(shown_ids(app)) == sorted(s.id for s in store_snapshots(server, "/checkout", "desktop"))
        changes = [(m.view, m.device) for m in app.messages if isinstance(m, BrowserScreen.PositionChanged)]
        assert changes == [("/home", "desktop"), ("/cart", "desktop"), ("/checkout", "desktop")]


async def test_a_new_view_name_is_accepted_and_remembered(server: DevServer) -> None:
    app = BrowserApp(server, views=None, initial_view=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.browser
        assert browser.filter_bar.editing_view
        assert browser.table.model.total_count == 0
        assert "No view yet" in browser.table.empty_message
        assert server.count("GET") == 0
        await pilot.press(*"/nowhere", "enter")
        await settle(pilot)
        # Typed views join the discovered ones, which all-views mode lists too.
        assert browser.view == "/nowhere" and browser.views[-1] == "/nowhere"
        assert browser.views[:-1] == [v.name for v in browser.catalog.discovered or []]
        assert "No snapshots in '/nowhere'" in browser.table.empty_message
        await pilot.press("escape")  # nothing to clear: leaves the browser, as "back"
        await pilot.pause()
        assert app.screen is not browser


async def test_live_filter_and_sort(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        await pilot.press("slash")
        await pilot.press(*"tablet lovelace")
        assert app.browser.filter_bar.search_text == "tablet lovelace"  # / went to the row filter
        shown = list(table.model.shown)
        assert 0 < len(shown) < table.model.total_count
        assert all(
            r.snapshot.device_type == "tablet" and r.snapshot.attributes.created_by == "Ada Lovelace"
            for r in shown
        )
        assert f"{len(shown)}/60 shown" in status_text(app)
        await pilot.press("escape")
        assert app.focused is table
        assert table.model.shown_count == len(shown)  # escape leaves the input, the filter stays
        await pilot.press("escape")
        assert table.model.shown_count == 60  # then clears it

        await pilot.press("4")
        starts = [r.snapshot.attributes.start for r in table.model.shown]
        assert table.model.sort_column == "start" and starts == sorted(starts)
        await pilot.press("4")
        starts = [r.snapshot.attributes.start for r in table.model.shown]
        assert table.model.sort_reverse and starts == sorted(starts, reverse=True)
        # The menu: the same sort, discoverable.
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SortMenu)
        await pilot.press("1")
        await settle(pilot)
        names = [r.snapshot.name.casefold() for r in table.model.shown]
        assert table.model.sort_column == "name" and not table.model.sort_reverse and names == sorted(names)
        # A click on a header sorts too; each sort is told with the view and device, to be remembered.
        await pilot.click(SnapshotTable, offset=(3, 0))
        await settle(pilot)
        assert table.model.sort_column == "name" and table.model.sort_reverse
        sorts = [m.sort for m in app.messages if isinstance(m, BrowserScreen.PositionChanged)]
        assert sorts == [("start", False), ("start", True), ("name", False), ("name", True)]


async def test_detail_json_view_and_refresh_keeping_the_cursor(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.browser
        await pilot.press("j", "j")
        snapshot = browser.table.cursor_snapshot
        assert snapshot is not None and browser.detail.snapshot == snapshot
        assert not browser.detail.json_mode
        # J: the JSON full screen (test_ui_detail_view.py), in the API's own shape as the server sent it.
        await pilot.press("J")
        await settle(pilot)
        assert isinstance(app.screen, SnapshotDetailScreen) and app.screen.pane.json_mode
        stored = server.store.get_snapshot(snapshot.id)
        assert stored is not None
        assert json.loads(snapshot_json(snapshot)) == server_json(stored)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is browser
        # Someone else edits the oldest snapshot: it lists first now (newest modified), so after
        # a refresh the cursor's snapshot is one row further down, and the cursor with it.
        table = browser.table
        await pilot.press("j")
        before = table.cursor_snapshot
        assert before is not None and table.cursor_row == 3
        oldest = shown_ids(app)[-1]
        a = server.store.snapshots[oldest].attributes
        server.store.update_snapshot(
            oldest,
            SnapshotUpdateAttributes(
                event_id="evt-elsewhere", start=a.start, is_device_type_selected_by_user=True
            ),
        )
        await pilot.press("r")
        await settle(pilot)
        assert shown_ids(app)[0] == oldest
        assert table.cursor_snapshot is not None and table.cursor_snapshot.id == before.id
        assert table.cursor_row == 4
        assert browser.detail.snapshot is not None and browser.detail.snapshot.id == before.id
        assert server.count("GET", "/api/v2/replay/heatmap/snapshots") == 2


async def test_all_views_mode_lists_every_known_view(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # the device filter applies to every view
        await settle(pilot)
        server.reset_stats()
        await pilot.press("a")
        await settle(pilot)
        table = app.browser.table
        expected = store_snapshots(server, device="desktop")
        assert table.model.total_count == len(expected)
        assert {s.view_name for s in (r.snapshot for r in table.model.shown)} == {
            s.view_name for s in expected
        }
        assert (
            len({table.model.cells(r)[1] for r in table.model.shown}) > 1
        )  # the view column tells them apart
        assert f"all {len(VIEWS)} views · desktop" in status_text(app)
        assert server.count("GET", "/api/v2/replay/heatmap/snapshots") == len(VIEWS)
        await pilot.press("a")
        await settle(pilot)
        assert table.model.total_count == len(store_snapshots(server, "/home", "desktop"))


async def test_a_full_page_says_the_list_may_be_cut_short(server: DevServer) -> None:
    app = BrowserApp(server)
    app.connection.snapshots.page_limit = 25
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.browser.table.model.total_count == 25
        assert "showing the first 25: the list may be cut short" in status_text(app)


async def test_a_server_that_is_down_gives_plain_words_and_keeps_the_rows(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        ids = shown_ids(app)
        server.stop()
        await pilot.press("r")
        await settle(pilot)
        assert shown_ids(app) == ids
        message = notifications(app)[-1]
        assert message.startswith("Could not list the snapshots of /home on ")
        assert "could not connect" in message and "Traceback" not in message
        assert "Showing the 60 snapshots loaded before. Could not list" in status_text(app)
        assert not table.loading


async def test_read_only_hides_every_write_action(server: DevServer) -> None:
    app = BrowserApp(server, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.browser
        actions = {b.binding.action for b in browser.active_bindings.values() if b.enabled}
        assert not actions & {"new", "edit", "delete", "mark", "mark_all"}
        assert {"refresh", "search", "copy_id", "open_detail(True)"} <= actions
        await pilot.press("n", "e", "d", "space")
        await settle(pilot)
        assert app.screen is browser
        assert browser.table.marked_ids == frozenset()
        assert "read-only" in status_text(app)
        # The shell may lift it at run time.
        browser.read_only = False
        await pilot.press("space")
        assert len(browser.table.marked_ids) == 1
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, SnapshotForm)


def test_every_binding_has_an_id_and_a_description() -> None:
    bindings = [b for b in BrowserScreen.BINDINGS if isinstance(b, Binding)]
    assert len(bindings) == len(BrowserScreen.BINDINGS)
    ids = [b.id for b in bindings]
    assert all(i and i.startswith("browser.") for i in ids)
    assert len(set(ids)) == len(ids)
    assert all(b.description for b in bindings)
    keys = {b.key for b in bindings}
    assert {"n", "e", "d", "space", "slash", "r", "y", "o", "escape", "a", "J", "s", "v", "t"} <= keys


# --- snapshots ---------------------------------------------------------------


def test_snapshot_browser(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "space", "j", "space")

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)


def test_snapshot_browser_json_view(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("4", "4", "J")

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)


async def test_escape_from_any_part_of_the_browser_returns_to_the_table(server: DevServer) -> None:
    """Issue 15, bug 1: escape from the details or the device list used to leave the browser."""
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser, table = app.browser, app.browser.table
        for part in (browser.detail, browser.filter_bar.query_one("#device-select")):
            part.focus()
            await settle(pilot)
            assert app.focused is not table
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is browser
            assert app.focused is table
        await pilot.press("escape")  # from the table, with nothing marked or filtered: leave
        await settle(pilot)
        assert app.screen is not browser


async def test_all_views_mode_names_no_single_view_in_the_filter_bar(server: DevServer) -> None:
    """Issue 15, bug 5: the view box kept saying /home while every view was listed."""
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.browser.filter_bar
        assert bar.view_text == "/home"
        await pilot.press("a")
        await settle(pilot)
        view_input = bar.query_one("#view-input", Input)
        assert bar.view_text == ""
        assert view_input.placeholder.startswith(f"all {len(VIEWS)} views")
        await pilot.press("a")
        await settle(pilot)
        assert bar.view_text == "/home" and "all" not in view_input.placeholder
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("v")  # picking a view leaves all-views mode and names it again
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.browser.all_views
        assert bar.view_text == app.browser.view and "all" not in view_input.placeholder


async def test_q_quits_from_the_browser_but_is_typed_in_the_filter(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")
        await settle(pilot)
        assert app.browser.filter_bar.search_text == "q" and app.is_running
        await pilot.press("escape", "q")
        await settle(pilot)
        assert not app.is_running
