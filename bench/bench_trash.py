"""Benchmark: the trash at 20,000 entries (a year of use), from the CLI and in the TUI.

A trash journal of `entries` deleted snapshots (batches of 10, each confirmed) is written
under a sandboxed data dir, then:

- trash_list_s: `heatmap-tui trash list` as a whole process, spawn to exit (median of `runs`,
  after one warm-up run, which also builds whatever index the trash keeps: its time is reported
  as trash_list_cold_s);
- trash_restore_one_s: `heatmap-tui trash restore ID` of one entry, a whole process, against
  `heatmap-tui serve` (another process): another entry each run;
- trash_list_floor_s, trash_restore_floor_s: the same two commands, alternating with them, on a
  trash of FLOOR_ENTRIES entries: what the process costs anyway (interpreter, imports, the
  connection), so that what the size of the trash adds can be told apart;
- trash_screen_open_s: in this process, headless, from pushing the TUI's TrashScreen to its
  table holding every entry;
- trash_screen_key_ms: meanwhile a thread sends a key to the app every 20 ms; the slowest
  answer (the app's binding run) of a key sent while the screen was opening.

Nothing is compared with a figure from elsewhere: the targets are absolute (issue 13).

    python -m bench.bench_trash
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any, ClassVar

from bench.common import (
    ROOT,
    SEED_NOW,
    app_env,
    make_snapshots,
    median,
    python_module,
    sandbox,
    serve,
    write_data_file,
)

ENTRIES = 20_000
BATCH = 10
RUNS = 5
KEY_EVERY_S = 0.02
FLOOR_ENTRIES = 20  # the trash of the floor runs
VIEWS = ("/home", "/cart", "/checkout", "/search", "/product", "/account", "/help", "/blog")


def write_journal(path: Path, app_id: str, site: str, entries: int, *, profile: str = "default") -> list[str]:
    """A journal of `entries` trashed-then-confirmed snapshots, oldest first, in the file format
    the app writes (one JSON object per line); returns their ids, newest last."""
    from heatmap_tui.core.transfer import snapshot_json

    per_view = -(-entries // len(VIEWS))
    snapshots = [s for view in VIEWS for s in make_snapshots(app_id, view, per_view, tag="trash")][:entries]
    start = SEED_NOW - timedelta(days=365)
    step = timedelta(days=365) / max(1, entries)
    lines: list[str] = []
    for i, snapshot in enumerate(snapshots):
        at = (start + step * i).astimezone(UTC).isoformat().replace("+00:00", "Z")
        batch = f"{(start + step * (i - i % BATCH)):%Y%m%dT%H%M%S}-{i // BATCH:06x}"
        head = {"v": 1, "at": at, "batch_id": batch, "id": snapshot.id}
        lines.append(
            json.dumps(
                {
                    **head,
                    "kind": "trashed",
                    "site": site,
                    "profile": profile,
                    "application_id": app_id,
                    "user": "bench",
                    "host": "bench-host",
                    "snapshot": snapshot_json(snapshot),
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
        )
        lines.append(json.dumps({**head, "kind": "deleted"}, separators=(",", ":")))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [s.id for s in snapshots]


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return seconds, done.stdout


def _restore_runs(env: dict[str, str], ids: list[str], runs: int) -> list[float]:
    """`trash restore ID` of another entry each run; the first run warms up and is left out."""
    seconds: list[float] = []
    for k in range(runs + 1):
        snapshot_id = ids[len(ids) // 2 + k]
        took, out = _timed(python_module("heatmap_tui", "trash", "restore", snapshot_id, "--json"), env)
        report = json.loads(out)
        if [r["id"] for r in report["restored"]] != [snapshot_id]:
            raise RuntimeError(f"trash restore {snapshot_id}: {report}")
        if k:
            seconds.append(took)
    return seconds


def _cli(root: Path, server_url: str, app_id: str, entries: int, runs: int) -> dict[str, Any]:
    """The commands on the big trash, and side by side the same commands where the trash is
    nearly empty: the floor of the process (interpreter, imports, connection) in this run."""
    env = app_env(root)
    ids = write_journal(root / "data" / "trash.jsonl", app_id, server_url, entries)
    small_root = root / "small"
    small_env = app_env(small_root)
    small_ids = write_journal(small_root / "data" / "trash.jsonl", app_id, server_url, FLOOR_ENTRIES)
    listing = python_module("heatmap_tui", "trash", "list")
    cold, out = _timed(listing, env)
    if ids[-1] not in out:
        raise RuntimeError("trash list did not list the newest entry")
    _timed(listing, small_env)
    lists, floors = [], []
    for _ in range(runs):  # alternating, so that a busy moment of the machine hits both
        lists.append(_timed(listing, env)[0])
        floors.append(_timed(listing, small_env)[0])
    restores = _restore_runs(env, ids, runs)
    restore_floors = _restore_runs(small_env, small_ids, runs)
    return {
        "trash_list_s": median(lists),
        "trash_list_cold_s": cold,
        "trash_list_runs_s": lists,
        "trash_list_floor_s": median(floors),
        "trash_restore_one_s": median(restores),
        "trash_restore_one_runs_s": restores,
        "trash_restore_floor_s": median(restore_floors),
        "trash_journal_mb": (root / "data" / "trash.jsonl").stat().st_size / 1e6,
    }


async def _screen_once(data: Path, entries: int) -> tuple[float, float, int]:
    """(seconds to open, slowest key answer in ms, keys sent while opening)."""
    from textual.app import App
    from textual.binding import Binding, BindingType

    from heatmap_tui.core.auth import ApiAuth
    from heatmap_tui.core.connection import Connection
    from heatmap_tui.core.sites import Site
    from heatmap_tui.core.trash import Trash
    from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY
    from heatmap_tui.ui.screens.trash_screen import TrashScreen

    class Host(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("f9", "ping", priority=True)]

        def __init__(self) -> None:
            super().__init__()
            self.answered: list[float] = []

        def action_ping(self) -> None:
            self.answered.append(time.monotonic())

    site = Site("bench", "bench", "bench", custom_url="http://127.0.0.1:9")
    connection = Connection.open("default", site, ApiAuth(api_key=DEMO_API_KEY, app_key=DEMO_APP_KEY))
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        loop = asyncio.get_running_loop()
        screen = TrashScreen(Trash(data / "trash.jsonl"), connection, clock=lambda: SEED_NOW)
        sent: list[float] = []
        loaded = threading.Event()
        opened: list[float] = []
        table: list[Any] = []

        def press() -> None:
            from textual import events

            app.post_message(events.Key("f9", None))

        def keys() -> None:
            while not loaded.is_set():
                sent.append(time.monotonic())
                loop.call_soon_threadsafe(press)
                time.sleep(KEY_EVERY_S)

        def watch() -> None:
            while not table:
                time.sleep(0.001)
            while getattr(table[0], "row_count", 0) < entries:
                time.sleep(0.001)
            opened.append(time.monotonic())
            loaded.set()

        watcher = threading.Thread(target=watch, daemon=True)
        sender = threading.Thread(target=keys, daemon=True)
        watcher.start()
        started = time.monotonic()
        sender.start()
        await app.push_screen(screen)
        table.append(screen.query_one("#trash-table"))
        while not loaded.is_set():
            await asyncio.sleep(0.005)
        sender.join()
        watcher.join()
        for _ in range(100):  # every key sent has its answer
            if len(app.answered) >= len(sent):
                break
            await asyncio.sleep(0.01)
        waits = [(answer - send) * 1000 for send, answer in zip(sent, app.answered, strict=False)]
        app.exit()
    await connection.close()
    return opened[0] - started, max(waits), len(sent)


def _screen(root: Path, entries: int, runs: int) -> dict[str, Any]:
    opens: list[float] = []
    keys: list[float] = []
    for k in range(runs + 1):  # the first one warms up (and builds any index)
        seconds, key_ms, _ = asyncio.run(_screen_once(root / "data", entries))
        if k:
            opens.append(seconds)
            keys.append(key_ms)
    return {
        "trash_screen_open_s": median(opens),
        "trash_screen_open_runs_s": opens,
        "trash_screen_key_ms": max(keys),
        "trash_screen_key_runs_ms": keys,
    }


def run(entries: int = ENTRIES, runs: int = RUNS) -> dict[str, Any]:
    """trash_list_s, trash_restore_one_s, trash_screen_open_s, trash_screen_key_ms and more."""
    figures: dict[str, Any] = {"trash_entries": entries}
    with sandbox() as root:
        app_id = write_data_file(root / "data.json", {})
        with serve(root / "data.json", seed=True) as server:
            figures |= _cli(root, server.url, app_id, entries, runs)
        figures |= _screen(root, entries, runs)
    return figures


def summary(f: dict[str, Any]) -> list[str]:
    def runs(key: str, scale: float = 1000) -> str:
        return ", ".join(f"{s * scale:.0f}" for s in f[key])

    return [
        f"a trash of {f['trash_entries']:,} entries ({f['trash_journal_mb']:.1f} MB journal), "
        f"median of {len(f['trash_list_runs_s'])}",
        f"  trash list (process)          {f['trash_list_s'] * 1000:7.0f} ms   runs: {runs('trash_list_runs_s')}"
        f"   (first run {f['trash_list_cold_s'] * 1000:.0f} ms)",
        f"    the same, {FLOOR_ENTRIES} entries         {f['trash_list_floor_s'] * 1000:7.0f} ms   (the process floor)",
        f"  trash restore ID (process)    {f['trash_restore_one_s'] * 1000:7.0f} ms   runs: "
        + runs("trash_restore_one_runs_s"),
        f"    the same, {FLOOR_ENTRIES} entries         {f['trash_restore_floor_s'] * 1000:7.0f} ms   (the process floor)",
        f"  TUI trash screen open         {f['trash_screen_open_s'] * 1000:7.0f} ms   runs: "
        + runs("trash_screen_open_runs_s"),
        f"  slowest key while opening     {f['trash_screen_key_ms']:7.0f} ms   runs: "
        + runs("trash_screen_key_runs_ms", 1),
    ]


def main() -> int:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else ENTRIES
    print("\n".join(summary(run(entries))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
