"""`heatmap-tui serve`: a real subprocess that prints where it listens and stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest

from heatmap_tui.cli import main
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_its_url_and_keys_answers_and_stops_on_a_signal(tmp_path, signum) -> None:
    data = tmp_path / "state.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "heatmap_tui",
            "serve",
            "--port",
            "0",
            "--seed",
            "--data",
            str(data),
            "--rate-limit",
            "50/10",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("serving http://127.0.0.1:"), first + proc.stderr.read()
        url = first.removeprefix("serving ")
        env = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(2))
        assert env == {"DD_API_KEY": DEMO_API_KEY, "DD_APP_KEY": DEMO_APP_KEY}
        r = httpx.get(
            url + "/api/v2/replay/heatmap/snapshots",
            params={"filter[view_name]": "/home"},
            headers={"DD-API-KEY": env["DD_API_KEY"], "DD-APPLICATION-KEY": env["DD_APP_KEY"]},
            verify=False,
        )
        assert r.status_code == 200 and r.json()["data"]
        assert r.headers["x-ratelimit-limit"] == "50" and r.headers["x-ratelimit-remaining"] == "49"
        assert data.exists()
        proc.send_signal(signum)
        assert proc.wait(timeout=5) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("value", ["abc", "10", "0/5", "5/0", "x/1"])
def test_a_bad_rate_limit_is_a_usage_error(capsys, value) -> None:
    assert main(["serve", "--rate-limit", value]) == 2
    assert "--rate-limit" in capsys.readouterr().err


def test_a_non_loopback_host_is_refused(capsys) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "loopback" in capsys.readouterr().err
