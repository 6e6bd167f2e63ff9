"""Benchmark: bulk delete end to end, as users run it, against the peers a competent user writes.

Ours: `heatmap-tui snapshots delete ID... --app APP --view VIEW --yes`, a whole process: start-up,
the keys, the look-up of the ids in the view, the trash copy (fsynced), the deletes.
The peers: whole `python` processes on Datadog's official datadog-api-client, scripts below whole:
    threaded    one ApiClient shared by a concurrent.futures.ThreadPoolExecutor(16) (the target's)
    sequential  `for id in ids: api.delete_replay_heatmap_snapshot(id)` (a second line, no target)

Each run deletes fresh snapshots (created at no latency) from `heatmap-tui serve`, a process of
its own, answering with `latency_ms` added to every request; each is timed from just before its
process is spawned to its exit. At each size (300 and 1,000 snapshots) ours and the threaded peer
alternate, `runs` times each, after one warm-up of each at the first size (a clean clone compiles
its .pyc files there). The sequential peer runs once, at 300 only, after the warm-ups: at 1,000 x
25 ms it would take over 25 s.

The server keeps its snapshots in memory (no --data file): with a file it rewrites the whole file
on every delete under its lock (10 ms a delete with 300 snapshots, 30 ms with 1,000), which made
it the bottleneck of both sides; Datadog does not serialise deletes so.

    bulk_cli_ratio_vs_sdk_threaded_N  = median(ours) / median(threaded peer), N snapshots
    bulk_cli_ratio_vs_sdk_threaded    = the larger of those (target <= 0.8)
    bulk_cli_ratio_vs_sdk_sequential  = median(ours at 300) / the sequential peer at 300

    python -m bench.bench_bulk_cli
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import ROOT, Admin, app_env, create_snapshots, median, sandbox, serve, snapshot_service
from heatmap_tui.core.rum import RumService
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

SIZES = (300, 1000)
LATENCY_MS = 25
RUNS = 3
SEQUENTIAL_N = 300

_HEAD = """
import sys
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.rum_replay_heatmaps_api import RumReplayHeatmapsApi

url, api_key, app_key = sys.argv[1:4]
ids = sys.stdin.read().split()
config = Configuration(host=url, api_key={"apiKeyAuth": api_key, "appKeyAuth": app_key})
"""
# The peers, whole: the ids on stdin, one line each.
THREADED_PEER = (
    _HEAD
    + """from concurrent.futures import ThreadPoolExecutor

with ApiClient(config) as client, ThreadPoolExecutor(16) as pool:
    api = RumReplayHeatmapsApi(client)
    list(pool.map(api.delete_replay_heatmap_snapshot, ids))
"""
)
SEQUENTIAL_PEER = (
    _HEAD
    + """
with ApiClient(config) as client:
    api = RumReplayHeatmapsApi(client)
    for id in ids:
        api.delete_replay_heatmap_snapshot(id)
"""
)


def _timed(argv: list[str], env: dict[str, str], stdin: str = "") -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{argv[:4]} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return seconds


def run(
    sizes: Sequence[int] = SIZES,
    latency_ms: float = LATENCY_MS,
    runs: int = RUNS,
    sequential_n: int = SEQUENTIAL_N,
) -> dict[str, Any]:
    """bulk_cli_ratio_vs_sdk_threaded (and per size), the sequential line, every run's seconds."""
    with sandbox() as root, serve(seed=True) as server:
        return _Bench(root, server.url, latency_ms).measure(sizes, runs, sequential_n)


