"""Benchmark: the snapshots of many views at once through SnapshotService.list_views, against
the same listing done one view after the other with SnapshotService.list.

`views` views of `per_view` snapshots each on the dev server (`heatmap-tui serve`, another
process), `latency_ms` added to every answer. Runs alternate (sequential, then concurrent, `runs` times), each with a fresh service,
and both must return the very same snapshots; all_views_ratio = median(list_views) /
median(sequential list).

    python -m bench.bench_all_views
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.common import Admin, median, sandbox, serve, snapshot_service, write_data_file

VIEWS = 30
PER_VIEW = 20
LATENCY_MS = 25
RUNS = 7


async def _sequential(url: str, app_id: str, views: list[str]) -> tuple[float, dict[str, list[str]]]:
    service = snapshot_service(url)
    try:
        started = time.perf_counter()
        pages = {view: await service.list(view, application_id=app_id) for view in views}
        seconds = time.perf_counter() - started
    finally:
        await service.client.aclose()
    return seconds, {view: [s.id for s in page.items] for view, page in pages.items()}


async def _concurrent(url: str, app_id: str, views: list[str]) -> tuple[float, dict[str, list[str]]]:
    service = snapshot_service(url)
    try:
        started = time.perf_counter()
        pages = await service.list_views(views, application_id=app_id)
        seconds = time.perf_counter() - started
    finally:
        await service.client.aclose()
    return seconds, {view: [s.id for s in page.items] for view, page in pages.items()}


def run(
    views: int = VIEWS, per_view: int = PER_VIEW, latency_ms: float = LATENCY_MS, runs: int = RUNS
) -> dict[str, Any]:
    """all_views_ratio, and the seconds of every run."""
    names = [f"/bench/view-{i:02d}" for i in range(views)]
    sequential: list[float] = []
    concurrent: list[float] = []
    with sandbox() as root:
        app_id = write_data_file(root / "data.json", dict.fromkeys(names, per_view))
        with serve(root / "data.json") as server:
            Admin(server.url).set(latency_ms=latency_ms)
            for _ in range(runs):
                seconds, one_by_one = asyncio.run(_sequential(server.url, app_id, names))
                sequential.append(seconds)
                seconds, at_once = asyncio.run(_concurrent(server.url, app_id, names))
                concurrent.append(seconds)
                if at_once != one_by_one or sum(map(len, at_once.values())) != views * per_view:
                    raise RuntimeError("list_views and the sequential listing returned different snapshots")
    return {
        "all_views_ratio": median(concurrent) / median(sequential),
        "all_views_concurrent_s": median(concurrent),
        "all_views_sequential_s": median(sequential),
        "all_views_concurrent_runs_s": concurrent,
        "all_views_sequential_runs_s": sequential,
        "all_views_views": views,
        "latency_ms": latency_ms,
    }


def summary(f: dict[str, Any]) -> list[str]:
    return [
        f"the snapshots of {f['all_views_views']} views, {f['latency_ms']:g} ms added per request "
        f"(median of {len(f['all_views_concurrent_runs_s'])})",
        f"  list_views (default concurrency)  {f['all_views_concurrent_s'] * 1000:7.0f} ms   runs: "
        + ", ".join(f"{s * 1000:.0f}" for s in f["all_views_concurrent_runs_s"]),
        f"  list, one view after the other    {f['all_views_sequential_s'] * 1000:7.0f} ms   runs: "
        + ", ".join(f"{s * 1000:.0f}" for s in f["all_views_sequential_runs_s"]),
        f"  ratio                             {f['all_views_ratio']:7.3f}",
    ]


def main() -> None:
    print("\n".join(summary(run())))


if __name__ == "__main__":
    main()
