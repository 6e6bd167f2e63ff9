"""Benchmark: live filter and sort of 10,000 snapshots in SnapshotTable, against DataTable.

Run `python bench/bench_filter.py`; `run()` returns the figures for bench/__main__.py.

Latency is measured from the moment a key event is handed to the app (as the
terminal driver would) to the end of the first frame that shows the result: a
hook on App._display notes when each frame is composed (and encodes it, as a
terminal would need). Pilot's own waits sleep 20 ms or more, so timing
`pilot.press` would measure Pilot, not the table. Textual paints from a 60 fps
timer: a change made after an idle spell paints at once, one made within 17 ms
of the last frame waits for the next tick; the figures include that wait.
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
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import DataTable, Input

from heatmap_tui.core.models import Snapshot
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.table_model import COLUMN_KEYS, COLUMNS

ROWS = 10_000
SIZE = (160, 48)
TERMS = ("/chec", "mobi")  # each typed, then erased key by key
ROUNDS = 5  # typing rounds for SnapshotTable; DataTable gets one, it is that slow
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


class BenchScreen(Screen[None]):
    """Like the snapshot browser: the screen, not the app, turns filter input into set_filter,
    so the table changes before the screen next goes idle and paints, in the same frame."""

    def compose(self) -> ComposeResult:
        yield Input(id="filter")
        yield SnapshotTable(id="table")
        yield DataTable(id="plain")

    def on_mount(self) -> None:
        plain = self.query_one(DataTable)
        plain.display = False
        plain.add_columns(*(c.label for c in COLUMNS))
        self.query_one(SnapshotTable).set_snapshots(synthetic_snapshots(ROWS), now=NOW)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(SnapshotTable).set_filter(event.value)


class BenchApp(App[None]):
    def get_default_screen(self) -> Screen[None]:
        return BenchScreen()


class FrameClock:
    """Wraps App._display to time stamp frames and test a condition as each one is made."""

    def __init__(self, app: App[None]) -> None:
        self._app = app
        self._display = app._display
        self._condition: Callable[[], bool] = lambda: False
        self._done = asyncio.Event()
        self._at = 0.0
        self._cpu_at = 0.0
        app._display = self._on_display  # type: ignore[method-assign]

    def _on_display(self, screen: Any, update: Any) -> None:
        self._display(screen, update)
        if update is not None:
            # Headless skips the encoding a terminal needs; charge it anyway.
            update.render_segments(self._app.console)
        if not self._done.is_set() and self._condition():
            self._at = time.perf_counter()
            self._cpu_at = time.thread_time()
            self._done.set()

    async def time(self, action: Callable[[], None], shown: Callable[[], bool]) -> tuple[float, float]:
        """Milliseconds from `action` to the end of the first frame where `shown()` holds,
        as wall time and as this thread's CPU time (which other processes hardly inflate)."""
        self._condition = shown
        self._done.clear()
        start, cpu_start = time.perf_counter(), time.thread_time()
        action()
        await self._done.wait()
        self._condition = lambda: False
        return (self._at - start) * 1000, (self._cpu_at - cpu_start) * 1000


