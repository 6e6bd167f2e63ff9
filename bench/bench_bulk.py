"""Benchmark: bulk delete through SnapshotService.delete_many.

1. Against a sequential loop over Datadog's official client (RumReplayHeatmapsApi.
   delete_replay_heatmap_snapshot), both deleting `n` fresh snapshots from the same dev server
   (`heatmap-tui serve`, another process) with `latency_ms` added to every answer:
   bulk_delete_ratio_vs_sdk = median of ours / official.
2. With the server's fixed-window rate limit on (`limit` requests per `period` seconds): no
   delete may fail (rate_limited_failures), and the wall time is compared with the floor that
   the limit itself imposes (rate_limited_ratio_to_floor, see `rate_limit_floor`).

    python -m bench.bench_bulk
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.common import Admin, create_snapshots, median, serve, snapshot_service
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.snapshots import BulkResult
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

N = 500
LATENCY_MS = 25
OURS_RUNS = 3  # ours is many times quicker than the official loop: time it a few times around it
RATE_LIMITED_N = 250
LIMIT, PERIOD = 100, 10.0
PROBES = 5
APP_ID = "bench-app"


def rate_limit_floor(count: int, limit: int, period: float, request_seconds: float) -> float:
    """The least time `count` requests can take under `limit` requests per `period` seconds,
    starting at a fresh window.

    Request k (k = 0, 1, ...) falls in window k // limit, and the server opens a window no
    sooner than `period` after the previous one opened (its first request starts it). So the
    last request, k = count - 1, cannot be let in before floor((count - 1) / limit) * period
    seconds after the first one, and it still takes its own round trip after that. Everything
    before it overlaps those waits, so it adds nothing to the floor.
    """
    return (count - 1) // limit * period + request_seconds


class Bench:
    """One dev server (another process); each side gets fresh snapshots, created at no latency."""

    def __init__(self, url: str, latency_ms: float) -> None:
        self.url = url
        self.admin = Admin(url)
        self.latency_ms = latency_ms

    def seed(self, view: str, count: int) -> list[Snapshot]:
        self.admin.set(latency_ms=0)
        try:
            return asyncio.run(create_snapshots(self.url, APP_ID, view, count))
        finally:
            self.admin.set(latency_ms=self.latency_ms)

    def left(self, view: str) -> int:
        async def count() -> int:
            service = snapshot_service(self.url)
            try:
                return len((await service.list(view, application_id=APP_ID)).items)
            finally:
                await service.client.aclose()

        return asyncio.run(count())

    def delete_many(self, view: str, snapshots: list[Snapshot]) -> tuple[float, BulkResult, DatadogClient]:
        """Seconds for delete_many with the service's defaults; its result; the client it used."""

        async def delete() -> tuple[float, BulkResult, DatadogClient]:
            service = snapshot_service(self.url)
            try:
                started = time.perf_counter()
                result = await service.delete_many(snapshots)
                return time.perf_counter() - started, result, service.client
            finally:
                await service.client.aclose()

        return asyncio.run(delete())

    def ours(self, view: str, count: int) -> float:
        seconds, result, _ = self.delete_many(view, self.seed(view, count))
        if result.failed or self.left(view):
            first = next(iter(result.failed.values()), None)
            raise RuntimeError(
                f"delete_many left {self.left(view)} behind, {len(result.failed)} failed: {first}"
            )
        return seconds

    def official(self, view: str, count: int) -> float:
        from datadog_api_client import ApiClient, Configuration
        from datadog_api_client.v2.api.rum_replay_heatmaps_api import RumReplayHeatmapsApi

        snapshots = self.seed(view, count)
        keys = {"apiKeyAuth": DEMO_API_KEY, "appKeyAuth": DEMO_APP_KEY}
        with ApiClient(Configuration(host=self.url, api_key=keys)) as client:
            api = RumReplayHeatmapsApi(client)
            started = time.perf_counter()
            for snapshot in snapshots:
                api.delete_replay_heatmap_snapshot(snapshot.id)
            seconds = time.perf_counter() - started
        if self.left(view):
            raise RuntimeError("the official client left snapshots behind")
        return seconds

    def one_request_seconds(self, probes: int) -> float:
        """The round trip of one DELETE on its own (median), with the same added latency."""
        snapshots = self.seed("/bulk/probe", probes)

        async def probe() -> float:
            service = snapshot_service(self.url)
            try:
                times = []
                for snapshot in snapshots:
                    started = time.perf_counter()
                    await service.delete(snapshot.id)
                    times.append(time.perf_counter() - started)
                return median(times)
            finally:
                await service.client.aclose()

        return asyncio.run(probe())

    def rate_limited(self, count: int, limit: int, period: float) -> dict[str, Any]:
        view = "/bulk/rate-limited"
        request_seconds = self.one_request_seconds(PROBES)
        snapshots = self.seed(view, count)
        self.admin.set(rate_limit={"limit": limit, "period": period})  # a fresh window
        self.admin.reset_stats()
        try:
            seconds, result, client = self.delete_many(view, snapshots)
            rejected = self.admin.count(429)
        finally:
            self.admin.set(rate_limit=None)
        floor = rate_limit_floor(count, limit, period, request_seconds)
        return {
            "rate_limited_failures": len(result.failed),
            "rate_limited_ratio_to_floor": seconds / floor,
            "rate_limited_s": seconds,
            "rate_limited_floor_s": floor,
            "rate_limited_429s": rejected,
            "rate_limited_requests_sent": client.requests_sent,
            "rate_limited_tracker_waits": client.rate_limit.waits,
            "one_request_ms": request_seconds * 1000,
            "rate_limited_left": self.left(view),
        }


