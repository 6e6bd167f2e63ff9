"""The floor of the startup and memory benches: a minimal Textual app that paints a static
1,000-row table (stock Textual's DataTable) headless and exits.

It also holds the child-side harness that both sides of those benches share, so that the
floor and the real app are timed the same way: `FirstPaint` notes the first frame that carries
table rows, `report` prints what a child measured, with its peak RSS, and `run_app_headless`
runs the real app in the drivers of those benches.

    python -m bench.minimal_app [--rows N] [--with-stack] [--fetch URL]

With --with-stack it first loads the app's pydantic and httpx stack (load_stack): the memory
bench prints that figure too, to show how much of the budget the stack alone takes.

With --fetch URL (a snapshot list: the view's, with its query) the rows come from the server
instead, as a competent author writes it: httpx imported as the app starts, and once mounted one
GET of URL by an httpx.AsyncClient carrying the keys of DD_API_KEY and DD_APP_KEY, from a worker;
its snapshots become the table's rows (bench_startup's floor on a real network).

Imports Textual and nothing else that the floor would not need; DataTable only where the floor
uses it, since the real app's drivers import this module too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.widget import Widget

RESULT_PREFIX = "BENCH-RESULT "
SIZE = (160, 48)  # the terminal size every child runs at
ROWS = 1_000
COLUMNS = ("Name", "View", "Device", "Start", "Author", "Modified", "Id")
VIEWS = ("/home", "/search", "/product/:id", "/cart", "/checkout", "/login", "/account")


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(**values: Any) -> None:
    """The one line the parent reads (bench/common.py run_child); peak RSS goes with it."""
    print(RESULT_PREFIX + json.dumps({**values, "maxrss_kb": peak_rss_kb()}), flush=True)


def run_app_headless(paint: FirstPaint, what: str) -> int:
    """The real app, as `heatmap-tui tui` starts it but headless at SIZE, in this child process;
    `paint` (made before) stops it. Reports the first painted frame's mark and the table's rows;
    `what`: what the app failed to paint, should it exit before."""
    from heatmap_tui.cli import main

    run = App.run

    def headless_run(app: App[Any], **kw: Any) -> Any:
        return run(app, **{**kw, "headless": True, "size": SIZE})

    App.run = headless_run  # type: ignore[method-assign]
    code = main(["tui"])
    if paint.mark is None:
        print(f"the app exited ({code}) before painting {what}", file=sys.stderr)
        return 1
    report(mark=paint.mark, rows=paint.table.model.total_count)
    return 0


class FirstPaint:
    """Notes (time.monotonic()) the first frame that carries table rows, in any App.

    A frame is made in one go, with no await in between: the dirty widgets render their lines,
    the compositor joins them, App._display hands the result to the driver. So once a table's
    render_lines has run in the state `has_rows` looks for, the next App._display is the frame
    that shows it. The headless driver writes nothing; as a terminal would need, the frame is
    encoded anyway (render_segments), so both sides of a bench pay for that.

    Patches `table_cls` and App, so it must be made before the App runs; one per process.
    """

    def __init__(
        self,
        table_cls: type[Widget],
        has_rows: Callable[[Any], bool],
        on_paint: Callable[[App[Any]], None],
    ) -> None:
        self.watch(has_rows, on_paint)
        render_lines = table_cls.render_lines
        display = App._display

        def hooked_render_lines(widget: Widget, crop: Any) -> Any:
            lines = render_lines(widget, crop)
            if self.table is None and self._has_rows(widget):
                self.table = widget
            return lines

        def hooked_display(app: App[Any], screen: Any, update: Any) -> None:
            display(app, screen, update)
            if update is None or app._batch_count:
                return  # nothing went to the driver
            update.render_segments(app.console)
            if self.table is not None and self.mark is None:
                self.mark = time.monotonic()
                self._on_paint(app)

        table_cls.render_lines = hooked_render_lines  # type: ignore[method-assign]
        App._display = hooked_display  # type: ignore[method-assign]

    def watch(self, has_rows: Callable[[Any], bool], on_paint: Callable[[App[Any]], None]) -> None:
        """(Re)arm: call `on_paint` after the next frame with a table for which `has_rows` holds."""
        self._has_rows, self._on_paint = has_rows, on_paint
        self.table: Any = None
        self.mark: float | None = None


def static_rows(count: int) -> list[tuple[str, ...]]:
    """Cells like the snapshot browser's: name, view, device, start, author, modified, id."""
    rows = []
    for i in range(count):
        view = VIEWS[i % len(VIEWS)]
        device = ("desktop", "mobile", "tablet")[i % 3]
        start = i * 7919 % 5_000_000
        rows.append(
            (
                f"{view} {device} heatmap {i}",
                view,
                device,
                f"{start // 60_000}:{start // 1000 % 60:02d}.{start % 1000:03d}",
                f"Author {i % 40}",
                f"{i % 29 + 1} days ago",
                f"{i:08x}-7a3c-4d1e-8b2f-{i * 2654435761 % 16**12:012x}",
            )
        )
    return rows


