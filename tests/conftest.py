"""Shared fixtures. Dev server: a seeded Datadog-compatible server on an ephemeral loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer


@pytest.fixture(autouse=True)
def _data_dir_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the person's data dir (the state file a config write migrates into, the
    trash); a test that wants another one sets HEATMAP_TUI_DATA itself."""
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def _no_keyring_unless_asked(request: pytest.FixtureRequest) -> Iterator[None]:
    """In this process, keyring's default backend is no keyring, unless the test asks for the
    Secret Service. keyring picks its default once per process and keeps it: without this, a
    test's default was whatever the tests before it on the same xdist worker had left (the
    Secret Service whose bus is gone, say), and a screen showed a keyring error only on some
    workers."""
    if "secret_service" in request.fixturenames:
        yield
        return
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


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
from keyring_harness import (  # noqa: E402
    ABORTED_DURING,
    secret_service,
    secret_service_daemons,
    secret_service_keyring,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the Secret Service gets one more run if, and only if, gnome-keyring-daemon
    aborted while it ran (an upstream race, see keyring_harness.py); any other failure stands."""
    for item in items:
        if "secret_service" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.flaky(reruns=1, condition=_aborted_during(item)))


def _aborted_during(item: pytest.Item) -> Callable[[BaseException | None], bool]:
    """pytest-rerunfailures' condition: called with the failure, answered from the item."""
    return lambda _failure: item.stash.get(ABORTED_DURING, False)