def run(
    n: int = N,
    latency_ms: float = LATENCY_MS,
    rate_limited_n: int = RATE_LIMITED_N,
    limit: int = LIMIT,
    period: float = PERIOD,
    ours_runs: int = OURS_RUNS,
) -> dict[str, Any]:
    """bulk_delete_ratio_vs_sdk, rate_limited_failures, rate_limited_ratio_to_floor, and details."""
    with serve() as server:
        bench = Bench(server.url, latency_ms)
        # Ours before and after the official loop, so that a drift of the machine's load
        # during the long official run weighs on both sides.
        ours = [bench.ours("/bulk/ours-0", n)]
        official = bench.official("/bulk/official", n)
        ours += [bench.ours(f"/bulk/ours-{i}", n) for i in range(1, ours_runs)]
        figures: dict[str, Any] = {
            "bulk_delete_ratio_vs_sdk": median(ours) / official,
            "bulk_ours_s": median(ours),
            "bulk_ours_runs_s": ours,
            "bulk_official_s": official,
            "bulk_n": n,
            "latency_ms": latency_ms,
        }
        figures.update(bench.rate_limited(rate_limited_n, limit, period))
        figures.update(rate_limited_n=rate_limited_n, limit=f"{limit}/{period:g}s")
        return figures


def summary(f: dict[str, Any]) -> list[str]:
    runs = ", ".join(f"{s:.2f}" for s in f["bulk_ours_runs_s"])
    return [
        f"bulk delete of {f['bulk_n']} snapshots, {f['latency_ms']:g} ms added per request",
        f"  delete_many (default concurrency)  {f['bulk_ours_s']:7.2f} s  (median; runs: {runs})",
        f"  official client, sequential        {f['bulk_official_s']:7.2f} s",
        f"  ratio                              {f['bulk_delete_ratio_vs_sdk']:7.3f}",
        f"rate limit {f['limit']}, {f['rate_limited_n']} deletes with delete_many",
        f"  wall {f['rate_limited_s']:.2f} s, floor {f['rate_limited_floor_s']:.2f} s "
        f"(one request alone: {f['one_request_ms']:.1f} ms), ratio {f['rate_limited_ratio_to_floor']:.3f}",
        f"  failures {f['rate_limited_failures']}, 429 answers {f['rate_limited_429s']}, "
        f"DELETEs sent {f['rate_limited_requests_sent']}, tracker waits {f['rate_limited_tracker_waits']}",
    ]


def main() -> None:
    print("\n".join(summary(run())))


if __name__ == "__main__":
    main()