def snapshot_rows(snapshots: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The cells of `static_rows`, from the snapshots of a list answer (its JSON "data")."""
    rows = []
    for snapshot in snapshots:
        a = snapshot["attributes"]
        start = a["start"]
        rows.append(
            (
                a["snapshot_name"],
                a["view_name"],
                a["device_type"],
                f"{start // 60_000}:{start // 1000 % 60:02d}.{start % 1000:03d}",
                a.get("created_by") or "",
                a["modified_at"][:10],
                snapshot["id"],
            )
        )
    return rows


class MinimalApp(App[None]):
    def __init__(self, rows: int, fetch: str | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.fetch = fetch

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable  # here, not at the top: see the module docstring

        self.table = DataTable(cursor_type="row")
        yield self.table

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        if self.fetch is None:
            self.table.add_rows(static_rows(self.rows))
        else:
            self.run_worker(self.fetch_rows(self.fetch), exclusive=True)

    async def fetch_rows(self, url: str) -> None:
        import httpx  # loaded by main, as a module that fetches would at its top

        keys = {"DD-API-KEY": os.environ["DD_API_KEY"], "DD-APPLICATION-KEY": os.environ["DD_APP_KEY"]}
        async with httpx.AsyncClient(headers=keys) as client:
            response = await client.get(url)
        response.raise_for_status()
        self.table.add_rows(snapshot_rows(response.json()["data"]))


def load_stack() -> Any:
    """What the app's own stack holds before it shows a row: pydantic with the snapshot models,
    httpx with the client the app makes for a loopback site, and what a first request imports."""
    import anyio._backends._asyncio  # noqa: F401  (httpcore's asyncio backend)
    from pydantic import SecretStr

    from heatmap_tui.core.auth import ApiAuth
    from heatmap_tui.core.client import DatadogClient
    from heatmap_tui.core.sites import custom_site
    from heatmap_tui.core.snapshots import SnapshotService

    auth = ApiAuth(api_key=SecretStr("0" * 32), app_key=SecretStr("0" * 40))
    return SnapshotService(DatadogClient(custom_site("http://127.0.0.1:9"), auth))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument(
        "--with-stack", action="store_true", help="load the app's pydantic and httpx stack first (load_stack)"
    )
    parser.add_argument(
        "--fetch", metavar="URL", help="the rows: one GET of this snapshot list, once mounted"
    )
    args = parser.parse_args(argv)
    stack = load_stack() if args.with_stack else None  # noqa: F841  (held while the app runs)
    if args.fetch:
        import httpx  # noqa: F401  (at the start, as the top of a module that fetches would)
    from textual.widgets import DataTable

    paint = FirstPaint(DataTable, lambda table: table.row_count > 0, lambda app: app.exit())
    MinimalApp(args.rows, args.fetch).run(headless=True, size=SIZE)
    if paint.mark is None:
        print("the table was never painted", file=sys.stderr)
        return 1
    report(mark=paint.mark, rows=paint.table.row_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
