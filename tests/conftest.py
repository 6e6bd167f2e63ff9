"""Shared fixtures. Dev server: a seeded Datadog-compatible server on an ephemeral loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer


@pytest.fixture(autouse=True)
def _data_dir_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the person's data dir (the state file a config write migrates into, the
    trash); a test that wants another one sets HEATMAP_TUI_DATA itself."""
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))


@pytest.fixture
def devserver() -> Iterator[DevServer]:
    """A seeded dev server, started for one test and stopped after it."""
    with DevServer(seed=True) as server:
        yield server


@pytest.fixture
def demo_headers() -> dict[str, str]:
    """The auth headers of the demo key pair."""
    return {"DD-API-KEY": DEMO_API_KEY, "DD-APPLICATION-KEY": DEMO_APP_KEY}


# A real Secret Service (dbus-daemon + gnome-keyring) for the keyring tests: see keyring_harness.py.
from keyring_harness import secret_service, secret_service_daemons, secret_service_keyring  # noqa: E402
