"""core/stale_lookup.app_facts against the seeded dev server: only the look-ups a verdict uses."""

from __future__ import annotations

import asyncio

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.rum import WIDEST_WINDOW, RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.stale import AppFacts, StaleSettings
from heatmap_tui.core.stale_lookup import app_facts
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

SEARCH = "/api/v2/rum/events/search"


def _facts_of_one_view(url: str, app_name: str, view: str) -> tuple[list[str], AppFacts]:
    """Every view of `app_name` (discovered over the widest window), with the snapshots of `view` only."""

    async def go() -> tuple[list[str], AppFacts]:
        auth = ApiAuth(api_key=DEMO_API_KEY, app_key=DEMO_APP_KEY)
        async with DatadogClient(custom_site(url), auth) as client:
            rum = RumService(client)
            app_id = next(a.id for a in await rum.list_applications() if a.attributes.name == app_name)
            views = [v.name for v in await rum.discover_views(app_id, since=WIDEST_WINDOW)]
            snapshots = (await SnapshotService(client).list(view, application_id=app_id)).items
            assert snapshots
            return views, await app_facts(rum, app_id, views, snapshots, StaleSettings())

    return asyncio.run(go())


def test_since_when_a_version_runs_is_looked_up_only_for_views_holding_outdated_frames(devserver) -> None:
    devserver.reset_stats()
    views, facts = _facts_of_one_view(devserver.url, "Shop Web", "/login")
    assert len(views) > 5
    login = facts.views["/login"]
    assert login.recent and login.newest_version and login.newest_since is not None
    others = [facts.views[v] for v in views if v != "/login"]
    assert all(v.newest_version for v in others)  # every view's version, from one aggregate
    assert all(v.newest_since is None and v.last_traffic is None for v in others)
    # One search for the frames (batched by view id), one for when /login's version arrived:
    # none for the views without snapshots there.
    assert devserver.count("POST", SEARCH) == 2


def test_last_traffic_is_looked_up_for_quiet_views_holding_snapshots(devserver) -> None:
    devserver.reset_stats()
    views, facts = _facts_of_one_view(devserver.url, "Legacy Portal", "/reports")
    reports = facts.views["/reports"]
    assert not reports.recent and reports.last_traffic is not None
    assert all(facts.views[v].last_traffic is None for v in views if v != "/reports")
    # One search for the frames, one for /reports' last traffic; its frames are on its newest
    # version, so nothing asks since when that version runs.
    assert devserver.count("POST", SEARCH) == 2
