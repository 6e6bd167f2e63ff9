"""Benchmark: live filter and sort in the real app, typed at a typist's pace, against a
competent DataTable app doing the same work.

The real app is HeatmapApp as `heatmap-tui tui` builds it (a config where the last session left
off on a view, the keys from the environment, a trash of its own), headless at 160x48, against
`heatmap-tui serve` (another process) holding 10,000 snapshots over the demo shop's 14 views. It
opens the browser with all its parts (filter bar, table, detail pane, status line, footer),
switches to all-views mode (`a`: 10,000 rows), focuses the row filter (`/`) and types TERMS key
by key, each then erased key by key, through the app's driver (events.Key, as the Linux driver
sends them), one key every 80-120 ms.

Every frame goes through App._display; headless Textual skips the encoding a terminal needs, so
the hook encodes it as the Linux driver would (render_segments + the cursor move) and stamps it.
A hook on the table's render_lines notes the filter (or sort) it last drew. For each key:
- latency: key event -> end of the first frame in which the table shows the new filter;
- settled: key event -> end of the last frame caused by the key: the frames after the table's
  that follow each other less than QUIET apart, up to the next key. At a typist's pace the next
  key comes 80-120 ms later, so a key whose screen is still changing then is cut there.
If a key's table frame has not come when the next key is due, the next key waits for it (each
key is timed alone; `late` counts those waits): a real typist would not wait, so a slow side is
flattered by this, never the other way.

Sort: with the filter empty and the table focused, the keys 1..7 each twice (ascending, then
descending), QUIET_SORT apart; the key event -> the first frame showing the new order; worst
column.

The baseline is a DataTable app a competent author writes: an Input, a DataTable and a Footer;
the same snapshots (listed from the same server), formatted once by its own code; on each change
of the input it filters its rows (every word, ignoring case) and does clear() + add_rows(). It
is typed the same TERMS and ROUNDS at the same pace, in the same process run, and timed the same
way (the first frame in which the DataTable draws the rows of the new filter).

    python -m bench.bench_filter_app
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rich.control import Control
from textual import events
from textual.app import App, ComposeResult
from textual.keys import _character_to_key
from textual.widgets import DataTable, Footer, Input

from bench.common import app_env, sandbox, serve, snapshot_service, write_app_config, write_data_file
from heatmap_tui.core.models import Snapshot
from heatmap_tui.devserver.seed_data import WEB_VIEWS

SNAPSHOTS = 10_000
SIZE = (160, 48)
# Typed, then erased, key by key: 2 x 28 = 56 keystrokes a round. A view, a device, a view part
# and a name with a number: narrowing terms, and none that matches every row for long.
TERMS = ("/checkout", "mobile", "cart", "tablet 12")
ROUNDS = 2
QUIET = 0.100  # a frame more than this after the last one is not the key's
QUIET_SORT = 0.300
START_VIEW = "/home"


def pace(i: int) -> float:
    """The typist's gap before key i: 80-120 ms, spread deterministically."""
    return (80 + (i * 37) % 41) / 1000


def view_counts(total: int = SNAPSHOTS) -> dict[str, int]:
    """`total` snapshots spread over the demo shop's views (each under the 1,000 page limit)."""
    names = [v.name for v in WEB_VIEWS]
    base, extra = divmod(total, len(names))
    return {name: base + (1 if i < extra else 0) for i, name in enumerate(names)}


def keystrokes(terms: tuple[str, ...] | None = None) -> list[tuple[str, str | None, str]]:
    """(key, character, the input's value after it) for every term (TERMS) typed then erased."""
    out: list[tuple[str, str | None, str]] = []
    for term in terms or TERMS:
        for n in range(1, len(term) + 1):
            out.append((_character_to_key(term[n - 1]), term[n - 1], term[:n]))
        for n in range(len(term) - 1, -1, -1):
            out.append(("backspace", None, term[:n]))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- frames, as a terminal would get them ------------------------------------------------


