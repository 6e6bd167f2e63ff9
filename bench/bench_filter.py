"""Benchmark, widget level: live filter and sort of 10,000 snapshots in a bare Input over one
SnapshotTable, against a bare Input over a DataTable doing the same filtering with its own code.

Widget level: each side is an app holding an Input and its table, nothing else. It is not the
real app (no filter bar, detail pane, status line or footer); bench_filter_app.py times that.

Both sides get the same snapshots, are typed the same TERMS (bench_filter_app's: narrowing terms,
none that matches every row for long) the same ROUNDS, in the same process run, and are timed
the same way, with bench_filter_app's Frames (to which CpuFrames adds CPU time):
- ours: the screen turns each Input.Changed into SnapshotTable.set_filter;
- the DataTable side is bench_filter_app's DataTableApp (the competent author's: rows formatted
  once by its own code; on each change it filters them by every word, ignoring case, and does
  clear() + add_rows()) with its Footer left out.
Each key is handed to the app's driver as an events.Key (as the terminal driver would), once the
app is quiet after the last one (idle, and no frame for QUIET), so each key is timed alone and
Textual paints its change at once rather than on its next 60 fps tick. For each key:
- latency: key event -> end of the first frame in which the table draws the new filter (every
  frame encoded as the Linux driver would). The DataTable measures its new rows when idle, which
  often takes longer than the filtering; when it draws them before that, that earlier frame
  counts, which is kind to it;
- settled: key event -> the last frame the key causes, before the quiet (the Input's cursor
  blink is off on both sides). The DataTable's includes its repaint after measuring;
- CPU: this thread's CPU time from the key to the end of the first frame (other processes
  hardly inflate it).

Sort (ours only): SnapshotTable.sort_by on each column twice (ascending, then descending), to the
first frame that draws the new order; worst column.

    python -m bench.bench_filter
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input

from bench.bench_filter_app import QUIET, DataTableApp, Frames, keystrokes, pct
from bench.bench_filter_app import TERMS as APP_TERMS
from heatmap_tui.core.models import Snapshot
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.table_model import COLUMN_KEYS

ROWS = 10_000
SIZE = (160, 48)
TERMS = APP_TERMS  # each typed, then erased, key by key
ROUNDS = 2  # typing rounds, for each side
NOW = datetime(2026, 5, 1, tzinfo=UTC)
VIEWS = ("/checkout", "/checkout/payment", "/cart", "/home", "/search", "/products/:id", "/account")


def synthetic_snapshots(count: int) -> list[Snapshot]:
    return [
        Snapshot.model_validate(
            {
                "id": f"{i:08x}-7a3c-4d1e-8b2f-{i * 2654435761 % 16**12:012x}",
                "attributes": {
                    "application_id": "bench-app",
                    "view_name": VIEWS[i % len(VIEWS)],
                    "device_type": ("desktop", "mobile", "tablet")[i % 3],
                    "snapshot_name": f"{VIEWS[i % len(VIEWS)]} heatmap {i}",
                    "event_id": f"event-{i}",
                    "start": i * 7919 % 5_000_000,
                    "modified_at": (NOW - timedelta(minutes=i * 37 % 500_000)).isoformat(),
                    "created_by": f"Author {i % 40}",
                },
            }
        )
        for i in range(count)
    ]


# --- the two sides: a bare Input over the table ------------------------------------------


class BenchScreen(Screen[None]):
    """Like the snapshot browser: the screen, not the app, turns filter input into set_filter."""

    def __init__(self, snapshots: list[Snapshot]) -> None:
        super().__init__()
        self._snapshots = snapshots

    def compose(self) -> ComposeResult:
        yield Input(id="filter")
        yield SnapshotTable(id="table")

    def on_mount(self) -> None:
        self.query_one(SnapshotTable).set_snapshots(self._snapshots, now=NOW)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(SnapshotTable).set_filter(event.value)


class BenchApp(App[None]):
    def __init__(self, snapshots: list[Snapshot]) -> None:
        super().__init__()
        self._snapshots = snapshots

    def get_default_screen(self) -> Screen[None]:
        return BenchScreen(self._snapshots)


class BareDataTableApp(DataTableApp):
    """bench_filter_app's DataTableApp, its Footer left out: a bare Input and the DataTable."""

    def compose(self) -> ComposeResult:
        return (widget for widget in super().compose() if not isinstance(widget, Footer))


