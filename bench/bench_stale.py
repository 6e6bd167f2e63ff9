"""Benchmark: `snapshots stale --all-views --json` over the seeded org, as users run it, against
the same verdicts from one-by-one look-ups a competent user writes with the same stack.

Ours: `heatmap-tui snapshots stale --all-views --json`, a whole process, every application and
every known view (the look-ups concurrent under one gate, the snapshots' frames batched into
`@view.id:(... OR ...)` searches: core/stale_lookup.py).
The peer (PEER below, whole): a whole `python` process on the app's own core services
(DatadogClient, RumService, SnapshotService, core/stale.judge), one client, every request awaited
before the next: the applications; per application its views (discovery over the widest window);
per view its snapshots, its last traffic (one search), its versions (one aggregate) and when the
newest reached it (one search); per snapshot its frame (one search by its view id).
Both run against `heatmap-tui serve --seed` (another process) answering with `latency_ms` added;
each is timed from just before its process is spawned to its exit, its requests counted by the
server (/__admin/stats); runs alternate, and both must name the same snapshots for the same
reasons. stale_speedup = median(peer) / median(ours).

    python -m bench.bench_stale    # also merges the stale_* keys into bench/results.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import RESULTS_PATH, ROOT, Admin, app_env, median, sandbox, serve
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

LATENCY_MS = 25
RUNS = 3
# The keys this bench adds to bench/results.json.
RESULT_KEYS = (
    "stale_requests",
    "stale_requests_one_by_one",
    "stale_wall_s",
    "stale_wall_one_by_one_s",
    "stale_speedup",
)

# The peer, whole: prints {"data": [{"id", "reasons"}]} for the stale snapshots.
PEER = """
import asyncio, json, sys
from datetime import timedelta
from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.clock import utc_now
from heatmap_tui.core.rum import WIDEST_WINDOW, RumService
from heatmap_tui.core.rum_models import AggregateResponse
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.stale import AppFacts, StaleSettings, ViewFacts, judge
from heatmap_tui.core.versions import version_key

url, api_key, app_key = sys.argv[1:4]
settings = StaleSettings()


def quote(value):
    return '"' + value.replace("\\\\", "\\\\\\\\").replace('"', '\\\\"') + '"'


async def versions(client, app_id, view):
    body = {
        "compute": [{"aggregation": "count"}],
        "filter": {
            "query": f"@type:view @application.id:{quote(app_id)} @view.name:{quote(view)}",
            "from": WIDEST_WINDOW,
            "to": "now",
        },
        "group_by": [{"facet": "version", "limit": 100}],
    }
    answer = await client.request_model(
        "versions", "POST", "/api/v2/rum/analytics/aggregate", AggregateResponse, json_body=body
    )
    return [b.by["version"] for b in answer.data.buckets if isinstance(b.by.get("version"), str) and b.by["version"]]


async def main():
    auth = ApiAuth(api_key=api_key, app_key=app_key)
    async with DatadogClient(custom_site(url), auth) as client:
        rum, snapshots = RumService(client), SnapshotService(client)
        now = utc_now()
        found, facts = [], {}
        for app in await rum.list_applications():
            app_facts = facts[app.id] = AppFacts()
            for view in await rum.discover_views(app.id, since=WIDEST_WINDOW):
                items = (await snapshots.list(view.name, application_id=app.id)).items
                found += items
                last = await rum.last_traffic(app.id, view.name)
                recent = last is not None and now - last <= settings.orphan_after
                newest = max(await versions(client, app.id, view.name), key=version_key, default=None)
                since = await rum.first_seen(app.id, view.name, newest) if newest else None
                app_facts.versioned |= newest is not None
                app_facts.views[view.name] = ViewFacts(recent, None if recent else last, newest, since)
                for snapshot in items:
                    if snapshot.attributes.view_id:
                        app_facts.frames |= await rum.events_by_view_id(app.id, [snapshot.attributes.view_id])
        stale = [v for v in judge(found, facts, now, settings) if v.reasons]
        print(json.dumps({"data": [{"id": v.snapshot.id, "reasons": v.reasons} for v in stale]}))


