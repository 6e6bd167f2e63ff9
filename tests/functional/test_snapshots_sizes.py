"""Issue 15: the browser (with rows), the create form and the delete dialog at the smallest size
the app is made for and at a wide one, in the whole app, whose footer ends in `? Help`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from heatmap_tui.devserver import DevServer
from tests.apps.browser_app import server, settle, steady_cursors
from tests.apps.shell_app import DEMO_ENV, config_path, shell_app
from tests.functional.test_ui_place_remembered import start_on_home

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 60), id="200x60")]


def snap_after(
    server: DevServer, config_path: Path, snap_compare: Any, size: tuple[int, int], *keys: str
) -> bool:
    """The app opened on /home (where it left off), after `keys`."""
    start_on_home(server, config_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        steady_cursors(pilot)
        await pilot.pause()

    app = shell_app(server, config_path, env=DEMO_ENV)
    return bool(snap_compare(app, terminal_size=size, run_before=run_before))


@pytest.mark.parametrize("size", SIZES)
def test_browser(server: DevServer, config_path: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_after(server, config_path, snap_compare, size, "j", "space")


@pytest.mark.parametrize("size", SIZES)
def test_create_form(server: DevServer, config_path: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_after(server, config_path, snap_compare, size, "n")


@pytest.mark.parametrize("size", SIZES)
def test_delete_dialog(
    server: DevServer, config_path: Path, snap_compare: Any, size: tuple[int, int]
) -> None:
    assert snap_after(server, config_path, snap_compare, size, "d")