class CpuFrames(Frames):
    """Frames that also takes this thread's CPU time, from `time`'s call to the end of the frame
    it waits for (the awaiting task wakes later, after whatever else the app does first)."""

    def __init__(self, table_cls: type[Any], drawn: Callable[[Any], Any]) -> None:
        super().__init__(table_cls, drawn)
        self.cpu_ms = 0.0
        self._cpu_start: float | None = None  # None once the frame's CPU time is taken
        display = App._display  # Frames' hook

        def timed_display(app: App[Any], screen: Any, update: Any) -> None:
            display(app, screen, update)
            if self.at is not None and self._cpu_start is not None:
                self.cpu_ms = (time.thread_time() - self._cpu_start) * 1000
                self._cpu_start = None

        App._display = timed_display  # type: ignore[method-assign,assignment]
        self._undo.insert(0, lambda: setattr(App, "_display", display))

    async def time(self, send: Callable[[], None], want: Any, timeout: float = 30) -> tuple[float, float]:
        self._cpu_start = time.thread_time()
        return await super().time(send, want, timeout)


# --- typing ------------------------------------------------------------------------------


async def quiet(pilot: Pilot[Any], frames: Frames) -> None:
    """Returns once the app is idle and QUIET has passed without a frame."""
    await pilot.pause()
    while True:
        count = len(frames.stamps)
        await asyncio.sleep(QUIET)
        if len(frames.stamps) == count:
            return


async def type_terms(
    pilot: Pilot[Any], frames: CpuFrames, state: Callable[[str], Any], rows: Callable[[], int]
) -> dict[str, list[float]]:
    """Types TERMS ROUNDS times, each key once the app is quiet; latency, settled and CPU (ms)
    of each key, and the rows the table shows after it. The Input's cursor does not blink, so
    every frame between a key and the quiet after it is the key's."""
    driver = pilot.app._driver
    assert driver is not None
    pilot.app.query_one(Input).cursor_blink = False
    await quiet(pilot, frames)
    out: dict[str, list[float]] = {"latency": [], "settled": [], "cpu": [], "rows": []}
    for _ in range(ROUNDS):
        for key, char, value in keystrokes(TERMS):
            t0, shown_at = await frames.time(
                partial(driver.send_message, events.Key(key, char)), state(value)
            )
            out["cpu"].append(frames.cpu_ms)
            out["rows"].append(rows())
            await quiet(pilot, frames)
            out["latency"].append((shown_at - t0) * 1000)
            out["settled"].append((frames.stamps[-1] - t0) * 1000)
    return out


async def bench_ours(snapshots: list[Snapshot]) -> dict[str, Any]:
    frames = CpuFrames(
        SnapshotTable, lambda t: (t.model.filter_text, t.model.sort_column, t.model.sort_reverse)
    )
    app = BenchApp(snapshots)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            table = app.query_one(SnapshotTable)
            assert table.model.total_count == len(snapshots)
            sort = (table.model.sort_column, table.model.sort_reverse)
            typed = await type_terms(pilot, frames, lambda v: (v, *sort), lambda: table.model.shown_count)

            sort_ms: dict[str, float] = {}
            sort_cpu_ms: dict[str, float] = {}
            for key in COLUMN_KEYS:
                for _ in range(2):  # ascending, then descending
                    flipped = not table.model.sort_reverse if table.model.sort_column == key else False
                    t0, shown_at = await frames.time(partial(table.sort_by, key), ("", key, flipped))
                    sort_ms[key] = max(sort_ms.get(key, 0.0), (shown_at - t0) * 1000)
                    sort_cpu_ms[key] = max(sort_cpu_ms.get(key, 0.0), frames.cpu_ms)
                    await pilot.pause()
    finally:
        frames.close()
        gc.unfreeze()  # SnapshotTable froze the bench's objects; let them go before the other side
        gc.collect()
    return {**typed, "sort_ms": sort_ms, "sort_cpu_ms": sort_cpu_ms}


async def bench_datatable(snapshots: list[Snapshot]) -> dict[str, Any]:
    frames = CpuFrames(DataTable, lambda t: (t.app.applied,) if isinstance(t.app, DataTableApp) else None)
    app = BareDataTableApp(snapshots)
    try:
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(DataTable)
            while table.row_count != len(snapshots) or table._require_update_dimensions:
                await pilot.pause()
            return await type_terms(pilot, frames, lambda v: (v,), lambda: table.row_count)
    finally:
        frames.close()