asyncio.run(main())
"""


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from just before the process is spawned to its exit, and its stdout."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{argv[:5]} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return seconds, done.stdout


def _requests(url: str) -> int:
    """Every request the server answered since its stats were last reset."""
    response = httpx.get(url.rstrip("/") + "/__admin/stats")
    response.raise_for_status()
    return int(response.json()["total"])


def _stale(stdout: str) -> dict[str, list[str]]:
    """Snapshot id -> its reasons, from a {"data": [...]} answer."""
    return {row["id"]: row["reasons"] for row in json.loads(stdout)["data"]}


def run(latency_ms: float = LATENCY_MS, runs: int = RUNS) -> dict[str, Any]:
    """The stale_* keys, the seconds and requests of every run, and what was covered."""
    with sandbox() as root, serve(seed=True) as server:
        env = app_env(root)
        admin = Admin(server.url)
        ours_argv = [sys.executable, "-m", "heatmap_tui", "snapshots", "stale", "--all-views", "--json"]
        ours_argv += ["--api-url", server.url]
        peer_argv = [sys.executable, "-c", PEER, server.url, DEMO_API_KEY, DEMO_APP_KEY]
        sides = {"ours": ours_argv, "peer": peer_argv}
        seconds: dict[str, list[float]] = {"ours": [], "peer": []}
        requests: dict[str, list[int]] = {"ours": [], "peer": []}
        answers: dict[str, dict[str, list[str]]] = {}
        for argv in sides.values():  # compiles the .pyc files of a clean clone, warms the caches
            _timed(argv, env)
        admin.set(latency_ms=latency_ms)
        for i in range(runs):
            for side in ("ours", "peer") if i % 2 == 0 else ("peer", "ours"):
                admin.reset_stats()
                wall, stdout = _timed(sides[side], env)
                seconds[side].append(wall)
                requests[side].append(_requests(server.url))
                answers[side] = _stale(stdout)
        if answers["ours"] != answers["peer"]:
            differ = sorted(
                k
                for k in answers["ours"].keys() | answers["peer"].keys()
                if answers["ours"].get(k) != answers["peer"].get(k)
            )
            raise RuntimeError(
                f"the CLI and the one-by-one peer disagree on {len(differ)} snapshots: {differ[:5]}"
            )
    return {
        "stale_requests": int(median(requests["ours"])),
        "stale_requests_one_by_one": int(median(requests["peer"])),
        "stale_wall_s": median(seconds["ours"]),
        "stale_wall_one_by_one_s": median(seconds["peer"]),
        "stale_speedup": median(seconds["peer"]) / median(seconds["ours"]),
        "stale_runs_s": seconds["ours"],
        "stale_one_by_one_runs_s": seconds["peer"],
        "stale_snapshots": len(answers["ours"]),
        "stale_latency_ms": latency_ms,
    }


def summary(f: dict[str, Any]) -> list[str]:
    return [
        f"snapshots stale --all-views --json over the seeded org ({f['stale_snapshots']} stale snapshots), "
        f"whole processes, {f['stale_latency_ms']:g} ms added per request (median of {len(f['stale_runs_s'])})",
        "                                       requests     wall",
        f"  heatmap-tui snapshots stale          {f['stale_requests']:8d}  {f['stale_wall_s']:6.2f} s   runs: "
        + ", ".join(f"{s:.2f}" for s in f["stale_runs_s"]),
        f"  one by one, same stack, sequential   {f['stale_requests_one_by_one']:8d}  "
        f"{f['stale_wall_one_by_one_s']:6.2f} s   runs: "
        + ", ".join(f"{s:.2f}" for s in f["stale_one_by_one_runs_s"]),
        f"  ratio (one by one / ours)            {f['stale_requests_one_by_one'] / f['stale_requests']:8.1f}  "
        f"{f['stale_speedup']:6.2f} x",
    ]


def merge_results(figures: dict[str, Any], path: Path = RESULTS_PATH) -> None:
    """The RESULT_KEYS of `figures` into bench/results.json, every other key kept."""
    from bench.__main__ import write_results

    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    write_results(results | {key: figures[key] for key in RESULT_KEYS}, path)


def main() -> None:
    figures = run()
    print("\n".join(summary(figures)))
    merge_results(figures)
    print(f"  (the stale_* keys written to {RESULTS_PATH.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