class Frames:
    """Stamps every frame (encoded as the Linux driver would) and notes what `table_cls` drew.

    `drawn(widget)` says what the table shows when it renders (a filter, a sort): once its
    render_lines has run, the next frame handed to the driver carries it.
    """

    def __init__(self, table_cls: type[Any], drawn: Callable[[Any], Any]) -> None:
        self.stamps: list[float] = []
        self.shown: Any = None  # what the table drew last
        self.want: Any = None  # the state looked for, and the end of the first frame with it
        self.at: float | None = None
        self.seen = asyncio.Event()
        self._pending: Any = None
        self._undo: list[Callable[[], None]] = []
        render_lines = table_cls.render_lines
        display = App._display

        def hooked_render_lines(widget: Any, crop: Any) -> Any:
            lines = render_lines(widget, crop)
            self._pending = drawn(widget)
            return lines

        def hooked_display(app: App[Any], screen: Any, update: Any) -> None:
            display(app, screen, update)
            if update is None or app._batch_count:
                return  # nothing went to the driver
            cursor = app.screen.outer_size.clamp_offset(app.cursor_position)
            sequence = update.render_segments(app.console) + Control.move_to(*cursor).segment.text
            if app._driver is not None:
                app._driver.write(sequence)  # headless: a no-op, as a queue put nearly is
            now = time.perf_counter()
            self.stamps.append(now)
            if self._pending is not None:
                self.shown, self._pending = self._pending, None
            if self.at is None and self.want is not None and self.shown == self.want:
                self.at = now
                self.seen.set()

        table_cls.render_lines = hooked_render_lines
        App._display = hooked_display  # type: ignore[method-assign]
        self._undo = [
            lambda: setattr(table_cls, "render_lines", render_lines),
            lambda: setattr(App, "_display", display),
        ]

    def close(self) -> None:
        for undo in self._undo:
            undo()

    async def time(self, send: Callable[[], None], want: Any, timeout: float = 30) -> tuple[float, float]:
        """Calls `send` (a key event to the driver); returns when it was sent and the end of
        the first frame after it in which the table drew `want`."""
        self.want, self.at = want, None
        self.seen.clear()
        t0 = time.perf_counter()
        send()
        await asyncio.wait_for(self.seen.wait(), timeout)
        self.want = None
        assert self.at is not None
        return t0, self.at


async def wait_for(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.02)


async def type_keys(
    app: App[Any], frames: Frames, state: Callable[[str], Any], rounds: int
) -> dict[str, Any]:
    """Types TERMS `rounds` times at the typist's pace. Returns the latencies and the settled
    times (ms), and how many keys waited for the last key's table frame past their time (`late`)."""
    driver = app._driver
    assert driver is not None
    strokes = [s for _ in range(rounds) for s in keystrokes()]
    sent: list[tuple[float, float]] = []
    late = 0
    next_at = time.perf_counter() + pace(0)
    for i, (key, char, value) in enumerate(strokes):
        wait = next_at - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        else:
            late += 1  # the last key's table frame came after this key was due: the typist waited
        t0, shown_at = await frames.time(
            lambda key=key, char=char: driver.send_message(events.Key(key, char)), state(value)
        )
        sent.append((t0, shown_at))
        next_at = t0 + pace(i + 1)
    await asyncio.sleep(0.5)
    latency, settled = [], []
    stamps = frames.stamps
    for i, (t0, shown_at) in enumerate(sent):
        latency.append((shown_at - t0) * 1000)
        until = sent[i + 1][0] if i + 1 < len(sent) else float("inf")
        last = shown_at
        for stamp in (s for s in stamps if t0 < s < until):
            if stamp <= shown_at:
                continue
            if stamp - last > QUIET:
                break
            last = stamp
        settled.append((last - t0) * 1000)
    return {"latency": latency, "settled": settled, "late": late}


# --- the real app --------------------------------------------------------------------


def real_app(app_id: str) -> App[Any]:
    """HeatmapApp as `heatmap-tui tui` builds it from the environment (see `run`), told the
    application and view on the command line (the config's resume would do the same)."""
    from heatmap_tui.ui.app import HeatmapApp
    from heatmap_tui.ui.services import Overrides, Services

    return HeatmapApp(Services.from_environment(overrides=Overrides(application_id=app_id, view=START_VIEW)))


