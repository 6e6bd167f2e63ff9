"""The Secret Service harness survives its daemon aborting (see keyring_harness.py's docstring)."""

from __future__ import annotations

import os
import signal

import pytest
from keyring_harness import ABORTED_DURING, SecretServiceHarness


@pytest.mark.keyring
def test_an_aborted_daemon_is_started_again_counted_and_flags_the_test(
    secret_service: SecretServiceHarness, request: pytest.FixtureRequest
) -> None:
    before = secret_service.aborts
    daemon = secret_service._procs[-1]
    os.kill(daemon.pid, signal.SIGABRT)  # what gnome-keyring's failed assertion does
    daemon.wait()
    with pytest.warns(UserWarning, match=r"started again: gnome-keyring-daemon exited \(-6\)"):
        secret_service.clear()  # the harness's own clear: retried on fresh daemons
    assert secret_service.aborts == before + 1
    assert secret_service.why_down() is None and secret_service.items() == {}
    assert request.node.stash.get(ABORTED_DURING, False) is False  # set when the test ends
