"""`python -m heatmap_tui.ui.screenshots DIR` (`make screenshots`): one SVG per screen, into DIR.

It drives the real app on the demo org, as a first run would go: the site picker, the keys form
(a wrong application key first), the application picker, then the browser and its dialogs. The
server and the app's clock are frozen at NOW and requests for US5 are answered by the embedded
server, so every run draws the same pictures. No key is ever drawn: the form shows dots only.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from keyring.backends import fail
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from heatmap_tui.core.keyring_access import KeyringStore
from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.services import RedirectTransport, Services, routed_connections

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
SIZE = (120, 40)
WRONG_APP_KEY = "0" * 40


async def settle(pilot: Pilot[Any], rounds: int = 20) -> None:
    """Let messages and workers settle, including the workers that finished workers start."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return
        await app.workers.wait_for_complete()
    raise RuntimeError("the app's workers did not settle")


def first_run_services(server: DevServer, scratch: Path) -> Services:
    """A first run: no config, no keyring, no keys in the environment; US5 is the server."""
    return Services(
        config_path=None,
        store=KeyringStore(backend=fail.Keyring()),  # type: ignore[no-untyped-call]
        connect=routed_connections(server.url),
        clock=lambda: NOW,
        env={},
        transport=lambda: RedirectTransport(server.url),
        trash=Trash(scratch / "trash.jsonl", clock=lambda: NOW),
    )


def fill(app: App[Any], **values: str) -> None:
    for selector, value in values.items():
        app.screen.query_one(f"#{selector}", Input).value = value


Step = Callable[[Pilot[Any]], Awaitable[None]]


async def keys(pilot: Pilot[Any], *names: str) -> None:
    await pilot.press(*names)
    await settle(pilot)


def script() -> list[tuple[str, Step]]:
    """(file name, what to do before taking it), in the order a person would go."""

    async def wrong_key(pilot: Pilot[Any]) -> None:
        await keys(pilot, "j", "j", "enter")  # US1 -> US5
        fill(pilot.app, **{"api-key": DEMO_API_KEY, "app-key": WRONG_APP_KEY})
        await keys(pilot, "ctrl+s")

    async def app_picker(pilot: Pilot[Any]) -> None:
        fill(pilot.app, **{"app-key": DEMO_APP_KEY})
        await keys(pilot, "ctrl+s")
        pilot.app.clear_notifications()
        await keys(pilot, "s", "h", "o", "p", "down", "down")

    async def create_error(pilot: Pilot[Any]) -> None:
        await keys(pilot, "n")
        fill(pilot.app, **{"f-snapshot_name": "Home promo", "f-event_id": "evt 7", "f-start": "1:75"})
        await keys(pilot, "ctrl+s")

    async def bulk(pilot: Pilot[Any]) -> None:
        await keys(pilot, "escape", "space", "space", "space", "space", "d")

    async def palette(pilot: Pilot[Any]) -> None:
        await keys(pilot, "escape", "ctrl+p")
        await pilot.pause(0.5)

    async def replay_picker(pilot: Pilot[Any]) -> None:
        await keys(pilot, "escape", "n", "ctrl+r")
        await pilot.pause(0.3)

    async def trash(pilot: Pilot[Any]) -> None:
        await keys(pilot, "escape", "escape", "space", "space", "space", "d")
        await pilot.click("#delete")
        await settle(pilot)
        await keys(pilot, "T")  # the progress closed by itself: open the trash

    async def cleanup(pilot: Pilot[Any]) -> None:
        await keys(pilot, "escape", "c")
        fill(pilot.app, **{"cleanup-age": "90d"})
        await settle(pilot)

    async def small_terminal(pilot: Pilot[Any]) -> None:
        await keys(pilot, "escape")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)

    return [
        ("01-site-picker", settle),
        ("02-credentials-rejected", wrong_key),
        ("03-application-picker", app_picker),
        ("04-browser", lambda p: _then(p, ["enter"])),
        ("05-detail-json", lambda p: _then(p, ["J"])),  # the full-screen detail view, as JSON
        ("06-create-form-error", lambda p: _then(p, ["escape"], create_error)),
        ("07-edit-form", lambda p: _then(p, ["escape", "e"])),
        ("08-delete-confirm", lambda p: _then(p, ["escape", "d"])),
        ("09-bulk-delete", bulk),
        ("10-help", lambda p: _then(p, ["escape", "escape", "question_mark"])),
        ("11-command-palette", palette),
        ("12-replay-picker", replay_picker),
        ("13-trash", trash),
        ("14-cleanup", cleanup),
        ("15-browser-80x24", small_terminal),  # last: the terminal stays this size
    ]


async def _then(pilot: Pilot[Any], names: list[str], step: Step | None = None) -> None:
    await keys(pilot, *names)
    if step is not None:
        await step(pilot)


async def take(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with DevServer(seed=True, now=NOW) as server, tempfile.TemporaryDirectory() as scratch:
        app = HeatmapApp(first_run_services(server, Path(scratch)))
        async with app.run_test(size=SIZE) as pilot:
            for name, step in script():
                await step(pilot)
                path = folder / f"{name}.svg"
                path.write_text(app.export_screenshot(title=f"heatmap-tui · {name[3:].replace('-', ' ')}"))
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m heatmap_tui.ui.screenshots")
    parser.add_argument("folder", type=Path, help="where the SVG files go")
    args = parser.parse_args(argv)
    for path in asyncio.run(take(args.folder)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
