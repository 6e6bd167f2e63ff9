"""Nothing silently cut: an application with 300 views is covered whole, in the core, the CLI
(views list, all-views listing, clean-up preview) and the TUI (all-views mode, clean-up)."""

from __future__ import annotations

import uuid

import pytest
from scripts.cli_runner import Cli

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.models import RumApplication, RumApplicationAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.devserver.clock import epoch_ms
from heatmap_tui.devserver.events import ViewEvent
from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog
from tests.apps.browser_app import BrowserApp, data_dir, server, settle

APP = "Many Views"
VIEWS = 300
PER_VIEW = 2
AGGREGATE = "/api/v2/rum/analytics/aggregate"


def seed_many_views(server: DevServer, views: int = VIEWS, per_view: int = PER_VIEW) -> str:
    """An application with `views` views (one replay view event each, a different count each so
    the ranking is strict) and `per_view` snapshots in each."""
    app_id = str(uuid.uuid4())
    server.store.add_applications(
        [RumApplication(id=app_id, attributes=RumApplicationAttributes(application_id=app_id, name=APP))]
    )
    now = epoch_ms(server.clock())
    events = []
    for v in range(views):
        for e in range(1 + v % 3):
            events.append(
                ViewEvent(
                    id=str(uuid.uuid4()),
                    date=now - (v * 3 + e + 1) * 1000,
                    application_id=app_id,
                    session_id=f"s-{v}-{e}",
                    has_replay=True,
                    view_id=f"view-{v}-{e}",
                    view_name=f"/page/{v:03d}",
                    url=f"https://shop.example/page/{v:03d}",
                    time_spent_ms=1000,
                    device_type="desktop",
                    session_start=now - 3_600_000,
                )
            )
    server.store.add_events(events)
    for v in range(views):
        for i in range(per_view):
            server.store.new_snapshot(
                application_id=app_id, view_name=f"/page/{v:03d}", snapshot_name=f"shot {i}"
            )
    return app_id


async def test_discovery_pages_through_every_view(devserver: DevServer) -> None:
    app_id = seed_many_views(devserver)
    async with DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)) as client:
        rum = RumService(client)
        devserver.reset_stats()
        views = await rum.discover_views(app_id, limit=100)
        assert devserver.count("POST", AGGREGATE) == 3  # 100 buckets a page, a cursor for the rest
        assert len({v.name for v in views}) == VIEWS
        counts = [v.count for v in views]
        assert counts == sorted(counts, reverse=True)
        assert len(await rum.discover_views(app_id)) == VIEWS  # the default asks for enough at once


def test_the_cli_covers_all_300_views(devserver: DevServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed_many_views(devserver)
    cli = Cli(tmp_path, devserver.url)
    views, listing, cleanup = cli.api_many(
        ("views", "list", "--app", APP, "--json"),
        ("snapshots", "list", "--all-views", "--app", APP, "--json"),
        ("snapshots", "cleanup", "--all-views", "--app", APP, "--device", "desktop", "--json"),
    )
    for result in (views, listing, cleanup):
        assert result.code == 0, result
    assert len({row["view_name"] for row in views.json["data"]}) == VIEWS
    assert len(listing.json["data"]) == VIEWS * PER_VIEW
    assert len(cleanup.json["data"]) == VIEWS * PER_VIEW
    assert f"{VIEWS * PER_VIEW} of {VIEWS * PER_VIEW} snapshots would be deleted" in cleanup.stderr
    assert len(devserver.store.snapshots) >= VIEWS * PER_VIEW  # a preview deletes nothing


@pytest.mark.parametrize("size", [(120, 40)])
async def test_all_views_mode_and_its_cleanup_cover_every_view(server: DevServer, size) -> None:
    seed_many_views(server)
    app = BrowserApp(server, app_name=APP, views=None, initial_view="/page/000")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        browser = app.browser
        assert browser.all_views and len(browser.views) == VIEWS
        assert browser.table.model.total_count == VIEWS * PER_VIEW
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CleanupDialog)
        assert len(app.screen.snapshots) == VIEWS * PER_VIEW