async def bench_real_app(app_id: str, rounds: int) -> dict[str, Any]:
    from heatmap_tui.ui.screens.browser import BrowserScreen
    from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable

    frames = Frames(SnapshotTable, lambda t: (t.model.filter_text, t.model.sort_column, t.model.sort_reverse))
    app = real_app(app_id)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                lambda: isinstance(app.screen, BrowserScreen) and bool(app.screen.query("#snapshots")),
                what="the browser",
            )
            browser = app.screen
            assert isinstance(browser, BrowserScreen)
            table = browser.table
            await wait_for(lambda: table.model.total_count > 0 and not table.loading, what="the first view")
            await pilot.press("a")
            await wait_for(
                lambda: table.model.total_count == SNAPSHOTS and not table.loading, what="all views"
            )
            await app.workers.wait_for_complete()
            await pilot.press("slash")
            await pilot.pause(0.3)
            sort = (table.model.sort_column, table.model.sort_reverse)
            typed = await type_keys(app, frames, lambda v: (v, *sort), rounds)
            if table.model.filter_text:
                raise RuntimeError("the filter did not end empty")

            await pilot.press("escape")  # leave the filter input for the table
            await pilot.pause(0.3)
            driver = app._driver
            assert driver is not None
            sort_ms: dict[str, float] = {}
            from heatmap_tui.ui.widgets.table_model import COLUMN_KEYS

            for n, key in enumerate(COLUMN_KEYS, start=1):
                for _ in range(2):
                    flipped = not table.model.sort_reverse if table.model.sort_column == key else False
                    want = ("", key, flipped)
                    key_name = str(n % 10)  # the keys 1 to 9, then 0 (browser_keys.sort_bindings)
                    t0, shown_at = await frames.time(
                        lambda k=key_name: driver.send_message(events.Key(k, k)), want
                    )
                    ms = (shown_at - t0) * 1000
                    sort_ms[key] = max(sort_ms.get(key, 0.0), ms)
                    await asyncio.sleep(QUIET_SORT)
            app.exit()
    finally:
        frames.close()
        gc.unfreeze()  # SnapshotTable froze the rows; let a longer-lived caller free them
    return {**typed, "sort_ms": sort_ms}


# --- the DataTable baseline ----------------------------------------------------------------


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return ""
    seconds = int((now - when).total_seconds())
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def datatable_cells(snapshot: Snapshot, now: datetime) -> tuple[str, ...]:
    a = snapshot.attributes
    start = a.start or 0
    return (
        a.snapshot_name or "",
        a.view_name or "",
        a.device_type or "",
        f"{start // 60_000}:{start // 1000 % 60:02d}.{start % 1000:03d}",
        a.created_by_handle or a.created_by or "",
        _ago(a.modified_at, now),
        snapshot.id,
    )


class DataTableApp(App[None]):
    """A competent DataTable browser: formats its rows once, filters them on each change."""

    def __init__(self, snapshots: list[Snapshot]) -> None:
        super().__init__()
        now = datetime.now(UTC)
        self.rows = [datatable_cells(s, now) for s in snapshots]
        self.haystacks = ["\t".join(row).casefold() for row in self.rows]
        self.applied = ""  # the filter whose rows the table holds

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter", id="search")
        yield DataTable(cursor_type="row", id="table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "View", "Device", "Start", "Author", "Modified", "Id")
        table.add_rows(self.rows)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(
            row for row, hay in zip(self.rows, self.haystacks, strict=True) if all(w in hay for w in words)
        )
        self.applied = event.value


async def bench_datatable(snapshots: list[Snapshot], rounds: int) -> dict[str, Any]:
    frames = Frames(DataTable, lambda t: (t.app.applied,) if isinstance(t.app, DataTableApp) else None)
    app = DataTableApp(snapshots)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: app.query_one(DataTable).row_count == len(snapshots), what="rows")
            await pilot.pause(0.5)
            typed = await type_keys(app, frames, lambda v: (v,), rounds)
            app.exit()
    finally:
        frames.close()
    return typed


async def list_all(url: str, app_id: str, views: list[str]) -> list[Snapshot]:
    service = snapshot_service(url)
    try:
        pages = await service.list_views(views, application_id=app_id)
    finally:
        await service.client.aclose()
    return [s for page in pages.values() for s in page.items]


