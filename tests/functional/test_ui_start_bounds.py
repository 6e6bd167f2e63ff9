"""Issue 15, bug 7: a snapshot's Start must lie inside the replay view its frame comes from.

The replay picker's second step (a moment inside the chosen view), the form's inline warning on a
start past that view's end (as typed, and a save refused), the view looked up when editing, and
an unknown end that never stops a save; under Pilot against the embedded server, at 80x24 and
200x60. Picking the view itself: test_ui_replay_picker."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.app import App
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from heatmap_tui.core.rum_models import ViewEvent, ViewSpan
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.replay_moment import timeline
from heatmap_tui.ui.dialogs.replay_picker import ReplayPicker
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.dialogs.start_field import UNKNOWN_END
from heatmap_tui.ui.format import format_duration, format_start
from heatmap_tui.ui.forms import (
    FormInput,
    parse_moment,
    past_end,
    span_remark,
    validate_create,
    validate_update,
)
from heatmap_tui.ui.screens.help import help_groups
from tests.apps.browser_app import BrowserApp, connect, form_of, server, settle, store_snapshots
from tests.functional.test_ui_forms import error_of, form_error
from tests.functional.test_ui_replay_picker import open_create_form_on, picker_of, shown, value

SIZE = (120, 40)
SNAPSHOTS_PATH = "/api/v2/replay/heatmap/snapshots"
SPAN = ViewSpan(event_id="evt-1", start_ms=60_000, duration_ms=13_000)  # 01:00.000 to 01:13.000


# --- pure pieces ------------------------------------------------------------------------


def test_the_moment_lies_within_the_view() -> None:
    assert parse_moment("00:13.000", 13_000) == (13_000, None)
    assert parse_moment("12.5s", 13_000) == (12_500, None)
    assert parse_moment("0", 0) == (0, None)
    value, error = parse_moment("13001", 13_000)
    assert value is None and error is not None and "at most 00:13.000 (13000 ms)" in error
    assert parse_moment("-1s", 13_000)[1] == "The moment must be 0 or more."
    assert parse_moment("999999999999", None) == (999_999_999_999, None)  # no length: no end to check


def test_past_the_end_is_an_error_and_before_the_view_a_remark() -> None:
    assert past_end(73_000, SPAN) is None  # the last frame is still one
    error = past_end(73_001, SPAN)
    assert error is not None and "runs 01:00.000–01:13.000" in error and "ctrl+r" in error
    assert span_remark(65_500, SPAN) == "00:05.500 into this view (01:00.000–01:13.000)"
    assert span_remark(59_999, SPAN).startswith("before this view (01:00.000–01:13.000)")
    assert span_remark(73_001, SPAN) == ""  # the error says it


def test_the_span_holds_only_for_its_own_event() -> None:
    form = FormInput(
        snapshot_name="n", view_name="/v", device_type="mobile", application_id="a", event_id="evt-1"
    )
    past = validate_create(replace(form, start="999999999999"), SPAN)
    assert list(past.errors) == ["start"] and "past the end" in past.errors["start"]
    assert validate_update(replace(form, start="999999999999"), SPAN).errors.keys() == {"start"}
    assert validate_create(replace(form, start="01:13.000"), SPAN).ok
    assert validate_create(replace(form, start="999999999999", event_id="evt-2"), SPAN).ok  # unknown end
    assert validate_create(replace(form, start="999999999999")).ok  # no span at all: unknown end


def test_timeline_marks_where_the_moment_is() -> None:
    assert timeline(0, 10_000, width=5) == "●────"
    assert timeline(5_000, 10_000, width=5) == "━━●──"
    assert timeline(10_000, 10_000, width=5) == "━━━━●"
    assert timeline(99_000, 10_000, width=5) == "━━━━●" and timeline(0, 0, width=5) == "●────"


def test_a_view_without_a_length_has_no_span() -> None:
    event = ViewEvent.model_validate(
        {
            "event_id": "e", "date": "2026-05-01T00:00:00Z", "application_id": "a", "session_id": "s",
            "view_id": "v", "view_name": "/v", "url": None, "device_type": None, "time_spent_ms": None,
            "has_replay": True,
        }
    )  # fmt: skip
    assert ViewSpan.of(event, 5_000) is None
    assert ViewSpan.of(event.model_copy(update={"time_spent_ms": 700}), 5_000) == ViewSpan(
        event_id="e", start_ms=5_000, duration_ms=700
    )


# --- finding a saved snapshot's frame ---------------------------------------------------------


async def test_a_frame_is_found_by_its_view_or_its_session_id(server: DevServer) -> None:
    kept = next(e for e in server.store.events if e.has_replay)
    connection = connect(server)
    try:
        rum = connection.rum
        for session_id, view_id in (
            (kept.session_id, kept.view_id),
            (None, kept.view_id),
            (kept.session_id, None),
        ):
            found = await rum.find_view_event(
                kept.application_id, kept.id, session_id=session_id, view_id=view_id
            )
            assert found is not None and found.event_id == kept.id
            assert found.time_spent_ms == kept.time_spent_ms  # the devserver serves the view's length
        assert await rum.find_view_event(kept.application_id, kept.id, session_id=None, view_id=None) is None
        gone = await rum.find_view_event(
            kept.application_id, "evt-gone", session_id=kept.session_id, view_id=None
        )
        assert gone is None
    finally:
        await connection.close()


# --- the form under Pilot -----------------------------------------------------------------


async def span_of_event(app: BrowserApp, event: ViewEvent) -> ViewSpan:
    start = await app.connection.rum.start_offset(event)
    assert start is not None
    span = ViewSpan.of(event, start)
    assert span is not None
    return span


async def type_into(pilot, widget: Input, text: str) -> None:  # type: ignore[no-untyped-def]
    """Clear the field, then type `text` key by key, as a person does."""
    widget.focus()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


def hint(form: SnapshotForm) -> str:
    return shown(form.query_one("#hint-start", Static))


async def test_a_start_past_the_picked_views_end_is_marked_as_typed_and_not_saved(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        chosen = picker_of(app).events[0]
        await pilot.press("enter", "enter")  # the view, at its beginning
        await settle(pilot)
        span = await span_of_event(app, chosen)
        assert value(form, "start") == str(span.start_ms)
        assert hint(form).endswith(
            f"· 00:00.000 into this view ({format_start(span.start_ms)}–{format_start(span.end_ms)})"
        )
        start = form.query_one("#f-start", Input)
        await type_into(pilot, start, "999999999999")  # the bug report's start, for a view of seconds
        # Said before any save: inline, the text kept, nothing sent.
        warning = error_of(form, "start")
        assert warning.startswith("Start is past the end of this replay view, which runs ")
        assert f"{format_start(span.start_ms)}–{format_start(span.end_ms)}" in warning
        assert start.has_class("invalid") and start.value == "999999999999"
        assert form_error(form) == ""
        await pilot.press("ctrl+s")  # refused: no such frame to draw
        await settle(pilot)
        assert form_of(app) is form and server.count("POST", SNAPSHOTS_PATH) == 0
        assert form_error(form) == "Fix the 1 field marked in red." and app.focused is start
        assert start.value == "999999999999" and error_of(form, "start") == warning
        # The last frame of the view is inside it: the warning goes as it is typed, and it saves.
        await type_into(pilot, start, str(span.end_ms))
        assert error_of(form, "start") == "" and not start.has_class("invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        [created] = [
            s
            for s in store_snapshots(server, "/checkout", "mobile")
            if s.attributes.event_id == chosen.event_id
        ]
        assert created.attributes.start == span.end_ms


async def test_the_warning_follows_the_typing_and_a_start_before_the_view_is_a_remark(
    server: DevServer,
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        spans = [await span_of_event(app, e) for e in picker.events[:6]]
        row = next(i for i, span in enumerate(spans) if span.start_ms > 0)  # not a session's first view
        span = spans[row]
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter", "enter")
        await settle(pilot)
        start = form.query_one("#f-start", Input)
        await type_into(pilot, start, str(span.end_ms + 1))  # one ms too far
        assert "past the end" in error_of(form, "start")
        await pilot.press("backspace")  # a tenth of it: no longer past the end
        await pilot.pause()
        assert error_of(form, "start") == "" and not start.has_class("invalid")
        await type_into(pilot, start, str(span.start_ms - 1))  # the frame of an earlier page
        assert error_of(form, "start") == "" and not start.has_class("invalid")
        assert "· before this view (" in hint(form)
        await pilot.press("ctrl+s")  # a remark, not an error: it saves
        await settle(pilot)
        assert app.screen is app.browser


async def test_picking_a_moment_inside_the_view_fills_start(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        row = next(i for i, e in enumerate(picker.events) if (e.time_spent_ms or 0) > 20_000)
        chosen = picker.events[row]
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        # Step two: the view's length, and the moment from its beginning.
        assert picker.chosen == chosen and not picker.table.display
        about = shown(picker.query_one("#moment-about", Static))
        assert f"lasted {format_duration(chosen.time_spent_ms)} ({chosen.time_spent_ms} ms)" in about
        moment = picker.query_one("#moment-offset", Input)
        assert app.focused is moment and moment.value == "00:00.000"
        await pilot.press("up", "up", "up", "pageup", "down")  # +1 s three times, +10 s, -1 s
        assert moment.value == "00:12.000"
        assert shown(picker.query_one("#moment-where", Static)).endswith(" 00:12.000")
        await pilot.press("pagedown", "pagedown")  # never before the beginning
        assert moment.value == "00:00.000"
        await type_into(pilot, moment, "7.25s")
        await pilot.press("enter")
        await settle(pilot)
        assert form_of(app) is form
        span = await span_of_event(app, chosen)
        assert value(form, "event_id") == chosen.event_id
        assert value(form, "start") == str(span.start_ms + 7_250)
        assert "· 00:07.250 into this view (" in hint(form)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        [created] = [
            s
            for s in store_snapshots(server, "/checkout", "mobile")
            if s.attributes.event_id == chosen.event_id
        ]
        assert created.attributes.start == span.start_ms + 7_250


async def test_a_moment_past_the_views_end_is_refused_in_the_picker(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        chosen = picker.events[0]
        length = chosen.time_spent_ms
        assert length is not None
        await pilot.press("enter")
        moment = picker.query_one("#moment-offset", Input)
        await type_into(pilot, moment, str(length + 1))
        error = shown(picker.query_one("#moment-error", Static))
        assert error.startswith("The moment must lie within the view: at most ") and moment.has_class(
            "-invalid"
        )
        await pilot.press("enter")  # refused: the picker stays, the text kept
        await pilot.pause()
        assert app.screen is picker and moment.value == str(length + 1)
        await pilot.press("pageup")  # a step brings it back inside: to the view's last frame
        assert moment.value == format_start(length) and shown(picker.query_one("#moment-error", Static)) == ""
        # escape goes back to the list, where enter chooses again; escape there closes the picker.
        await pilot.press("escape")
        await pilot.pause()
        assert picker.chosen is None and picker.table.display and app.focused is picker.table
        await pilot.press("escape")
        await settle(pilot)
        assert form_of(app) is form and value(form, "event_id") == ""


def on_screen(app: App[None], widget: Widget) -> bool:
    """Shown, inside the terminal, and not covered: what is at its centre is the widget itself."""
    region = widget.region
    if not widget.display or not region.area or not app.screen.region.contains_region(region):
        return False
    x, y = region.center
    hit, _ = app.screen.get_widget_at(int(x), int(y))
    return hit is widget or widget in hit.ancestors


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
async def test_the_pickers_controls_are_visible_and_its_help_follows_the_step(
    server: DevServer, size: tuple[int, int]
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await open_create_form_on(pilot, "/checkout", "mobile")
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = picker_of(app)
        for wid in (
            "#replay-events",
            "#replay-detail",
            "#replay-status",
            "#replay-more",
            "#replay-cancel",
            "#replay-use",
        ):
            assert on_screen(app, picker.query_one(wid)), wid
        keys = help_keys(picker)
        assert (keys["Cancel"], keys["Load more"]) == ("esc", "m")
        assert "Back to the list" not in keys and "1 s later" not in keys
        await pilot.press("enter")
        await pilot.pause()
        for wid in ("#moment-about", "#moment-offset", "#moment-where", "#replay-back", "#replay-use"):
            assert on_screen(app, picker.query_one(wid)), wid
        assert picker.query_one("#replay-use", Button).label.plain == "Use this moment"
        keys = help_keys(picker)
        assert (keys["Back to the list"], keys["1 s later"], keys["10 s earlier"]) == ("esc", "↑", "pgdn")
        assert "Cancel" not in keys and "Load more" not in keys
        await pilot.click("#replay-use")  # the button does what enter does
        await settle(pilot)
        form = form_of(app)
        assert value(form, "event_id") == picker.events[0].event_id and value(form, "start").isdigit()


def help_keys(picker: ReplayPicker) -> dict[str, str]:
    """What f1 shows over the picker (help_groups is the help screen's own list): words to keys."""
    return {row.description: row.keys for _, rows in help_groups(picker) for row in rows}


# --- editing: the frame's view looked up ------------------------------------------------------


async def test_edit_looks_up_where_the_frames_view_ends(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        original = app.browser.table.cursor_snapshot
        assert original is not None
        a = original.attributes
        kept = next(e for e in server.store.events if e.id == a.event_id)  # the seeded frame is kept
        await pilot.press("e")
        await settle(pilot)
        form = form_of(app)
        start_ms = kept.date - kept.session_start
        end_ms = start_ms + kept.time_spent_ms
        assert f"into this view ({format_start(start_ms)}–{format_start(end_ms)})" in hint(form)
        start = form.query_one("#f-start", Input)
        await type_into(pilot, start, str(end_ms + 1))
        assert "past the end" in error_of(form, "start")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_of(app) is form and server.count("PATCH") == 0
        assert server.store.get_snapshot(original.id).attributes.start == a.start  # type: ignore[union-attr]


async def test_an_unknown_end_is_said_and_never_stops_a_save(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        kept = {e.id for e in server.store.events}
        table = app.browser.table
        gone = next(
            s for s in table.model.snapshots if s.attributes.event_id not in kept
        )  # its replay is gone
        table.move_cursor(table.model.index_of(gone.id) or 0)
        await pilot.press("e")
        await settle(pilot)
        form = form_of(app)
        start = form.query_one("#f-start", Input)
        await type_into(pilot, start, "999999999999")
        assert hint(form) == f"= {format_start(999_999_999_999)}  (999999999999 ms) · {UNKNOWN_END}"
        assert error_of(form, "start") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is app.browser
        stored = server.store.get_snapshot(gone.id)
        assert stored is not None and stored.attributes.start == 999_999_999_999