class _Bench:
    def __init__(self, root: Path, url: str, latency_ms: float) -> None:
        self.url = url
        self.latency_ms = latency_ms
        self.admin = Admin(url)
        self.env = app_env(root)
        self.app_id = asyncio.run(self._web_app_id())
        self.views = 0

    async def _web_app_id(self) -> str:
        service = snapshot_service(self.url)
        try:
            apps = await RumService(service.client).list_applications()
        finally:
            await service.client.aclose()
        return next(a.application_id for a in apps if a.attributes.type == "browser")

    def measure(self, sizes: Sequence[int], runs: int, sequential_n: int) -> dict[str, Any]:
        self.ours(sizes[0])  # warm-ups, not counted
        self.peer(sizes[0], THREADED_PEER)
        figures: dict[str, Any] = {"bulk_cli_sizes": list(sizes), "bulk_cli_latency_ms": self.latency_ms}
        for n in sizes:
            ours: list[float] = []
            peer: list[float] = []
            for i in range(runs):
                for side in ("ours", "peer") if i % 2 == 0 else ("peer", "ours"):
                    if side == "ours":
                        ours.append(self.ours(n))
                    else:
                        peer.append(self.peer(n, THREADED_PEER))
            figures |= {
                f"bulk_cli_ratio_vs_sdk_threaded_{n}": median(ours) / median(peer),
                f"bulk_cli_{n}_s": median(ours),
                f"bulk_cli_{n}_runs_s": ours,
                f"bulk_sdk_threaded_{n}_s": median(peer),
                f"bulk_sdk_threaded_{n}_runs_s": peer,
            }
        figures["bulk_cli_ratio_vs_sdk_threaded"] = max(
            figures[f"bulk_cli_ratio_vs_sdk_threaded_{n}"] for n in sizes
        )
        sequential = self.peer(sequential_n, SEQUENTIAL_PEER)
        ours_there = figures.get(f"bulk_cli_{sequential_n}_s")
        if ours_there is None:
            ours_there = median([self.ours(sequential_n) for _ in range(runs)])
        figures |= {
            "bulk_cli_ratio_vs_sdk_sequential": ours_there / sequential,
            "bulk_sdk_sequential_s": sequential,
            "bulk_sdk_sequential_n": sequential_n,
        }
        return figures

    def ours(self, n: int) -> float:
        view, ids = self._seed(n)
        argv = [sys.executable, "-m", "heatmap_tui", "snapshots", "delete", *ids]
        argv += ["--api-url", self.url, "--app", self.app_id, "--view", view, "--yes"]
        return self._checked(view, "the CLI", lambda: _timed(argv, self.env))

    def peer(self, n: int, script: str) -> float:
        view, ids = self._seed(n)
        argv = [sys.executable, "-c", script, self.url, DEMO_API_KEY, DEMO_APP_KEY]
        return self._checked(view, "the official client", lambda: _timed(argv, self.env, "\n".join(ids)))

    def _seed(self, n: int) -> tuple[str, list[str]]:
        """A view of its own holding `n` fresh snapshots, created at no latency."""
        self.views += 1
        view = f"/bulk-cli/{self.views}"
        self.admin.set(latency_ms=0)
        try:
            return view, [s.id for s in asyncio.run(create_snapshots(self.url, self.app_id, view, n))]
        finally:
            self.admin.set(latency_ms=self.latency_ms)

    def _checked(self, view: str, who: str, timed: Callable[[], float]) -> float:
        seconds = timed()
        if left := self._left(view):
            raise RuntimeError(f"{who} left {left} snapshots behind")
        return seconds

    def _left(self, view: str) -> int:
        async def count() -> int:
            service = snapshot_service(self.url)
            try:
                return len((await service.list(view, application_id=self.app_id)).items)
            finally:
                await service.client.aclose()

        self.admin.set(latency_ms=0)
        try:
            return asyncio.run(count())
        finally:
            self.admin.set(latency_ms=self.latency_ms)


def _runs(values: Sequence[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in values)


def summary(f: dict[str, Any]) -> list[str]:
    lines = [
        f"bulk delete end to end (whole processes), {f['bulk_cli_latency_ms']:g} ms added per request, "
        "medians of alternating runs"
    ]
    for n in f["bulk_cli_sizes"]:
        lines += [
            f"  {n} snapshots",
            f"    heatmap-tui snapshots delete --yes              {f[f'bulk_cli_{n}_s']:6.2f} s   runs: "
            + _runs(f[f"bulk_cli_{n}_runs_s"]),
            f"    official client, ThreadPoolExecutor(16)         {f[f'bulk_sdk_threaded_{n}_s']:6.2f} s   runs: "
            + _runs(f[f"bulk_sdk_threaded_{n}_runs_s"]),
            f"    ratio                                           {f[f'bulk_cli_ratio_vs_sdk_threaded_{n}']:6.2f}",
        ]
    n = f["bulk_sdk_sequential_n"]
    lines += [
        f"  bulk_cli_ratio_vs_sdk_threaded (the larger)       {f['bulk_cli_ratio_vs_sdk_threaded']:6.2f}",
        f"  second line, {n} snapshots: official client, sequential for-loop (one run) "
        f"{f['bulk_sdk_sequential_s']:.2f} s, ratio {f['bulk_cli_ratio_vs_sdk_sequential']:.3f}",
    ]
    return lines


def main() -> None:
    print("\n".join(summary(run())))


if __name__ == "__main__":
    main()
