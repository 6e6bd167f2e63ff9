"""Picking a snapshot's background frame from a replay, from the create and edit forms, under Pilot
against the embedded server; three snapshots. The view filter's discovered views: test_ui_view_discovery.
The moment within the picked view, and a start past its end: test_ui_start_bounds."""

from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs import replay_picker
from heatmap_tui.ui.dialogs.replay_picker import ReplayPicker, format_duration, short_id
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.dialogs.start_field import COMPUTING
from heatmap_tui.ui.format import format_start
from tests.apps.browser_app import (
    BrowserApp,
    form_of,
    notifications,
    server,
    settle,
    steady_cursors,
    store_snapshots,
)

SIZE = (120, 40)
EVENTS_PATH = "/api/v2/rum/events/search"


async def replay_events(app: BrowserApp, view: str, device: str | None) -> list[ViewEvent]:
    page = await app.connection.rum.search_view_events(app.browser.application_id, view, device, limit=1000)
    assert page.cursor is None
    return page.events


def picker_of(app: BrowserApp) -> ReplayPicker:
    assert isinstance(app.screen, ReplayPicker), app.screen
    return app.screen


def value(form: SnapshotForm, name: str) -> str:
    return form.query_one(f"#f-{name}", Input).value


def shown(widget: Static) -> str:
    return str(widget.render()) if widget.display else ""


async def open_create_form_on(pilot: Pilot[None], view: str, device: str) -> SnapshotForm:
    """The person's way: the view from the view picker, the device from the filter bar, then n."""
    await pilot.press("v")
    await settle(pilot)
    await pilot.press(*view.removeprefix("/")[:5], "enter")
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, BrowserApp) and app.browser.view == view
    while app.browser.device != device:
        await pilot.press("t")
        await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    return form_of(app)


# --- pure helpers ---------------------------------------------------------------------


def test_ids_and_durations_read_short() -> None:
    assert short_id("8bc63fbb-b6e0-4b0b-9d49-3acb7905b519") == "8bc63fbb…"
    assert short_id("short") == "short"
    assert short_id(None) == "-"
    assert [format_duration(ms) for ms in (None, 850, 12_340, 125_000, 3_720_000)] == [
        "-", "850 ms", "12.3s", "2m 05s", "1h 02m",
    ]  # fmt: skip


# --- create and edit ------------------------------------------------------------------


async def test_create_for_checkout_on_mobile_without_typing_an_id(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        assert form.query_one("#f-device_type", Select).value == "mobile"
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        expected = await replay_events(app, "/checkout", "mobile")
        assert [e.event_id for e in picker.events] == [e.event_id for e in expected]
        assert [e.date for e in picker.events] == sorted((e.date for e in expected), reverse=True)
        assert "all loaded" in shown(picker.query_one("#replay-status", Static))
        await pilot.press("down")
        chosen = picker.events[1]
        assert chosen.event_id in shown(picker.query_one("#replay-detail", Static))
        await pilot.press("enter")  # the view; then its moment, from its beginning unless moved
        assert picker.chosen == chosen and app.screen is picker
        await pilot.press("enter")
        await settle(pilot)
        assert form_of(app) is form
        assert value(form, "event_id") == chosen.event_id
        assert value(form, "session_id") == chosen.session_id
        assert value(form, "view_id") == chosen.view_id
        start = await app.connection.rum.start_offset(chosen)
        assert value(form, "start") == str(start) and start > 0
        assert "replay frame of 2026-04-29" in shown(form.query_one("#hint-event_id", Static))
        assert value(form, "snapshot_name") == f"/checkout mobile · {chosen.date:%Y-%m-%d}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        [created] = [
            s for s in store_snapshots(server, "/checkout", "mobile") if s.name.startswith("/checkout")
        ]
        a = created.attributes
        assert (a.event_id, a.session_id, a.view_id, a.start) == (
            chosen.event_id, chosen.session_id, chosen.view_id, start,
        )  # fmt: skip
        assert app.browser.table.cursor_snapshot is not None
        assert app.browser.table.cursor_snapshot.id == created.id


