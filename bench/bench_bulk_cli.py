"""Benchmark: bulk delete end to end, as users run it, against the peer a competent user writes.

Ours: `heatmap-tui snapshots delete ID... --app APP --view VIEW --yes`, a whole process (start-up,
the keys, the look-up of the ids in the view, the trash copy with its fsync, the deletes).
The peer: a whole `python` process using Datadog's official datadog-api-client, one ApiClient
shared by a `concurrent.futures.ThreadPoolExecutor(16)` (see PEER below, its whole script).
Both delete `n` fresh snapshots (created at no latency) from `heatmap-tui serve` (another
process) answering with `latency_ms` added; each is timed from just before its process is
spawned to its exit; runs alternate, in one run of this bench, and the ratio is of the medians:
bulk_delete_cli_ratio_vs_sdk_pool = median(CLI) / median(official client with 16 threads).

    python -m bench.bench_bulk_cli
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

from bench.common import (
    ROOT,
    Admin,
    app_env,
    create_snapshots,
    median,
    sandbox,
    serve,
    snapshot_service,
    write_data_file,
)
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

N = 300
LATENCY_MS = 25
RUNS = 3

# The peer, whole: the ids on stdin, one line each.
PEER = """
import sys
from concurrent.futures import ThreadPoolExecutor
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.rum_replay_heatmaps_api import RumReplayHeatmapsApi

url, api_key, app_key = sys.argv[1:4]
ids = sys.stdin.read().split()
config = Configuration(host=url, api_key={"apiKeyAuth": api_key, "appKeyAuth": app_key})
with ApiClient(config) as client, ThreadPoolExecutor(16) as pool:
    api = RumReplayHeatmapsApi(client)
    list(pool.map(api.delete_replay_heatmap_snapshot, ids))
"""


def _timed(argv: list[str], env: dict[str, str], stdin: str = "") -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{argv[:4]} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return seconds


def run(n: int = N, latency_ms: float = LATENCY_MS, runs: int = RUNS) -> dict[str, Any]:
    """bulk_delete_cli_ratio_vs_sdk_pool, and the seconds of every run."""
    with sandbox() as root:
        app_id = write_data_file(root / "data.json", {})  # the demo org's applications, no snapshots
        with serve(root / "data.json", seed=True) as server:
            return _run(root, server.url, app_id, n, latency_ms, runs)


def _run(root: Any, url: str, app_id: str, n: int, latency_ms: float, runs: int) -> dict[str, Any]:
    cli: list[float] = []
    peer: list[float] = []
    admin = Admin(url)
    env = app_env(root)

    def seed(view: str) -> list[str]:
        admin.set(latency_ms=0)
        try:
            return [s.id for s in asyncio.run(create_snapshots(url, app_id, view, n))]
        finally:
            admin.set(latency_ms=latency_ms)

    def left(view: str) -> int:
        async def count() -> int:
            service = snapshot_service(url)
            try:
                return len((await service.list(view, application_id=app_id)).items)
            finally:
                await service.client.aclose()

        admin.set(latency_ms=0)
        try:
            return asyncio.run(count())
        finally:
            admin.set(latency_ms=latency_ms)

    def ours(view: str) -> float:
        ids = seed(view)
        argv = [sys.executable, "-m", "heatmap_tui", "snapshots", "delete", *ids]
        argv += ["--api-url", url, "--app", app_id, "--view", view, "--yes"]
        seconds = _timed(argv, env)
        if left(view):
            raise RuntimeError(f"the CLI left {left(view)} snapshots behind")
        return seconds

    def official(view: str) -> float:
        ids = seed(view)
        seconds = _timed([sys.executable, "-c", PEER, url, DEMO_API_KEY, DEMO_APP_KEY], env, "\n".join(ids))
        if left(view):
            raise RuntimeError(f"the official client left {left(view)} snapshots behind")
        return seconds

    ours("/bulk-cli/warm-up")  # compiles the .pyc files of a clean clone, warms the caches
    official("/bulk-cli/warm-up-sdk")
    for i in range(runs):
        first, second = (ours, official) if i % 2 == 0 else (official, ours)
        for side in (first, second):
            (cli if side is ours else peer).append(side(f"/bulk-cli/{side.__name__}-{i}"))
    return {
        "bulk_delete_cli_ratio_vs_sdk_pool": median(cli) / median(peer),
        "bulk_cli_s": median(cli),
        "bulk_cli_runs_s": cli,
        "bulk_sdk_pool_s": median(peer),
        "bulk_sdk_pool_runs_s": peer,
        "bulk_cli_n": n,
        "bulk_cli_latency_ms": latency_ms,
    }


def summary(f: dict[str, Any]) -> list[str]:
    return [
        f"bulk delete of {f['bulk_cli_n']} snapshots end to end (whole processes), "
        f"{f['bulk_cli_latency_ms']:g} ms added per request (median of {len(f['bulk_cli_runs_s'])})",
        f"  heatmap-tui snapshots delete --yes        {f['bulk_cli_s']:6.2f} s   runs: "
        + ", ".join(f"{s:.2f}" for s in f["bulk_cli_runs_s"]),
        f"  official client, ThreadPoolExecutor(16)   {f['bulk_sdk_pool_s']:6.2f} s   runs: "
        + ", ".join(f"{s:.2f}" for s in f["bulk_sdk_pool_runs_s"]),
        f"  ratio                                     {f['bulk_delete_cli_ratio_vs_sdk_pool']:6.2f}",
    ]


def main() -> None:
    print("\n".join(summary(run())))


if __name__ == "__main__":
    main()
