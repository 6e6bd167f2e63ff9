"""No crash loop: a run that dies leaves a note; the next start says so and offers a clean start.

The app resumes the remembered application and view. If something there kills it, resuming
again would kill it again, and the person could only get out by editing the config. These tests
make a start die (a failure injected where the connection is opened), then check that the next
start tells what happened, in plain words, and that a clean start opens the application list
instead, while Resume goes back where the last run was. A clean exit removes the note.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Static
from textual.worker import WorkerFailed

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.config import Config, Profile, load_config, save_config
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.sites import Site
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.crash import CRASH_FILE, CrashMarker, crash_marker_path
from heatmap_tui.ui.dialogs.crash_offer import CrashOffer
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.services import Overrides, Services
from tests.apps.shell_app import (
    DEMO_ENV,
    SIZE,
    app_id,
    config_path,
    make_services,
    no_keyring,
    saved_position,
    server,
    settle,
)

__all__ = ["config_path", "server"]  # fixtures


class InjectedFailure(RuntimeError):
    """What the first start dies of."""


def exploding_connect(profile: str, site: Site, auth: ApiAuth) -> Connection:
    raise InjectedFailure("the secret detail that must not reach the disk")


def remember(path: Path, server: DevServer, view: str = "/cart") -> None:
    profile = Profile(site="US5", last_application_id=app_id(server), last_view_name=view)
    save_config(Config(active_profile="default", profiles={"default": profile}), path)


def services(server: DevServer, config: Path, marker: Path) -> Services:
    return make_services(server, config, store=no_keyring(), env=DEMO_ENV, crash_marker=marker)


def offer_text(app: HeatmapApp) -> str:
    assert isinstance(app.screen, CrashOffer), app.screen_stack
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def crash_once(server: DevServer, config: Path, marker: Path) -> None:
    """A start that dies: the connection cannot be opened."""
    dying = services(server, config, marker)
    dying.connect = exploding_connect
    app = HeatmapApp(dying)
    with pytest.raises(WorkerFailed) as died:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert isinstance(died.value.error, InjectedFailure)
    assert app.return_code == 1


async def test_a_run_that_dies_is_told_at_the_next_start_and_a_clean_start_works(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    remember(config_path, server)
    marker = tmp_path / "data" / CRASH_FILE
    await crash_once(server, config_path, marker)
    # The note: when, what kind of error, where; never the exception's message.
    note = json.loads(marker.read_text())
    assert note["error"] == "InjectedFailure"
    assert "secret" not in marker.read_text()
    # The next start says so, in plain words, before resuming anything.
    app = HeatmapApp(services(server, config_path, marker))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = offer_text(app)
        assert app.screen.query_one("#crash-offer").border_title == "The last run stopped with an error"
        assert "heatmap-tui stopped on " in text and "with an unexpected error (InjectedFailure)" in text
        assert "Start clean" in text and "Resume" in text
        assert server.count("GET", "/api/v2/replay/heatmap/snapshots") == 0  # nothing resumed yet
        # Enter: the focused "Start clean". The application list, not the remembered view.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker), app.screen_stack
        assert not any(isinstance(s, BrowserScreen) for s in app.screen_stack)
        assert server.count("GET", "/api/v2/replay/heatmap/snapshots") == 0
        # Forgotten in the state file (the config holds no position to forget).
        assert saved_position() is None
        assert "last_" not in config_path.read_text()
        # It works from there: open an application.
        await pilot.press("enter")
        await settle(pilot)
        browser = app.screen_stack[-1]  # (app.screen is narrowed to AppPicker above)
        assert isinstance(browser, BrowserScreen)
        assert browser.table.model.total_count > 0
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    # A clean exit takes the note away: the start after that resumes without asking.
    assert not marker.exists()
    app = HeatmapApp(services(server, config_path, marker))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


async def test_resume_opens_where_the_last_run_was(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    remember(config_path, server, "/search")
    marker = tmp_path / "data" / CRASH_FILE
    await crash_once(server, config_path, marker)
    app = HeatmapApp(services(server, config_path, marker))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CrashOffer)
        await pilot.click("#crash-resume")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        assert browser.view == "/search"
    assert not marker.exists()
    position = saved_position()
    assert position is not None and position.view_name == "/search"


async def test_quitting_on_the_offer_keeps_it_for_the_next_start(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    remember(config_path, server)
    marker = tmp_path / "data" / CRASH_FILE
    await crash_once(server, config_path, marker)
    app = HeatmapApp(services(server, config_path, marker))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CrashOffer)
        await pilot.press("ctrl+q")
    assert marker.exists()  # nobody chose: the next start asks again


async def test_an_unreadable_note_still_offers_a_clean_start(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    remember(config_path, server)
    marker = tmp_path / "data" / CRASH_FILE
    marker.parent.mkdir(parents=True, exist_ok=True)  # the state file may be there
    marker.write_bytes(b"\xff[not json \x1b]52;c;eA==\x07")
    app = HeatmapApp(services(server, config_path, marker))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "heatmap-tui stopped with an unexpected error." in offer_text(app)
        await pilot.press("escape")  # escape is the safe answer: a clean start
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)


async def test_a_note_that_cannot_be_written_never_stops_the_app(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    marker = CrashMarker(blocked / "sub" / CRASH_FILE)  # a directory that cannot exist
    marker.write(InjectedFailure("x"), "BrowserScreen")
    assert marker.read() is None
    marker.clear()


def test_the_real_app_keeps_its_note_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HEATMAP_TUI_CONFIG", str(tmp_path / "config.toml"))
    assert crash_marker_path() == tmp_path / "data" / CRASH_FILE
    assert Services.from_environment().crash_marker == crash_marker_path()


# --- what a remembered view may hold --------------------------------------------------------

HOSTILE_VIEW = "close [/] only \x1b]52;c;eA==\x07"
HOSTILE_NAMES = ("[link=file:///etc/passwd]x[/]", "[@click=app.quit]quit[/]", "A \x1b]0;t\x07 \u202eB")


async def test_resuming_a_view_whose_data_is_hostile_shows_it_and_survives(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    for name in HOSTILE_NAMES:
        server.store.new_snapshot(application_id=app_id(server), view_name=HOSTILE_VIEW, snapshot_name=name)
    remember(config_path, server, HOSTILE_VIEW)
    marker = tmp_path / "data" / CRASH_FILE
    app = HeatmapApp(services(server, config_path, marker))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen), app.screen_stack
        assert browser.view == HOSTILE_VIEW and browser.table.model.total_count == 3
        # Each key that used to crash on such a name: details, JSON, copy id, edit, delete.
        for keys in (["down"], ["J"], ["J", "y"], ["escape", "e"], ["escape", "d"], ["escape"]):
            await pilot.press(*keys)
            await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        # A view name no file can hold (a lone surrogate, as JSON can carry): picked, listed, and
        # told that it cannot be remembered, instead of dying while saving the config.
        browser.apply_view("/lone \ud800 view")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert any("no file can store" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
    assert not marker.exists()  # a clean exit
    position = saved_position()
    assert position is not None and position.view_name == HOSTILE_VIEW


async def test_open_in_datadog_on_a_view_no_encoder_takes_does_not_kill_the_app(
    server: DevServer, config_path: Path, tmp_path: Path
) -> None:
    """A view name with a lone surrogate (typed, or pasted bytes decoded with surrogateescape):
    its list cannot be asked for, and `o` still builds a URL instead of dying in urlencode."""
    save_config(Config(active_profile="default", profiles={"default": Profile(site="US5")}), config_path)
    marker = tmp_path / "data" / CRASH_FILE
    shell = services(server, config_path, marker)
    lone_view = "/lone \udc9b view"
    shell.overrides = Overrides(application_id=app_id(server), view=lone_view)
    app = HeatmapApp(shell)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen) and browser.view == lone_view
        assert any("Could not list the snapshots" in n.message for n in app._notifications)
        await pilot.press("o")
        await settle(pilot)
        assert any(
            "/rum/replay/heatmaps?" in n.message and "viewName=%2Flone+%3F+view" in n.message
            for n in app._notifications
        ), [n.message for n in app._notifications]
        await pilot.press("ctrl+q")
    assert app.return_code == 0 and not marker.exists()
