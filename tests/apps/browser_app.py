"""A minimal host App for the browser screen: a Connection to the dev server with the demo keys.

Shared by the Pilot tests and the snapshot tests. `open_url` and `copy_to_clipboard` are
recorded instead of reaching the desktop, so tests can check them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.paths import DATA_ENV
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.sites import Site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.devserver.seed_data import WEB_VIEWS
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.screens.browser import BrowserScreen

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
VIEWS = [v.name for v in WEB_VIEWS]


def application_id(server: DevServer, name: str = "Shop Web") -> str:
    return next(a.id for a in server.store.applications.values() if a.name == name)


def connect(server: DevServer) -> Connection:
    # A named site (not the URL, whose port changes every run) keeps the status line stable.
    site = Site("demo", "demo", "demo", custom_url=server.url)
    # Quick retries: the server's 429s say "reset in 1 s"; the tests need not wait that long.
    retry = RetryPolicy(base_delay=0.01, max_delay=0.05, max_rate_limit_wait=0.05)
    client = DatadogClient(site, ApiAuth(api_key=DEMO_API_KEY, app_key=DEMO_APP_KEY), retry=retry)
    return Connection(profile="default", site=site, client=client)


class BrowserApp(App[None]):
    def __init__(self, server: DevServer, *, app_name: str = "Shop Web", **screen_kw: Any) -> None:
        super().__init__()
        self.server = server
        self.connection = connect(server)
        screen_kw.setdefault("views", list(VIEWS))
        screen_kw.setdefault("initial_view", "/home")
        screen_kw.setdefault("clock", lambda: NOW)
        self.browser = BrowserScreen(
            self.connection, application_id(server, app_name), application_name=app_name, **screen_kw
        )
        self.opened: list[str] = []
        self.copied: list[str] = []
        self.messages: list[Message] = []

    def on_mount(self) -> None:
        self.push_screen(self.browser)

    async def on_unmount(self) -> None:
        await self.connection.close()

    def on_browser_screen_position_changed(self, message: BrowserScreen.PositionChanged) -> None:
        self.messages.append(message)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)


# --- shared by the browser, form and delete tests ---------------------------------


@contextmanager
def frozen_server() -> Iterator[DevServer]:
    """A seeded dev server whose clock starts at NOW, so the seeded data is the same every run."""
    with DevServer(seed=True, now=NOW) as srv:
        srv.set_rate_limit(1000, 60.0)  # Datadog-like headroom numbers for the status line
        yield srv


# Fixtures for the Pilot tests: a test module imports them by name (with a noqa for F401) to use them.


@pytest.fixture
def server() -> Iterator[DevServer]:
    with frozen_server() as srv:
        yield srv


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The trash of the tests of a module that imports this, never the real one."""
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


async def settle(pilot: Pilot[Any]) -> None:
    """Let messages, workers (HTTP) and the screen updates they cause all finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def steady_cursors(pilot: Pilot[Any]) -> None:
    """Stop the inputs' cursors blinking, so a screenshot never catches one half-way."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


def form_of(app: App[Any]) -> SnapshotForm:
    """The snapshot form, which must be the screen on top."""
    assert isinstance(app.screen, SnapshotForm), app.screen
    return app.screen


def notifications(app: App[Any]) -> list[str]:
    return [n.message for n in app._notifications]


def store_snapshots(server: DevServer, view: str | None = None, device: str | None = None) -> list[Snapshot]:
    app_id = application_id(server)
    return [
        s
        for s in server.store.snapshots.values()
        if s.application_id == app_id
        and (view is None or s.view_name == view)
        and (device is None or s.device_type == device)
    ]


if __name__ == "__main__":  # try the screen by hand: python -m tests.apps.browser_app
    with frozen_server() as demo_server:
        BrowserApp(demo_server).run()
