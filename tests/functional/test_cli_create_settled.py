"""`snapshots create` after a lost answer, and run again: settled, never a second snapshot."""

from __future__ import annotations

import threading
import time

import pytest
from scripts.cli_runner import Cli

from heatmap_tui.core.snapshots import PATH
from heatmap_tui.devserver import DevServer

VIEW = "/cli-settle"
CREATE = (
    "snapshots",
    "create",
    "--app",
    "Shop Web",
    "--name",
    "Settled by CLI",
    "--view",
    VIEW,
    "--device",
    "desktop",
    "--event-id",
    "ev-cli",
    "--start",
    "700",
)


@pytest.fixture
def cli(devserver: DevServer, tmp_path) -> Cli:  # type: ignore[no-untyped-def]
    return Cli(tmp_path, devserver.url)


def on_server(devserver: DevServer) -> list[str]:
    return [s.id for s in devserver.store.list_snapshots(VIEW)]


def test_a_create_whose_answer_was_lost_after_it_was_applied_reports_it(cli, devserver) -> None:
    devserver.faults.drop_next(method="POST", path_prefix=PATH, after_apply=True)
    first = cli.api(*CREATE, "--json")
    assert first.code == 0, first
    (made,) = on_server(devserver)
    assert first.json["data"]["id"] == made and first.json["meta"]["settled"] is True
    assert "it was created" in first.stderr and made in first.stderr
    again = cli.api(*CREATE)  # a re-run, as a script would after an error
    assert again.code == 0, again
    assert again.stdout.strip() == made and "not created again" in again.stderr
    assert on_server(devserver) == [made] and devserver.count("POST", PATH) == 1


def test_a_create_lost_before_it_was_applied_says_so_and_a_rerun_creates(cli, devserver) -> None:
    devserver.faults.drop_next(method="POST", path_prefix=PATH)
    first = cli.api(*CREATE)
    assert first.code == 1, first
    assert "it was not created" in first.stderr and "again is safe" in first.stderr
    assert on_server(devserver) == []
    again = cli.api(*CREATE)
    assert again.code == 0, again
    assert on_server(devserver) == [again.stdout.strip()]


def test_a_settle_that_fails_says_unknown_and_the_rerun_finds_it(cli, devserver) -> None:
    # The look-up before the create works; then the create's answer is lost and the look-up
    # after it fails: the failures are armed once the first look-up has been answered, while
    # the create waits out the server's latency.
    devserver.faults.latency_ms = 1000
    devserver.faults.drop_next(method="POST", path_prefix=PATH, after_apply=True)

    def arm() -> None:
        deadline = time.monotonic() + 30
        while devserver.count("GET", PATH) < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        devserver.faults.fail_next(503, count=10, method="GET", path_prefix=PATH)

    armer = threading.Thread(target=arm)
    armer.start()
    first = cli.api(*CREATE)
    armer.join()
    assert first.code == 1, first
    assert "Whether it was created is unknown" in first.stderr and "looks for it first" in first.stderr
    assert devserver.count("POST", PATH) == 1 and len(on_server(devserver)) == 1
    devserver.faults.clear()
    again = cli.api(*CREATE)
    assert again.code == 0 and "not created again" in again.stderr, again
    assert on_server(devserver) == [again.stdout.strip()] and devserver.count("POST", PATH) == 1
