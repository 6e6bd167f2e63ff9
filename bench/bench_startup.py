"""Benchmark: time to the first painted table, the real app against the floor.

The real app runs as a fresh `python` process, headless, against `heatmap-tui serve` (another
process) holding `rows` snapshots in the view where the last session left off (the config says
so, as it does on every run but the first): it reads the config, resolves the keys, opens the
browser on that view and lists it. The floor is bench/minimal_app.py: a fresh process that
paints a static table of as many rows. Both are timed by the same harness (bench/common.py
run_child, bench/minimal_app.py FirstPaint) from just before the process is spawned to the end
of the first frame with rows in it; runs alternate, a warm-up run of each comes first (it
compiles the .pyc files of a clean clone), and the ratio is of the medians.

Three measurements: with no latency (first_table_ratio), with the server RTT_MS late
(first_table_rtt_ratio, no target), and the resumed start on a real network
(resume_rtt150_ratio): the server RESUME_RTT_MS late, against the floor that pays one such
round trip too (minimal_app --fetch: once mounted, one GET of the view's snapshots, painted).
The app meets that only with a single round trip between its start and the view's rows.

    python -m bench.bench_startup            # the figures
    python -m bench.bench_startup --child    # the real app, as the parent runs it

Only the standard library at module level: the child must import no more than the app would.
"""

from __future__ import annotations

import sys
from typing import Any

RUNS = 5
ROWS = 1_000
RTT_MS = 80  # a real site's latency, added to every answer in the second measurement
RESUME_RTT_MS = 150  # a far site's: the third measurement, against the floor with one request
VIEW = "/home"


def child() -> int:
    """The real app, as `heatmap-tui` starts it, headless; exits after the first rows painted."""
    from bench.minimal_app import FirstPaint, run_app_headless
    from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable

    paint = FirstPaint(SnapshotTable, lambda table: table.model.shown_count > 0, lambda app: app.exit())
    return run_app_headless(paint, "any rows")


def run(
    runs: int = RUNS,
    rows: int = ROWS,
    warm_up: bool = True,
    rtt_ms: float = RTT_MS,
    resume_rtt_ms: float = RESUME_RTT_MS,
) -> dict[str, Any]:
    """first_table_ratio (medians, app / floor), the same with the server answering `rtt_ms`
    late (first_table_rtt_ratio, no target), resume_rtt150_ratio (the server `resume_rtt_ms`
    late, the floor fetching its rows), and the seconds of every run."""
    figures = _measure(runs, rows, warm_up, 0)
    late = _measure(runs, rows, warm_up, rtt_ms)
    figures.update({k.replace("first_table_", "first_table_rtt_"): v for k, v in late.items()})
    figures["first_table_rtt_ms"] = rtt_ms
    far = _measure(runs, rows, warm_up, resume_rtt_ms, fetch=True)
    figures.update({k.replace("first_table_", "resume_rtt150_"): v for k, v in far.items()})
    figures["resume_rtt150_ms"] = resume_rtt_ms
    return figures


def _measure(
    runs: int, rows: int, warm_up: bool, latency_ms: float, *, fetch: bool = False
) -> dict[str, Any]:
    """`fetch`: the floor lists the view from the server (one request), as the app does."""
    from bench.common import alternate_children, median, python_module

    floor_args = ["--rows", str(rows)] + (["--fetch", _list_url()] if fetch else [])
    floor_argv = python_module("bench.minimal_app", *floor_args)
    app_argv = python_module("bench.bench_startup", "--child")
    floor_runs, app_runs = alternate_children(
        (floor_argv, rows),
        (app_argv, rows),
        views={VIEW: rows},
        view=VIEW,
        runs=runs,
        warm_up=(floor_argv, app_argv) if warm_up else (),
        latency_ms=latency_ms,
    )
    floor = [r.seconds_to_mark for r in floor_runs]
    app = [r.seconds_to_mark for r in app_runs]
    return {
        "first_table_ratio": median(app) / median(floor),
        "first_table_app_s": median(app),
        "first_table_floor_s": median(floor),
        "first_table_app_runs_s": app,
        "first_table_floor_runs_s": floor,
        "first_table_rows": rows,
    }


def _list_url() -> str:
    """The request the app makes for VIEW's snapshots (the server's URL and the app's id are
    filled in by alternate_children)."""
    from urllib.parse import urlencode

    from bench.common import APP_ID, SERVER_URL
    from heatmap_tui.core.snapshots import DEFAULT_PAGE_LIMIT, PATH

    query = {"filter[view_name]": VIEW, "page[limit]": DEFAULT_PAGE_LIMIT, "filter[application_id]": APP_ID}
    return f"{SERVER_URL}{PATH}?{urlencode(query, safe='{}')}"


def summary(f: dict[str, Any]) -> list[str]:
    return [
        f"process start -> first {f['first_table_rows']:,} rows painted "
        f"(median of {len(f['first_table_app_runs_s'])})",
        f"  heatmap-tui against `serve`  {f['first_table_app_s'] * 1000:7.0f} ms   runs: "
        + _runs(f["first_table_app_runs_s"]),
        f"  minimal Textual app          {f['first_table_floor_s'] * 1000:7.0f} ms   runs: "
        + _runs(f["first_table_floor_runs_s"]),
        f"  ratio                        {f['first_table_ratio']:7.2f}",
        f"  with {f['first_table_rtt_ms']:g} ms added to every answer: heatmap-tui "
        f"{f['first_table_rtt_app_s'] * 1000:.0f} ms (runs: {_runs(f['first_table_rtt_app_runs_s'])}), "
        f"minimal app {f['first_table_rtt_floor_s'] * 1000:.0f} ms, ratio {f['first_table_rtt_ratio']:.2f}",
        f"resumed start, {f['resume_rtt150_ms']:g} ms added to every answer, against the minimal app "
        "plus one request of the view's snapshots",
        f"  heatmap-tui                  {f['resume_rtt150_app_s'] * 1000:7.0f} ms   runs: "
        + _runs(f["resume_rtt150_app_runs_s"]),
        f"  minimal app + one request    {f['resume_rtt150_floor_s'] * 1000:7.0f} ms   runs: "
        + _runs(f["resume_rtt150_floor_runs_s"]),
        f"  ratio                        {f['resume_rtt150_ratio']:7.2f}",
    ]


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{s * 1000:.0f}" for s in seconds)


def main() -> int:
    print("\n".join(summary(run())))
    return 0


if __name__ == "__main__":
    sys.exit(child() if "--child" in sys.argv[1:] else main())
