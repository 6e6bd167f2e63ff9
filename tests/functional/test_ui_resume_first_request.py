"""Issue 17, item 4: a resumed start has one round trip on its critical path.

The view's list is the first request the app sends, and the rows wait for no other answer: the
application's name is asked beside it, the views and the stale look-ups only once the rows are
in. Shown with the list held at the transport (a real one, to the embedded server) until the
test lets it go, so nothing here depends on timing. A list that fails tells the same as a
refresh that fails the same way.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.sites import Site, custom_site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.services import RedirectTransport
from tests.apps.shell_app import (
    DEMO_ENV,
    QUICK,
    SIZE,
    app_id,
    config_path,
    make_services,
    server,
    settle,
)
from tests.functional.test_ui_place_remembered import start_on_home
from tests.functional.test_ui_trash_quit import until

LIST = "GET /api/v2/replay/heatmap/snapshots"
NAME_LOOKUP = "GET /api/v2/rum/applications"
LOAD_FAILED = "Could not load the snapshots"

__all__ = ["config_path", "server"]  # fixtures


class HeldList(RedirectTransport):
    """Every request as the app sends it, in order, with what the browser showed then; the
    snapshot lists wait at the transport until `release` is set."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.release = asyncio.Event()
        self.sent: list[str] = []
        self.browser_then: list[tuple[bool, int]] = []  # (mounted, rows) when each was sent
        self.views: list[str] = []  # of each list
        self.app: HeatmapApp | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = f"{request.method} {request.url.path}"
        self.sent.append(sent)
        assert self.app is not None
        browsers = [s for s in self.app.screen_stack if isinstance(s, BrowserScreen) and s.is_mounted]
        self.browser_then.append((bool(browsers), browsers[0].table.model.total_count if browsers else 0))
        if sent == LIST:
            self.views.append(request.url.params["filter[view_name]"])
            await self.release.wait()
        return await super().handle_async_request(request)


def held_app(server: DevServer, config_path: Path) -> tuple[HeatmapApp, HeldList]:
    transport = HeldList(server.url)

    def connect(profile: str, site: Site, auth: ApiAuth) -> Connection:
        client = DatadogClient(site, auth, retry=QUICK, transport=transport)
        return Connection(profile=profile, site=site, client=client)

    services = make_services(server, config_path, env=DEMO_ENV)
    services.connect = connect
    app = transport.app = HeatmapApp(services)
    return app, transport


async def test_a_resumed_start_sends_the_views_list_first_and_waits_for_no_other_answer(
    server: DevServer, config_path: Path
) -> None:
    start_on_home(server, config_path)
    app, transport = held_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        # While the list is held the browser is built, and shows the application's name, asked
        # beside the list and answered; nothing else is sent.
        await until(pilot, lambda: isinstance(app.screen, BrowserScreen), "the browser")
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        await until(pilot, lambda: browser.application_name == "Shop Web", "the application's name")
        await pilot.pause()
        assert transport.sent == [LIST, NAME_LOOKUP] and transport.views == ["/home"]
        assert transport.browser_then[0] == (False, 0)  # the list left before the browser was up
        assert browser.table.model.total_count == 0
        transport.release.set()
        await settle(pilot)
        assert browser.table.model.total_count > 0
        assert "/search" in browser.views  # the views were discovered, and the stale look-ups made:
    later = list(zip(transport.sent[2:], transport.browser_then[2:], strict=True))
    assert later and all(sent != LIST for sent, _ in later)  # the one list
    assert all(rows > 0 for _, (_, rows) in later), later  # once its rows were in


def fail_the_list(server: DevServer, fault: str) -> None:
    path = LIST.split()[1]
    if fault == "drop":
        server.faults.drop_next(3, method="GET", path_prefix=path)  # every try of the list
    else:
        server.faults.fail_next(int(fault), count=3, method="GET", path_prefix=path)


def load_failures(app: HeatmapApp, since: int = 0) -> list[str]:
    return [n.message for n in list(app._notifications)[since:] if n.title == LOAD_FAILED]


@pytest.mark.parametrize("fault", ["401", "403", "404", "drop", "bad key"])
async def test_a_resumed_list_that_fails_tells_what_a_refresh_that_fails_tells(
    server: DevServer, config_path: Path, fault: str
) -> None:
    start_on_home(server, config_path)
    env = {**DEMO_ENV, "DD_APP_KEY": DEMO_APP_KEY[::-1]} if fault == "bad key" else DEMO_ENV
    app = HeatmapApp(make_services(server, config_path, env=env))
    if fault != "bad key":
        fail_the_list(server, fault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen) and browser.table.model.total_count == 0
        at_start = load_failures(app)
        assert len(at_start) == 1, list(app._notifications)
        assert browser.table.empty_message == "Could not load: press r to try again."
        seen = len(app._notifications)
        if fault != "bad key":
            fail_the_list(server, fault)
        await pilot.press("r")
        await settle(pilot)
        assert load_failures(app, seen) == at_start


async def test_the_early_list_answers_the_next_list_of_its_view_once(server: DevServer) -> None:
    path = LIST.split()[1]
    web = app_id(server)
    auth = ApiAuth(api_key=DEMO_API_KEY, app_key=DEMO_APP_KEY)
    connection = Connection.open("default", custom_site(server.url), auth)
    try:
        connection.list_early("/home", None, web)
        first = await connection.list_snapshots("/home", None, web)
        assert server.count("GET", path) == 1 and first.items
        again = await connection.list_snapshots("/home", None, web)  # asked anew
        assert server.count("GET", path) == 2 and [s.id for s in again.items] == [s.id for s in first.items]
        connection.list_early("/home", "mobile", web)
        other = await connection.list_snapshots("/cart", None, web)  # not the early one's: it goes
        assert {s.view_name for s in other.items} == {"/cart"}
        assert server.count("GET", path) == 3  # the early list was dropped before it was sent
    finally:
        await connection.close()
