"""`heatmap-tui snapshots delete` starts with what it needs, and looks its ids up in one request.

The program runs as people run it (a fresh interpreter, `python -m heatmap_tui`), with Python's
own import log (-X importtime), so that whatever any module imports on the way shows.
"""

from __future__ import annotations

import subprocess
import sys

from scripts.cli_runner import Cli

from heatmap_tui.core.snapshots import PATH
from heatmap_tui.devserver import DevServer

# Libraries a delete never uses: the config writer, the TUI's, the keyring, httpx's own transport
# and command-line tool (which httpx imports whenever click is installed).
NOT_NEEDED = ("tomlkit", "rich", "textual", "keyring", "httpcore", "anyio", "h11", "click", "pygments")


def imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def not_needed(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in NOT_NEEDED)


def test_the_help_of_delete_imports_none_of_what_a_delete_never_uses(tmp_path) -> None:
    cli = Cli(tmp_path, "http://127.0.0.1:9")
    args = [sys.executable, "-X", "importtime", "-m", "heatmap_tui", "snapshots", "delete", "--help"]
    done = subprocess.run(args, capture_output=True, text=True, env=cli.env, timeout=60)
    assert done.returncode == 0 and "--concurrency" in done.stdout
    modules = imported(done.stderr)
    assert "heatmap_tui.commands.snapshot_write" in modules  # the log is of the real thing
    assert not_needed(modules) == []


def test_a_delete_imports_none_of_it_and_looks_the_ids_up_in_one_request(
    devserver: DevServer, tmp_path
) -> None:
    app_id = next(iter(devserver.store.applications))
    ids = [
        devserver.store.new_snapshot(application_id=app_id, view_name="/one", start=i).id for i in range(5)
    ]
    devserver.reset_stats()
    cli = Cli(tmp_path, devserver.url)
    args = [sys.executable, "-X", "importtime", "-m", "heatmap_tui", "snapshots", "delete", *ids]
    args += ["--view", "/one", "--yes", "--api-url", devserver.url]
    done = subprocess.run(args, capture_output=True, text=True, env=cli.env, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 deleted, 0 failed" in done.stderr
    assert not_needed(imported(done.stderr)) == []
    assert devserver.count("GET", PATH) == 1  # the view, listed once
    assert devserver.count("DELETE", PATH) == 5
    assert devserver.count() == 6