def _keys(text: str) -> list[tuple[str, str | None]]:
    typed = [(_character_to_key(c), c) for c in text]
    return typed + [("backspace", None)] * len(text)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _bench() -> dict[str, Any]:
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table, plain, box = app.query_one(SnapshotTable), app.query_one(DataTable), app.query_one(Input)
        clock = FrameClock(app)
        driver = app._driver
        assert driver is not None and table.model.total_count == ROWS

        filter_ms: list[float] = []
        filter_cpu_ms: list[float] = []
        filtered_sets: list[list[tuple[str, ...]]] = []
        for round_ in range(ROUNDS):
            for term in TERMS:
                for key, char in _keys(term):
                    before = box.value
                    expected = before + char if char else before[:-1]
                    press = partial(driver.send_message, events.Key(key, char))
                    ms, cpu_ms = await clock.time(
                        press, lambda expected=expected: table.model.filter_text == expected
                    )
                    filter_ms.append(ms)
                    filter_cpu_ms.append(cpu_ms)
                    if round_ == 0:
                        filtered_sets.append([table.model.cells(row) for row in table.model.shown])
                    await pilot.pause()

        sort_ms: dict[str, float] = {}
        sort_cpu_ms: dict[str, float] = {}
        for key in COLUMN_KEYS:
            for _ in range(2):  # ascending, then descending
                flipped = not table.model.sort_reverse if table.model.sort_column == key else False
                ms, cpu_ms = await clock.time(
                    partial(table.sort_by, key),
                    lambda key=key, flipped=flipped: (
                        table.model.sort_column == key and table.model.sort_reverse == flipped
                    ),
                )
                sort_ms[key] = max(sort_ms.get(key, 0.0), ms)
                sort_cpu_ms[key] = max(sort_cpu_ms.get(key, 0.0), cpu_ms)
                await pilot.pause()

        table.display, plain.display = False, True
        await pilot.pause()
        plain_ms: list[float] = []
        for rows in filtered_sets:

            def rebuild(rows: list[tuple[str, ...]] = rows) -> None:
                plain.clear()
                plain.add_rows(rows)

            def settled(rows: list[tuple[str, ...]] = rows) -> bool:
                # DataTable measures new rows when idle, then repaints: wait for that frame.
                return plain.row_count == len(rows) and not plain._require_update_dimensions

            plain_ms.append((await clock.time(rebuild, settled))[0])
            await pilot.pause()

    p50, p95 = statistics.median(filter_ms), _pct(filter_ms, 0.95)
    return {
        "filter_p50_ms": p50,
        "filter_p95_ms": p95,
        "filter_speedup_vs_datatable": statistics.median(plain_ms) / p50,
        "sort_ms": max(sort_ms.values()),
        "sort_ms_by_column": sort_ms,
        "sort_cpu_ms_by_column": sort_cpu_ms,
        "filter_cpu_p50_ms": statistics.median(filter_cpu_ms),
        "filter_cpu_p95_ms": _pct(filter_cpu_ms, 0.95),
        "datatable_p50_ms": statistics.median(plain_ms),
        "datatable_p95_ms": _pct(plain_ms, 0.95),
        "keystrokes": len(filter_ms),
        "mean_speedup_vs_datatable": statistics.mean(plain_ms) / statistics.mean(filter_ms),
    }


def run() -> dict[str, Any]:
    """The figures: filter_p50_ms, filter_p95_ms, filter_speedup_vs_datatable, sort_ms (worst column)."""
    try:
        return asyncio.run(_bench())
    finally:
        gc.unfreeze()  # SnapshotTable froze the bench's objects; let a longer-lived caller free them


def summary(figures: dict[str, Any]) -> list[str]:
    """The report lines for these figures (bench/__main__.py prints them too)."""
    f = figures

    def spread(label: str, key: str) -> str:
        return f"  {label:32} p50 {f[key + '_p50_ms']:7.1f} ms   p95 {f[key + '_p95_ms']:7.1f} ms"

    lines = [
        f"SnapshotTable, {ROWS:,} snapshots, {SIZE[0]}x{SIZE[1]}, {f['keystrokes']} keystrokes",
        spread("filter keystroke -> repaint", "filter"),
        spread("  of which CPU time", "filter_cpu"),
        spread("DataTable clear+add_rows+paint", "datatable"),
        f"  {'speedup (p50 / p50)':32} {f['filter_speedup_vs_datatable']:7.0f}x",
        f"  {'speedup (mean / mean)':32} {f['mean_speedup_vs_datatable']:7.0f}x",
    ]
    for key, ms in f["sort_ms_by_column"].items():
        cpu_ms = f["sort_cpu_ms_by_column"][key]
        lines.append(f"  {'sort by ' + key + ' -> repaint':32} {ms:7.1f} ms   CPU {cpu_ms:5.1f} ms")
    return lines


def main() -> None:
    figures = run()
    # Wall times stretch on a shared machine; CPU times show what the code itself costs.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print("\n".join(summary(figures)))
    print(f"  load average {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
