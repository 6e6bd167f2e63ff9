"""The view filter offers the application's discovered views, busiest first with their counts,
and still takes any typed name; one snapshot."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from heatmap_tui.core.rum import WIDEST_WINDOW
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.view_picker import ViewPicker
from tests.apps.browser_app import (
    BrowserApp,
    application_id,
    notifications,
    server,
    settle,
    steady_cursors,
)

SIZE = (120, 40)
AGGREGATE_PATH = "/api/v2/rum/analytics/aggregate"


async def test_the_view_filter_offers_the_discovered_views_with_counts(server: DevServer) -> None:
    app = BrowserApp(server, views=None, initial_view=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the view input has the focus: the views are discovered
        browser = app.browser
        discovered = await app.connection.rum.discover_views(application_id(server), since=WIDEST_WINDOW)
        assert browser.catalog.discovered == discovered and browser.views == [v.name for v in discovered]
        assert server.count("POST", AGGREGATE_PATH) == 2  # the browser's, and the one just above
        await pilot.press(*"/chec")
        await settle(pilot)
        await pilot.press("right")  # takes the completion offered
        assert browser.filter_bar.view_text == "/checkout"
        await pilot.press("escape", "v")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ViewPicker)
        assert picker.views == [v.name for v in discovered]  # busiest first
        assert picker.counts == {v.name: v.count for v in discovered}
        options = picker.query_one(OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith(discovered[0].name) and first.endswith(str(discovered[0].count))
        await pilot.press(*"/not-seen-lately", "enter")  # any text still goes
        await settle(pilot)
        assert browser.view == "/not-seen-lately"
        assert browser.views[-1] == "/not-seen-lately"
        assert server.count("POST", AGGREGATE_PATH) == 2  # asked once


async def test_a_failed_discovery_leaves_typing(server: DevServer) -> None:
    # The first failure is the discovery the browser starts after its first load: it is quiet. The
    # stale look-ups that follow it ask twice (recent views, newest versions): they fail too.
    server.faults.fail_next(403, count=4, method="POST", path_prefix=AGGREGATE_PATH)
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.browser.table.model.total_count > 0
        assert server.count("POST", AGGREGATE_PATH, status=403) == 3
        assert not any("Type a view name instead." in n for n in notifications(app))
        await pilot.press("v")  # the view picker asks again, and tells
        await settle(pilot)
        assert server.count("POST", AGGREGATE_PATH, status=403) == 4
        assert isinstance(app.screen, ViewPicker) and app.screen.counts == {}
        assert any("HTTP 403" in n and "Type a view name instead." in n for n in notifications(app))
        await pilot.press("escape", "v")  # asked again next time
        await settle(pilot)
        assert isinstance(app.screen, ViewPicker) and app.screen.counts


def test_snapshot_view_picker_with_counts(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        steady_cursors(pilot)
        await pilot.pause()

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)


async def test_all_views_pressed_while_discovery_runs_waits_for_the_views(server: DevServer) -> None:
    # The browser opens on a remembered view and discovers the app's views after its first load;
    # here discovery takes a while, and `a` comes before it has answered.
    server.faults.hang_next(0.5, method="POST", path_prefix=AGGREGATE_PATH)
    app = BrowserApp(server, views=None, initial_view="/home")
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        for _ in range(200):
            await pilot.pause(0.01)
            if browser.table.model.total_count:
                break
        assert browser.table.model.total_count and browser.catalog.discovered is None  # still asking
        assert browser.views == ["/home"]
        await pilot.press("a")
        await settle(pilot)
        found = [v.name for v in browser.catalog.discovered or []]
        assert len(found) > 1 and browser.views == found  # /home is among them
        listed = server.count("GET", "/api/v2/replay/heatmap/snapshots")
        assert listed == 1 + len(found)  # the first view, then every discovered one
        app_id = application_id(server)
        stored = {
            s.attributes.view_name for s in server.store.snapshots.values() if s.application_id == app_id
        }
        assert {browser.table.model.cells(r)[1] for r in browser.table.model.shown} == stored & set(found)