def run() -> dict[str, Any]:
    """Widget-level figures: filter_p50_ms, filter_p95_ms, filter_speedup_vs_datatable,
    sort_ms (worst column), and more beside them."""
    snapshots = synthetic_snapshots(ROWS)
    load = os.getloadavg()[0]
    ours = asyncio.run(bench_ours(snapshots))
    plain = asyncio.run(bench_datatable(snapshots))
    p50, plain_p50 = statistics.median(ours["latency"]), statistics.median(plain["latency"])
    settled_p50, plain_settled_p50 = statistics.median(ours["settled"]), statistics.median(plain["settled"])
    return {
        "filter_p50_ms": p50,
        "filter_p95_ms": pct(ours["latency"], 0.95),
        "filter_speedup_vs_datatable": plain_p50 / p50,
        "sort_ms": max(ours["sort_ms"].values()),
        "sort_ms_by_column": ours["sort_ms"],
        "sort_cpu_ms_by_column": ours["sort_cpu_ms"],
        "filter_settled_p50_ms": settled_p50,
        "filter_settled_p95_ms": pct(ours["settled"], 0.95),
        "filter_cpu_p50_ms": statistics.median(ours["cpu"]),
        "filter_cpu_p95_ms": pct(ours["cpu"], 0.95),
        "filter_rows_p50": statistics.median(ours["rows"]),
        "datatable_p50_ms": plain_p50,
        "datatable_p95_ms": pct(plain["latency"], 0.95),
        "datatable_settled_p50_ms": plain_settled_p50,
        "datatable_settled_p95_ms": pct(plain["settled"], 0.95),
        "datatable_cpu_p50_ms": statistics.median(plain["cpu"]),
        "datatable_cpu_p95_ms": pct(plain["cpu"], 0.95),
        "datatable_rows_p50": statistics.median(plain["rows"]),
        "settled_speedup_vs_datatable": plain_settled_p50 / settled_p50,
        "mean_speedup_vs_datatable": statistics.mean(plain["latency"]) / statistics.mean(ours["latency"]),
        "keystrokes": len(ours["latency"]),
        "filter_load": round(load, 2),
    }


def summary(figures: dict[str, Any]) -> list[str]:
    """The report lines for these figures (bench/__main__.py prints them too)."""
    f = figures

    def spread(label: str, key: str) -> str:
        return f"    {label:30} p50 {f[key + '_p50_ms']:7.1f} ms   p95 {f[key + '_p95_ms']:7.1f} ms"

    lines = [
        f"widget level (a bare Input over the table, not the real app), {ROWS:,} snapshots, "
        f"{SIZE[0]}x{SIZE[1]}, {f['keystrokes']} keystrokes each, each key once the app is quiet; "
        f"load {f['filter_load']}",
        f"  SnapshotTable (rows shown per key: p50 {f['filter_rows_p50']:,.0f})",
        spread("key -> first frame with filter", "filter"),
        spread("key -> settled (last frame)", "filter_settled"),
        spread("CPU time to the first frame", "filter_cpu"),
        "  DataTable, same filtering by its own code, clear() + add_rows() "
        f"(rows shown per key: p50 {f['datatable_rows_p50']:,.0f})",
        spread("key -> first frame with filter", "datatable"),
        spread("key -> settled (last frame)", "datatable_settled"),
        spread("CPU time to the first frame", "datatable_cpu"),
        f"  {'speedup, first frame (p50 / p50)':32} {f['filter_speedup_vs_datatable']:7.1f}x",
        f"  {'speedup, first frame (mean / mean)':32} {f['mean_speedup_vs_datatable']:7.1f}x",
        f"  {'speedup, settled (p50 / p50)':32} {f['settled_speedup_vs_datatable']:7.1f}x",
    ]
    for key, ms in f["sort_ms_by_column"].items():
        cpu_ms = f["sort_cpu_ms_by_column"][key]
        lines.append(f"  {'sort by ' + key + ' -> first frame':32} {ms:7.1f} ms   CPU {cpu_ms:5.1f} ms")
    return lines


def main() -> None:
    figures = run()
    # Wall times stretch on a shared machine; CPU times show what the code itself costs.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print("\n".join(summary(figures)))
    print(f"  load average {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
