"""Shared fixtures. Dev server: a seeded Datadog-compatible server on an ephemeral loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer


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
from keyring_harness import secret_service, secret_service_keyring  # noqa: E402
