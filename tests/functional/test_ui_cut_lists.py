"""The TUI on views with more snapshots than the page limit: every list path and the clean-up
preview say where the list may be cut."""

from __future__ import annotations

from textual.widgets import Static

from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog
from tests.apps.browser_app import BrowserApp, data_dir, server, settle, store_snapshots

SIZE = (160, 40)
LIMIT = 4


def status_text(app: BrowserApp) -> str:
    return app.browser.status.render_status().plain


async def test_single_view_all_views_and_the_cleanup_preview_name_the_cut(server: DevServer) -> None:
    full = [v for v in ("/home", "/checkout") if len(store_snapshots(server, v)) > LIMIT]
    assert full  # the seeded views hold more than LIMIT snapshots
    app = BrowserApp(server)
    app.connection.snapshots.page_limit = LIMIT
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.browser
        assert f"showing the first {LIMIT}: the list may be cut short" in status_text(app)
        assert browser.catalog.cut == ("/home",)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CleanupDialog)
        scope = str(app.screen.query_one("#cleanup-scope", Static).render())
        assert (
            f"Not covered: whatever lies past the first {LIMIT} snapshots (the page limit) of /home" in scope
        )
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert browser.all_views
        cut = [v for v in browser.views if len(store_snapshots(server, v)) >= LIMIT]
        assert set(full) <= set(cut) and list(browser.catalog.cut) == cut
        assert f"showing the first {LIMIT}" in status_text(app)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CleanupDialog)
        scope = str(app.screen.query_one("#cleanup-scope", Static).render())
        assert f"(the page limit) of {', '.join(cut)}" in scope
