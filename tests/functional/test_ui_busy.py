"""A slow answer shows a busy sign where it will appear; a fast one shows none (issue 15, bug 9).

The dev server's latency makes the answers slow. Each test samples, every 20 ms from the action
on and for a while after its answer, whether the widget the answer goes to is in its loading
state, and whether Textual's LoadingIndicator is drawn where that widget stood: with latency, the
sign comes no sooner than BUSY_DELAY, is there before the answer, and is gone once it came;
without, it never shows.

Keys are sent with App.simulate_key, not pilot.press: that one waits for the process to go idle,
which can outlast a slow answer (and with it the sign the test is after).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from textual.app import App
from textual.css.query import NoMatches
from textual.errors import NoWidget
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, LoadingIndicator, OptionList, Static
from textual.worker import WorkerState

from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDelete
from heatmap_tui.ui.dialogs.view_picker import ViewPicker
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.site_picker import SitePicker
from heatmap_tui.ui.widgets.busy import BUSY_DELAY
from tests.apps.browser_app import BrowserApp, data_dir, form_of, server, settle, store_snapshots
from tests.apps.shell_app import DEMO_ENV, config_path, shell_app
from tests.functional.test_ui_browser import status_text
from tests.functional.test_ui_forms import fill
from tests.functional.test_ui_pickers import with_profile

SIZE = (120, 40)
SLOW_MS = 600  # well past BUSY_DELAY, and short enough for a test
TICK = 0.02
AFTER = 0.3  # sampled this long after the answer too: a sign that came then would be a flash
SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"
LATENCIES = pytest.mark.parametrize("latency_ms", [SLOW_MS, 0], ids=["slow", "fast"])


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # seconds since the action
    loading: bool  # the widget is in its loading state
    drawn: bool  # a LoadingIndicator is drawn where the widget stood, on the screen shown
    waiting: bool  # the answer has not come yet
    said: str  # what the widget's neighbour (status line, hint) said then


def running(app: App[Any], *groups: str) -> bool:
    return any(
        w.group in groups and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers
    )


def drawn_over(app: App[Any], widget: Widget, x: int, y: int) -> bool:
    if not widget.is_attached or app.screen is not widget.screen:
        return False
    try:
        found, _ = app.screen.get_widget_at(x, y)
    except NoWidget:
        return False
    return isinstance(found, LoadingIndicator)


async def sample(
    pilot: Pilot[Any],
    widget: Widget | Callable[[], Widget | None],
    act: Callable[[], object],
    answered: Callable[[], bool],
    said: Callable[[], str] = lambda: "",
) -> list[Sample]:
    """Do `act`, then sample until `answered()`, and AFTER seconds more; the times are from just
    before `act`. `widget` may be a function, that gives it once `act` has opened it."""
    app = pilot.app
    start = monotonic()
    if isinstance(widget, Widget):
        found: Widget | None = widget
        place = widget.region
        act()
    else:
        act()
        while (found := widget()) is None or not (found.region.area or found.loading):  # laid out
            assert monotonic() - start < 5, "the widget never came"
            await asyncio.sleep(TICK / 4)
        place = found.region
    assert place.area, "the widget is on screen, and not covered, before the sign may come"
    x, y = place.x + place.width // 2, place.y + place.height // 2
    samples: list[Sample] = []
    came: float | None = None
    while came is None or monotonic() - came < AFTER:
        waiting = not answered()
        loading = found.is_attached and found.loading
        samples.append(Sample(monotonic() - start, loading, drawn_over(app, found, x, y), waiting, said()))
        if not waiting and came is None:
            came = monotonic()
        assert monotonic() - start < 20, "the answer never came"
        await asyncio.sleep(TICK)
    return samples


def check(samples: list[Sample], latency_ms: int) -> list[Sample]:
    """The samples that showed the sign: never before BUSY_DELAY, nor once the answer came; and
    with latency, while it was awaited. Without latency an answer within BUSY_DELAY shows none
    (a busy machine can make even that one slow, and then it may show, from BUSY_DELAY on)."""
    shown = [s for s in samples if s.loading or s.drawn]
    came = next(s.at for s in samples if not s.waiting)
    assert not [s for s in shown if s.at < BUSY_DELAY], "shown before BUSY_DELAY"
    assert not [s for s in shown if s.loading and not s.waiting], "still shown after the answer"
    assert not samples[-1].drawn, "still drawn well after the answer"  # a repaint may lag a frame
    if latency_ms:
        assert [s for s in shown if s.loading and s.drawn and s.waiting], "never shown while waiting"
    elif came < BUSY_DELAY:
        assert not shown, "a fast answer flashed the sign"
    return shown


def hint(screen: Screen[Any], selector: str) -> Callable[[], str]:
    """What `selector` says, while `screen` is up."""

    def said() -> str:
        try:
            return str(screen.query_one(selector, Static).render())
        except NoMatches:  # the screen went
            return ""

    return said


# --- the snapshot table ----------------------------------------------------------------


@LATENCIES
@pytest.mark.parametrize("key", ["r", "t", "a"], ids=["refresh", "device", "all-views"])
async def test_a_table_load_shows_busy_on_the_table_only_when_slow(
    server: DevServer, key: str, latency_ms: int
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        server.faults.latency_ms = latency_ms
        asked = server.count("GET", SNAPSHOTS)

        def answered() -> bool:
            return server.count("GET", SNAPSHOTS) > asked and not running(app, "load")

        samples = await sample(
            pilot, table, lambda: app.simulate_key(key), answered, lambda: status_text(app)
        )
        shown = check(samples, latency_ms)
        # The status line says so too, only while the table does.
        assert all("loading…" in s.said for s in shown[1:] if s.loading)
        assert not [s for s in samples if "loading…" in s.said and (s.at < BUSY_DELAY or not s.waiting)]
        assert table.model.total_count > 0 and not table.loading


async def test_the_first_load_shows_busy_when_slow(server: DevServer) -> None:
    server.faults.latency_ms = SLOW_MS
    app = BrowserApp(server)
    start = monotonic()
    async with app.run_test(size=SIZE) as pilot:
        table, seen = app.browser.table, []
        while not table.model.total_count:
            seen.append((monotonic() - start, table.loading, "loading…" in status_text(app)))
            await asyncio.sleep(TICK)
        assert not [s for s in seen if (s[1] or s[2]) and s[0] < BUSY_DELAY]
        assert [s for s in seen if s[1] and s[2]], "the table and the status line said it is loading"
        await settle(pilot)
        assert not table.loading and "loading…" not in status_text(app)
        assert table.model.total_count == len(store_snapshots(server, "/home"))


# --- the snapshot form --------------------------------------------------------------------


@LATENCIES
@pytest.mark.parametrize("key", ["e", "n"], ids=["edit", "create"])
async def test_a_save_shows_busy_over_the_buttons_and_sends_once(
    server: DevServer, key: str, latency_ms: int
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        form = form_of(app)
        if key == "n":
            fill(form, snapshot_name="Busy banner", device_type="mobile", event_id="evt-busy", start="1200")
        else:
            fill(form, event_id="evt-busy")
        server.faults.latency_ms = latency_ms

        def save_twice() -> None:  # the second press comes while the first is answered
            app.simulate_key("ctrl+s")
            app.simulate_key("ctrl+s")

        buttons = form.query_one("#form-buttons")
        check(await sample(pilot, buttons, save_twice, lambda: app.screen is app.browser), latency_ms)
        method = "PATCH" if key == "e" else "POST"
        assert server.count(method, SNAPSHOTS) == 1  # saved once, and closed
        assert any(s.attributes.event_id == "evt-busy" for s in store_snapshots(server))


# --- delete ---------------------------------------------------------------------------


@LATENCIES
async def test_a_single_delete_shows_busy_on_the_table(server: DevServer, latency_ms: int) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        snapshot = table.cursor_snapshot
        assert snapshot is not None
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDelete)
        await pilot.press("right")  # from Cancel to Delete
        server.faults.latency_ms = latency_ms

        def answered() -> bool:  # gone from the server, then from the table
            return table.model.index_of(snapshot.id) is None

        check(await sample(pilot, table, lambda: app.simulate_key("enter"), answered), latency_ms)
        assert server.store.get_snapshot(snapshot.id) is None


# --- the pickers -------------------------------------------------------------------------


@LATENCIES
async def test_the_application_list_shows_busy_when_slow(
    server: DevServer, config_path: Path, latency_ms: int
) -> None:
    with_profile(config_path, site="US5", last_application_id=None)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AppPicker) and picker.applications
        server.faults.latency_ms = latency_ms
        asked = server.count("GET", "/api/v2/rum/applications")

        def answered() -> bool:
            return server.count("GET", "/api/v2/rum/applications") > asked and not running(app, "apps")

        said = hint(picker, "#apps-hint")
        shown = check(
            await sample(pilot, picker.table, lambda: app.simulate_key("ctrl+r"), answered, said), latency_ms
        )
        assert all("Loading the RUM applications…" in s.said for s in shown[1:] if s.loading)
        assert "4 applications" in said() and len(picker.shown) == 4


@LATENCIES
async def test_opening_an_application_shows_busy_on_the_list(
    server: DevServer, config_path: Path, latency_ms: int
) -> None:
    """No view remembered: the app's views are asked for before the browser opens."""
    with_profile(config_path, site="US5", last_application_id=None)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AppPicker)
        await pilot.press(*"Shop Web")
        server.faults.latency_ms = latency_ms

        def answered() -> bool:
            return isinstance(app.screen, BrowserScreen) and not running(app, "flow", "busy")

        said = hint(picker, "#apps-hint")
        samples = await sample(pilot, picker.table, lambda: app.simulate_key("enter"), answered, said)
        shown = check(samples, latency_ms)
        assert all("Opening the application…" in s.said for s in shown[1:] if s.drawn)
        assert app.screen.application_name == "Shop Web"  # type: ignore[attr-defined]


