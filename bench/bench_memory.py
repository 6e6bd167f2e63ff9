"""Benchmark: peak RSS with 10,000 snapshots loaded in the browser, against the floor.

The real app runs as in bench_startup.py (a fresh headless process against `heatmap-tui serve`,
starting where the last session left off), then switches the browser to all views (`a`), which
lists the application's views (discovered from its replay events) and loads their snapshots:
10,000 of them, spread evenly over the views, each view under the API's 1,000 page limit. It
exits after the frame that shows them. The floor is bench/minimal_app.py (a static 1,000-row
DataTable). Each child prints getrusage(RUSAGE_SELF).ru_maxrss as it exits; the ratio is of the
medians. A third child, the minimal app with the app's pydantic and httpx stack loaded
(bench/minimal_app.py --with-stack), shows how much of the ratio that stack takes by itself.

    python -m bench.bench_memory            # the figures
    python -m bench.bench_memory --child    # the real app, as the parent runs it

Only the standard library at module level: the child must import no more than the app would.
"""

from __future__ import annotations

import sys
from typing import Any

RUNS = 3
SNAPSHOTS = 10_000
FLOOR_ROWS = 1_000
FIRST_VIEW = "/home"


def child(expected: int) -> int:
    """The real app, headless: first paint, then all views, then exit once `expected` rows show."""
    from textual.app import App

    from bench.minimal_app import FirstPaint, run_app_headless
    from heatmap_tui.ui.screens.browser import BrowserScreen
    from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable

    def all_loaded(table: Any) -> bool:
        return table.model.total_count >= expected

    def switch_to_all_views(app: App[Any]) -> None:
        paint.watch(all_loaded, lambda app: app.exit())
        browser = next(s for s in app.screen_stack if isinstance(s, BrowserScreen))
        browser.action_toggle_all_views()

    paint = FirstPaint(SnapshotTable, lambda table: table.model.shown_count > 0, switch_to_all_views)
    return run_app_headless(paint, f"{expected} rows")


def _views() -> list[str]:
    """The views the app will discover: the demo web app's (every one has replay events)."""
    from heatmap_tui.devserver.seed_data import WEB_VIEWS

    return [v.name for v in WEB_VIEWS]


def spread(total: int, views: list[str]) -> dict[str, int]:
    share, extra = divmod(total, len(views))
    return {view: share + (i < extra) for i, view in enumerate(views)}


def run(
    runs: int = RUNS, snapshots: int = SNAPSHOTS, floor_rows: int = FLOOR_ROWS, warm_up: bool = True
) -> dict[str, Any]:
    """memory_ratio (medians of peak RSS, app / floor), and the KiB of every run."""
    from bench.common import alternate_children, median, python_module

    views = spread(snapshots, _views())
    if max(views.values()) > 1000:
        raise ValueError(f"{snapshots} snapshots over {len(views)} views exceed the 1,000 page limit")
    floor_argv = python_module("bench.minimal_app", "--rows", str(floor_rows))
    stack_argv = [*floor_argv, "--with-stack"]
    app_argv = python_module("bench.bench_memory", "--child", str(snapshots))
    floor_runs, stack_runs, app_runs = alternate_children(
        (floor_argv, floor_rows),
        (stack_argv, floor_rows),
        (app_argv, snapshots),
        views=views,
        view=FIRST_VIEW,
        runs=runs,
        warm_up=(app_argv,) if warm_up else (),
    )
    floor = [r.result["maxrss_kb"] for r in floor_runs]
    stack = [r.result["maxrss_kb"] for r in stack_runs]
    app = [r.result["maxrss_kb"] for r in app_runs]
    return {
        "memory_ratio": median(app) / median(floor),
        "memory_app_kb": median(app),
        "memory_floor_kb": median(floor),
        "memory_stack_floor_kb": median(stack),
        "memory_app_runs_kb": app,
        "memory_floor_runs_kb": floor,
        "memory_stack_floor_runs_kb": stack,
        "memory_snapshots": snapshots,
        "memory_floor_rows": floor_rows,
    }


def summary(f: dict[str, Any]) -> list[str]:
    def line(label: str, key: str) -> str:
        runs = ", ".join(f"{k / 1024:.1f}" for k in f[f"{key}_runs_kb"])
        ratio = f[f"{key}_kb"] / f["memory_floor_kb"]
        return f"  {label:<44} {f[f'{key}_kb'] / 1024:6.1f} MiB  {ratio:5.2f}   runs: {runs}"

    return [
        f"peak RSS (median of {len(f['memory_app_runs_kb'])}; ratio to the minimal app)",
        line(f"heatmap-tui, {f['memory_snapshots']:,} snapshots loaded", "memory_app"),
        line(f"minimal Textual app, {f['memory_floor_rows']:,} rows", "memory_floor"),
        line("  the same, with pydantic + httpx loaded", "memory_stack_floor"),
        f"  memory_ratio {f['memory_ratio']:.2f}",
    ]


def main() -> None:
    print("\n".join(summary(run())))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(child(int(sys.argv[2])))
    main()