def run(rounds: int = ROUNDS, snapshots: int = SNAPSHOTS) -> dict[str, Any]:
    """filter_app_p50_ms, filter_app_p95_ms, filter_app_settled_p95_ms, sort_app_ms, and the
    DataTable app's figures beside them."""
    global SNAPSHOTS
    saved, SNAPSHOTS = SNAPSHOTS, snapshots
    load = os.getloadavg()[0]
    try:
        with sandbox() as root:
            counts = view_counts(snapshots)
            app_id = write_data_file(root / "data.json", counts)
            with serve(root / "data.json", seed=True) as server:
                write_app_config(root, server.url, app_id, START_VIEW)
                saved_env = dict(os.environ)
                os.environ.update(
                    app_env(root)
                )  # the config, keys, data dir and keyring of `serve`'s sandbox
                try:
                    ours = asyncio.run(bench_real_app(app_id, rounds))
                finally:
                    os.environ.clear()
                    os.environ.update(saved_env)
                listed = asyncio.run(list_all(server.url, app_id, list(counts)))
                if len(listed) != snapshots:
                    raise RuntimeError(f"listed {len(listed)} snapshots, not {snapshots}")
                plain = asyncio.run(bench_datatable(listed, rounds))
    finally:
        SNAPSHOTS = saved
    p50 = statistics.median(ours["latency"])
    plain_p50 = statistics.median(plain["latency"])
    return {
        "filter_app_p50_ms": p50,
        "filter_app_p95_ms": pct(ours["latency"], 0.95),
        "filter_app_settled_p50_ms": statistics.median(ours["settled"]),
        "filter_app_settled_p95_ms": pct(ours["settled"], 0.95),
        "filter_app_max_ms": max(ours["latency"]),
        "filter_app_late": ours["late"],
        "filter_datatable_app_late": plain["late"],
        "filter_app_keystrokes": len(ours["latency"]),
        "sort_app_ms": max(ours["sort_ms"].values()),
        "sort_app_ms_by_column": ours["sort_ms"],
        "filter_datatable_app_p50_ms": plain_p50,
        "filter_datatable_app_p95_ms": pct(plain["latency"], 0.95),
        "filter_datatable_app_settled_p95_ms": pct(plain["settled"], 0.95),
        "filter_app_speedup_vs_datatable_app": plain_p50 / p50,
        "filter_app_snapshots": snapshots,
        "filter_app_load": round(load, 2),
    }


def summary(f: dict[str, Any]) -> list[str]:
    lines = [
        f"real app (HeatmapApp, all views, {f['filter_app_snapshots']:,} snapshots, {SIZE[0]}x{SIZE[1]}), "
        f"{f['filter_app_keystrokes']} keystrokes 80-120 ms apart; load {f['filter_app_load']}",
        f"  key -> first frame with the filter   p50 {f['filter_app_p50_ms']:6.1f} ms   "
        f"p95 {f['filter_app_p95_ms']:6.1f} ms   max {f['filter_app_max_ms']:6.1f} ms",
        f"  key -> settled (last frame)          p50 {f['filter_app_settled_p50_ms']:6.1f} ms   "
        f"p95 {f['filter_app_settled_p95_ms']:6.1f} ms   (keys held back "
        f"by a late frame: {f['filter_app_late']})",
        f"  competent DataTable app, same keys   p50 {f['filter_datatable_app_p50_ms']:6.1f} ms   "
        f"p95 {f['filter_datatable_app_p95_ms']:6.1f} ms   settled p95 {f['filter_datatable_app_settled_p95_ms']:6.1f} ms   "
        f"(held back: {f['filter_datatable_app_late']})",
        f"  speedup (p50 / p50)                  {f['filter_app_speedup_vs_datatable_app']:6.1f}x",
    ]
    for key, ms in f["sort_app_ms_by_column"].items():
        lines.append(f"  sort by {key:8} -> first frame         {ms:6.1f} ms")
    return lines


def main() -> None:
    print("\n".join(summary(run())))
    print(f"  load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
