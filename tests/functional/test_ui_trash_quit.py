"""ctrl+q while a restore or a bulk delete runs: the whole app asks first, and a quit anyway
leaves nothing the next restore cannot settle (no duplicate, nothing lost)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.config import Config, Profile, save_config
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress, QuitConfirm
from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress
from heatmap_tui.ui.screens.browser import BrowserScreen
from tests.apps.shell_app import (
    DEMO_ENV,
    SIZE,
    app_id,
    config_path,
    notifications,
    server,
    settle,
    shell_app,
)

VIEW = "/home"


def resume_in_browser(server: DevServer, path: Path) -> None:
    profile = Profile(site="EU1", last_application_id=app_id(server), last_view_name=VIEW)
    save_config(Config(active_profile="default", profiles={"default": profile}), path)


def names(server: DevServer) -> Counter[str]:
    return Counter(s.name for s in server.store.snapshots.values() if s.view_name == VIEW)


async def until(pilot: Pilot[Any], done: Any, what: str, timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.02)):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never: {what}")


async def delete_three(pilot: Pilot[Any]) -> None:
    await pilot.press("space", "space", "space", "d")
    await settle(pilot)
    await pilot.click("#delete")
    await settle(pilot)  # every one went: the progress closed by itself


async def test_ctrl_q_during_a_restore_asks_and_cancel_lets_it_finish(
    server: DevServer, config_path: Path
) -> None:
    resume_in_browser(server, config_path)
    before = names(server)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await delete_three(pilot)
        assert sum(names(server).values()) == sum(before.values()) - 3

        server.faults.latency_ms = 1500  # longer than the question takes: the restore still runs
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, RestoreProgress), "the restore dialog")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitConfirm), "the question")
        dialog = app.screen
        assert app.is_running and "A restore into" in dialog.question and "Quit anyway?" in dialog.question
        assert app.focused is dialog.query_one("#cancel", Button)
        await pilot.press("ctrl+q")  # again: the same question stays, once
        await pilot.pause()
        assert app.is_running and sum(isinstance(s, QuitConfirm) for s in app.screen_stack) == 1

        restore = next(s for s in app.screen_stack if isinstance(s, RestoreProgress))
        await until(pilot, lambda: restore.report is not None, "the restore done, under the question")
        assert isinstance(app.screen, QuitConfirm)  # it did not pop the question
        await pilot.press("escape")  # no: back to the restore dialog, which closes now
        server.faults.latency_ms = 0
        await settle(pilot)
        assert app.is_running and app.screen.__class__ is BrowserScreen
        assert notifications(app)[-1].startswith("Restored 3 snapshots as new ones")
        assert names(server) == before

        await pilot.press("ctrl+q")  # nothing runs: it quits at once
        await until(pilot, lambda: not app.is_running, "the quit")


async def test_quit_anyway_mid_restore_then_the_next_restore_settles_every_entry(
    server: DevServer, config_path: Path
) -> None:
    resume_in_browser(server, config_path)
    before = names(server)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await delete_three(pilot)
        # Longer than the question and the quit take on a loaded machine (a parallel run), so
        # the creates are still in flight when the app is gone: with 800 ms they could all land first.
        server.faults.latency_ms = 3000
        await pilot.press("u")
        await until(pilot, lambda: '"kind":"intent"' in Trash().path.read_text(), "the creates sent")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitConfirm), "the question")
        await pilot.click("#delete")  # Quit
        await until(pilot, lambda: not app.is_running, "the quit")

    # The creates that were in flight land on the server now, with nobody left to record them.
    await asyncio.sleep(server.faults.latency_ms / 1000 + 0.5)
    server.faults.latency_ms = 0
    entries = [e for e in Trash().entries() if e.restored_as is None]
    assert entries and any(e.intent for e in entries)
    async with DatadogClient(custom_site(server.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)) as client:
        report = await Trash().restore(entries, SnapshotService(client))
    assert len(report.restored) == len(entries) and not report.failed and not report.skipped
    assert names(server) == before  # each back once: what landed was found, not created again
    assert all(e.restored_as is not None for e in Trash().entries())


async def test_ctrl_q_during_a_bulk_delete_asks(server: DevServer, config_path: Path) -> None:
    resume_in_browser(server, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        server.faults.latency_ms = 1500  # the deletes still run when ctrl+q comes
        await pilot.press("space", "space", "space", "space", "d")
        await settle(pilot)
        await pilot.click("#delete")
        await until(pilot, lambda: isinstance(app.screen, BulkDeleteProgress), "the progress")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, QuitConfirm), "the question")
        assert "A bulk delete is running" in app.screen.question
        await pilot.press("escape")
        server.faults.latency_ms = 0
        await settle(pilot)
        # Every one went: back on top, the progress closed by itself, and the toast says so.
        assert app.is_running and isinstance(app.screen, BrowserScreen)
        assert notifications(app)[-1] == "Deleted 4 snapshots (u undoes)"
