"""The whole app (HeatmapApp) wired to the embedded server, a temp config and a frozen clock.

Requests to any site (US5, EU1, a custom URL...) reach the dev server through RedirectTransport,
so the screens show a stable site name instead of a random loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from textual.app import App

from heatmap_tui.core.keyring_access import KeyringStore
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.state import Position, load_state, state_path
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.screenshots import settle
from heatmap_tui.ui.services import Overrides, RedirectTransport, Services, routed_connections

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
SIZE = (120, 40)
DEMO_ENV = {"DD_API_KEY": DEMO_API_KEY, "DD_APP_KEY": DEMO_APP_KEY}
# Quick retries: a test need not wait out the real backoff.
QUICK = RetryPolicy(base_delay=0.01, max_delay=0.05, max_rate_limit_wait=0.05)


def no_keyring() -> KeyringStore:
    return KeyringStore(backend=fail.Keyring())


def make_services(
    server: DevServer,
    config_path: Path | None,
    *,
    store: KeyringStore | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Overrides | None = None,
    read_only: bool = False,
    crash_marker: Path | None = None,
) -> Services:
    return Services(
        config_path=config_path,
        # Beside a config file, the state file of the data dir (HEATMAP_TUI_DATA: see config_path).
        state_path=state_path() if config_path is not None else None,
        store=store or KeyringStore(timeout=5.0),
        connect=routed_connections(server.url, QUICK),
        clock=lambda: NOW,
        read_only=read_only,
        overrides=overrides or Overrides(),
        env=dict(env or {}),
        transport=lambda: RedirectTransport(server.url),
        crash_marker=crash_marker,
    )


def shell_app(server: DevServer, config_path: Path | None, **kw: Any) -> HeatmapApp:
    return HeatmapApp(make_services(server, config_path, **kw))


def app_id(server: DevServer, name: str = "Shop Web") -> str:
    return next(a.application_id for a in server.store.applications.values() if a.name == name)


@pytest.fixture
def server() -> Iterator[DevServer]:
    """A seeded dev server whose clock starts at NOW, so the seeded data is the same every run."""
    with DevServer(seed=True, now=NOW) as srv:
        yield srv


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("HEATMAP_TUI_CONFIG", str(path))
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))  # the trash, the state file
    return path


def notifications(app: App[Any]) -> list[str]:
    return [n.message for n in app._notifications]


def screen_names(app: App[Any]) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack[1:]]


def saved_position(name: str = "default") -> Position | None:
    """Where the state file (under HEATMAP_TUI_DATA) says the app left off with profile `name`."""
    return load_state(state_path()).profiles.get(name)