@LATENCIES
async def test_choosing_a_site_shows_busy_while_the_keys_are_checked(
    server: DevServer, config_path: Path, latency_ms: int
) -> None:
    with_profile(config_path, site="US5")
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_switch_site()
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, SitePicker)
        sites = picker.query_one("#sites", OptionList)
        server.faults.latency_ms = latency_ms
        asked = server.count()

        def answered() -> bool:  # the keys were tried on the site, and the applications came
            return isinstance(app.screen, AppPicker) and not running(app, "flow", "busy")

        said = hint(picker, "#site-keys")
        shown = check(
            await sample(pilot, sites, lambda: app.simulate_key("enter"), answered, said), latency_ms
        )
        assert all("Checking the keys" in s.said for s in shown[1:] if s.drawn)
        assert server.count() > asked


@LATENCIES
async def test_the_view_picker_shows_busy_while_views_are_discovered(
    server: DevServer, latency_ms: int
) -> None:
    # The quiet discovery after the first load fails: the picker asks again when it opens.
    server.faults.fail_next(403, method="POST", path_prefix="/api/v2/rum/analytics/aggregate")
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.browser.catalog.discovered is None
        server.faults.latency_ms = latency_ms

        def options() -> OptionList | None:  # once the picker is up
            found = app.screen.query(OptionList) if isinstance(app.screen, ViewPicker) else None
            return found.first() if found else None

        def answered() -> bool:
            return app.browser.catalog.discovered is not None and not running(app, "discover", "busy")

        check(await sample(pilot, options, lambda: app.simulate_key("v"), answered), latency_ms)
        picker = app.screen
        assert isinstance(picker, ViewPicker) and picker.counts  # the views came, with their counts
        assert app.focused is picker.query_one(Input)
