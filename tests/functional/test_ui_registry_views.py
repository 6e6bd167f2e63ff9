"""Views known only from the local view registry, in the TUI: all-views mode lists them and says
how many views it covered and from where; an inactive application keeps its row in the app
picker with a note, and opens on its registry views instead of "No view yet"."""

from __future__ import annotations

from pathlib import Path

from heatmap_tui.core.view_registry import Source, known_views, record
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from tests.apps.browser_app import BrowserApp, application_id, data_dir, settle
from tests.apps.browser_app import notifications as browser_notes
from tests.apps.browser_app import server as server
from tests.apps.shell_app import DEMO_ENV, SIZE, config_path, notifications, shell_app
from tests.functional.test_ui_pickers import with_profile

RETIRED = "/retired-page"  # no RUM event names it: discovery never finds it


async def test_all_views_mode_lists_a_registry_view_and_says_the_counts(server: DevServer) -> None:
    app_id = application_id(server)
    made = server.store.new_snapshot(application_id=app_id, view_name=RETIRED)
    record("default", app_id, [RETIRED], Source.ADDED)
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        browser = app.browser
        assert browser.all_views and RETIRED in browser.views
        assert made.id in {row.id for row in browser.table.model.shown}
        coverage = browser.catalog.coverage()
        assert coverage.known_locally and RETIRED in coverage.known_locally
        said = f"All views: {coverage.describe()}."
        assert said in browser_notes(app) and said.endswith("known locally.")
        await pilot.press("escape")


def inactive_application(server: DevServer, name: str) -> str:
    """A copy of the seeded inactive application under another id, with no RUM event at all."""
    legacy = next(a for a in server.store.applications.values() if not a.attributes.is_active)
    new_id = "0f0e0d0c-0b0a-4909-8807-060504030201"
    attributes = legacy.attributes.model_copy(update={"application_id": new_id, "name": name})
    server.store.add_applications([legacy.model_copy(update={"id": new_id, "attributes": attributes})])
    return new_id


async def test_an_inactive_app_opens_on_its_registry_views(server: DevServer, config_path: Path) -> None:
    with_profile(config_path, site="US5", last_application_id=None)
    app_id = inactive_application(server, "Old Intranet")
    made = server.store.new_snapshot(application_id=app_id, view_name="/intranet/home")
    record("default", app_id, ["/intranet/news", "/intranet/home"], Source.TRASH)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AppPicker)
        row = picker.table.get_row(app_id)
        assert str(row[3]) == "○ inactive · 2 views known locally"
        await pilot.press(*"intranet", "enter")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen) and browser.application_id == app_id
        assert browser.catalog.discovered == []  # no traffic in the window
        assert browser.view == "/intranet/home" and browser.views == known_views("default", app_id)
        assert [row.id for row in browser.table.model.shown] == [made.id]
        assert any("come from the local view registry" in n for n in notifications(app))