async def test_edit_picks_from_the_snapshots_own_view_and_device(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        original = app.browser.table.cursor_snapshot
        assert original is not None
        await pilot.press("e")
        await settle(pilot)
        form = form_of(app)
        assert form.query_one("#f-view_name", Input).disabled
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        assert (picker.view_name, picker.device_type) == (original.view_name, original.device_type)
        expected = await replay_events(app, original.view_name, original.device_type)
        assert [e.event_id for e in picker.events] == [e.event_id for e in expected]
        assert {e.device_type for e in picker.events} == {original.device_type}
        await pilot.press("j", "j", "enter", "enter")
        await settle(pilot)
        chosen = expected[2]
        start = await app.connection.rum.start_offset(chosen)
        assert start is not None
        assert (value(form, "event_id"), value(form, "start")) == (chosen.event_id, str(start))
        assert value(form, "snapshot_name") == original.name  # cannot change on edit: never suggested
        # The computed start can still be adjusted by hand before saving (within the view).
        form.query_one("#f-start", Input).value = format_start(start + 500)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        stored = server.store.get_snapshot(original.id)
        assert stored is not None
        a = stored.attributes
        assert (a.event_id, a.session_id, a.view_id, a.start) == (
            chosen.event_id, chosen.session_id, chosen.view_id, start + 500,
        )  # fmt: skip


async def test_a_typed_event_id_still_works_after_a_pick(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert form.query_one("#hint-event_id", Static).display
        event_input = form.query_one("#f-event_id", Input)
        event_input.focus()
        event_input.value = ""
        await pilot.press(*"evt-typed")
        await pilot.pause()
        assert not form.query_one("#hint-event_id", Static).display  # no longer says it is a replay's
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        assert [s.attributes.event_id for s in store_snapshots(server, "/checkout", "mobile")
                if s.name.startswith("/checkout")] == ["evt-typed"]  # fmt: skip


async def test_paging_by_key_and_at_the_end_of_the_list(
    server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay_picker, "PAGE_SIZE", 4)
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_create_form_on(pilot, "/checkout", "mobile")
        expected = [e.event_id for e in await replay_events(app, "/checkout", "mobile")]
        server.reset_stats()
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        assert len(picker.events) == 4 and picker.cursor is not None
        assert "more: m" in shown(picker.query_one("#replay-status", Static))
        await pilot.press("m")
        await settle(pilot)
        assert len(picker.events) == 8
        assert picker.table.cursor_row == 0  # loading more leaves the cursor where it was
        for _ in range(7):  # down to the last row: the next page comes by itself
            await pilot.press("down")
        await settle(pilot)
        assert len(picker.events) == 12
        await pilot.press("end")
        for _ in range(4):
            await pilot.press("down")
        await settle(pilot)
        assert [e.event_id for e in picker.events] == expected  # 15: every page, in order, once
        assert picker.cursor is None and "all loaded" in shown(picker.query_one("#replay-status", Static))
        assert server.count("POST", EVENTS_PATH) == 4
        await pilot.press("m")
        await settle(pilot)
        assert "All 15 replay views of /checkout on mobile are loaded." in notifications(app)
        assert server.count("POST", EVENTS_PATH) == 4


async def test_no_replays_says_so_and_a_typed_id_still_saves(server: DevServer) -> None:
    app = BrowserApp(server, views=None, initial_view=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape", "n")  # leave the view input; a new snapshot with no view yet
        await settle(pilot)
        form = form_of(app)
        await pilot.press("ctrl+r")  # replays are searched by view: it asks for one first
        await pilot.pause()
        assert app.screen is form and app.focused is form.query_one("#f-view_name", Input)
        assert "Type the view name first" in shown(form.query_one("#e-view_name", Static))
        form.query_one("#f-view_name", Input).value = "/nowhere"
        form.query_one("#f-device_type", Select).value = "tablet"
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        assert picker.events == [] and not picker.table.display
        assert shown(picker.query_one("#replay-status", Static)).startswith(
            "No replay of /nowhere on tablet in the last 30 days"
        )
        await pilot.press("enter")  # nothing to pick: stays open
        assert app.screen is picker
        await pilot.press("escape")
        await settle(pilot)
        assert form_of(app) is form and value(form, "event_id") == ""
        for name, typed in (("snapshot_name", "Nowhere"), ("event_id", "evt-by-hand"), ("start", "12s")):
            form.query_one(f"#f-{name}", Input).value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        [created] = store_snapshots(server, "/nowhere", "tablet")
        assert (created.attributes.event_id, created.attributes.start) == ("evt-by-hand", 12_000)


async def test_errors_in_plain_words_then_retry(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        server.faults.fail_next(403, method="POST", path_prefix=EVENTS_PATH)
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        status = picker.query_one("#replay-status", Static)
        assert status.has_class("-error") and "HTTP 403" in shown(status)
        assert shown(status).endswith("Press r to try again.") and "Traceback" not in shown(status)
        await pilot.press("r")
        await settle(pilot)
        assert len(picker.events) == 15 and not status.has_class("-error")
        # The start's own search fails: the ids are filled, the start is left to type.
        server.faults.fail_next(403, method="POST", path_prefix=EVENTS_PATH)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert value(form, "event_id") == picker.events[0].event_id and value(form, "start") == ""
        error = shown(form.query_one("#e-start", Static))
        assert error.startswith("Could not compute the start: ") and error.endswith("Type it by hand.")


async def test_start_is_computing_until_the_server_answers(
    server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = BrowserApp(server)
    answer = asyncio.Event()
    real_start_offset = app.connection.rum.start_offset

    async def slow_start_offset(event: ViewEvent) -> int:
        await answer.wait()
        return await real_start_offset(event)

    monkeypatch.setattr(app.connection.rum, "start_offset", slow_start_offset)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert form.fields.computing_start and shown(form.query_one("#hint-start", Static)) == COMPUTING
        assert value(form, "event_id") and value(form, "start") == ""
        await pilot.press("ctrl+s")  # refused while the start is not known yet
        await pilot.pause()
        assert app.screen is form and server.count("POST", "/api/v2/replay/heatmap/snapshots") == 0
        answer.set()
        await settle(pilot)
        assert not form.fields.computing_start and value(form, "start").isdigit()
        assert shown(form.query_one("#hint-start", Static)).startswith("= ")


# --- snapshots ----------------------------------------------------------------------


async def _picker_open(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await open_create_form_on(pilot, "/checkout", "mobile")
    await pilot.press("ctrl+r")
    await settle(pilot)
    await pilot.press("down")


async def _moment(pilot: Pilot[None]) -> None:
    await _picker_open(pilot)
    await pilot.press("enter", "pageup", "up")  # step two: 11 s into the view


async def _picked(pilot: Pilot[None]) -> None:
    await _picker_open(pilot)
    await pilot.press("enter", "enter")


@pytest.mark.parametrize(
    "steps", [_picker_open, _moment, _picked], ids=["replay_picker", "moment", "form_after_a_pick"]
)
def test_snapshot(server: DevServer, snap_compare, steps) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await steps(pilot)
        await settle(pilot)
        steady_cursors(pilot)
        await pilot.pause()

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)
