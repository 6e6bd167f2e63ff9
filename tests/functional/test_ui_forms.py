"""The snapshot form: pure validators (with a fuzz), create and edit under Pilot, two snapshots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from heatmap_tui.core.models import INT64_MAX, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.snapshot_fields import SnapshotFields
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.format import format_start
from heatmap_tui.ui.forms import (
    FormInput,
    optional_id,
    parse_start,
    required_id,
    required_text,
    validate_create,
    validate_update,
)
from tests.apps.browser_app import (
    BrowserApp,
    form_of,
    notifications,
    server,
    settle,
    steady_cursors,
    store_snapshots,
)

# --- validators ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ms"),
    [
        ("0", 0),
        ("83500", 83_500),
        (" 83500 ", 83_500),
        ("83500ms", 83_500),
        ("83.5s", 83_500),
        ("12s", 12_000),
        ("01:23.500", 83_500),
        ("1:23.5", 83_500),
        ("1:23.05", 83_050),
        ("1:23", 83_000),
        ("125:03.004", 125 * 60_000 + 3_004),
        ("1:00:00.001", 3_600_001),
        (str(INT64_MAX), INT64_MAX),
    ],
)
def test_parse_start_accepts_ms_and_clock_times(raw: str, ms: int) -> None:
    assert parse_start(raw) == (ms, None)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "required"),
        ("   ", "required"),
        ("-5", "0 or more"),
        ("abc", "milliseconds"),
        ("1.5", "milliseconds"),
        ("1:60", "up to 59"),
        ("1:60:00", "up to 59"),
        ("1:2:3:4", "milliseconds"),
        ("١٢٣", "milliseconds"),  # Arabic-Indic digits: not what the API means by a number
        (str(INT64_MAX + 1), "too large"),
    ],
)
def test_parse_start_rejects_in_plain_words(raw: str, words: str) -> None:
    value, error = parse_start(raw)
    assert value is None
    assert error is not None and words in error


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_start_reads_back_what_format_start_writes(ms: int) -> None:
    assert parse_start(format_start(ms)) == (ms, None)


@given(st.text())
def test_validators_never_raise_and_give_exactly_one_of_value_or_error(raw: str) -> None:
    for value, error in (
        parse_start(raw),
        required_text(raw, "Name"),
        required_id(raw, "Event ID"),
    ):
        assert (value is None) != (error is None)
    value, error = optional_id(raw, "View ID")
    assert value is None or error is None
    start, _ = parse_start(raw)
    assert start is None or 0 <= start <= INT64_MAX


@given(
    st.builds(
        FormInput,
        snapshot_name=st.text(),
        view_name=st.text(),
        device_type=st.text(),
        application_id=st.text(),
        event_id=st.text(),
        start=st.text(),
        session_id=st.text(),
        view_id=st.text(),
        is_device_type_selected_by_user=st.booleans(),
    )
)
def test_form_validation_gives_a_valid_body_or_named_errors(form: FormInput) -> None:
    created = validate_create(form)
    assert created.ok != bool(created.errors)
    if created.ok:
        assert isinstance(created.value, SnapshotCreateAttributes)
    updated = validate_update(form)
    assert set(updated.errors) <= {"event_id", "start", "session_id", "view_id"}
    if updated.ok:
        assert isinstance(updated.value, SnapshotUpdateAttributes)


def test_ids_must_be_whitespace_free_and_optional_ones_may_be_empty() -> None:
    assert required_id(" evt-1 ", "Event ID") == ("evt-1", None)
    assert required_id("evt 1", "Event ID") == (None, "Event ID must not contain spaces.")
    assert optional_id("  ", "View ID") == (None, None)
    assert optional_id("a\tb", "View ID")[1] == "View ID must not contain spaces."


def test_update_carries_only_what_patch_accepts() -> None:
    form = FormInput(
        snapshot_name="new name",
        view_name="/x",
        device_type="tablet",
        application_id="a",
        event_id="evt",
        start="1:00.000",
        is_device_type_selected_by_user=False,
    )
    outcome = validate_update(form)
    assert outcome.ok and outcome.value is not None
    assert outcome.value.model_dump(exclude_none=True) == {
        "event_id": "evt",
        "start": 60_000,
        "is_device_type_selected_by_user": False,
    }


# --- the form under Pilot -------------------------------------------------------


def fill(form: SnapshotForm, **values: str) -> None:
    for name, value in values.items():
        if name == "device_type":
            form.query_one("#f-device_type", Select).value = value
        else:
            form.query_one(f"#f-{name}", Input).value = value


def error_of(form: SnapshotForm, name: str) -> str:
    error = form.query_one(f"#e-{name}", Static)
    return str(error.render()) if error.display else ""


def form_error(form: SnapshotForm) -> str:
    error = form.query_one("#form-error", Static)
    return str(error.render()) if error.display else ""


async def test_create_valid_adds_the_row_and_converts_a_typed_time(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.browser.table.model.total_count
        await pilot.press("n")
        await settle(pilot)
        form = form_of(app)
        assert form.query_one("#f-view_name", Input).value == "/home"
        assert form.query_one("#f-application_id", Input).disabled
        assert form.query_one("#f-application_id", Input).value == app.browser.application_id
        await pilot.press(*"Promo")  # typed for real into the focused name field
        fill(form, snapshot_name="Promo banner", device_type="tablet", event_id="evt-42", start="01:23.500")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm)
        created = [s for s in store_snapshots(server, "/home") if s.name == "Promo banner"]
        assert len(created) == 1
        assert created[0].attributes.start == 83_500
        assert created[0].device_type == "tablet"
        assert created[0].attributes.is_device_type_selected_by_user is True
        table = app.browser.table
        assert table.model.total_count == before + 1
        assert table.cursor_snapshot is not None and table.cursor_snapshot.id == created[0].id
        # Unsorted, the rows are the server's newest first: the new one is the first (issue 15, bug 2).
        assert table.model.shown[0].id == created[0].id and table.cursor_row == 0
        assert "Created snapshot 'Promo banner'" in notifications(app)


async def test_create_invalid_marks_fields_inline_and_keeps_the_text(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = form_of(app)
        fill(form, snapshot_name="Half done", event_id="evt 1", start="12:75")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form_of(app) is form
        assert error_of(form, "event_id") == "Event ID must not contain spaces."
        assert "up to 59" in error_of(form, "start")
        assert error_of(form, "device_type") == "Device type is required."
        assert error_of(form, "snapshot_name") == ""
        assert form.query_one("#f-start", Input).has_class("invalid")
        assert not form.query_one("#f-snapshot_name", Input).has_class("invalid")
        assert form.query_one("#f-start", Input).value == "12:75"
        assert form.query_one("#f-event_id", Input).value == "evt 1"
        assert form_error(form) == "Fix the 3 fields marked in red."
        assert app.focused is form.query_one("#f-device_type", Select)  # the first one in the grid
        # Fixing a field clears its mark as the person types.
        fill(form, start="12:34")
        await pilot.pause()
        assert error_of(form, "start") == ""
        assert not form.query_one("#f-start", Input).has_class("invalid")
        # Escape cancels, and nothing was ever sent.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser
        assert server.count("POST", "/api/v2/replay/heatmap/snapshots") == 0


async def test_create_server_errors_keep_every_typed_value(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = form_of(app)
        typed = {"snapshot_name": "Keep me", "event_id": "evt-9", "start": "4500", "session_id": "sess-1"}
        fill(form, device_type="mobile", **typed)
        for status in (400, 500):
            server.faults.fail_next(status, method="POST")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert form_of(app) is form
            assert f"HTTP {status}" in form_error(form)
            assert form_error(form).startswith("Could not create snapshot 'Keep me'")
            for name, value in typed.items():
                assert form.query_one(f"#f-{name}", Input).value == value
            assert form.query_one("#f-device_type", Select).value == "mobile"
            assert not form.query_one("#form-save", Button).disabled
            assert server.count("POST", status=status) == 1  # a POST is never retried
        # The same form then succeeds once the server does.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm)
        assert [s.name for s in store_snapshots(server) if s.name == "Keep me"] == ["Keep me"]


async def test_edit_sends_only_what_patch_accepts(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        original = app.browser.table.cursor_snapshot
        assert original is not None
        await pilot.press("e")
        await settle(pilot)
        form = form_of(app)
        for name in ("snapshot_name", "view_name", "device_type", "application_id"):
            assert form.query_one(f"#f-{name}", Input).disabled
        assert app.focused is form.query_one("#f-event_id", Input)
        # Even a changed read-only field cannot reach the request.
        fill(form, snapshot_name="renamed?", event_id="evt-new", start="2:00.250", view_id="")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm)
        stored = server.store.get_snapshot(original.id)
        assert stored is not None
        a = stored.attributes
        assert (a.event_id, a.start) == ("evt-new", 120_250)
        assert (a.snapshot_name, a.view_name, a.device_type, a.application_id) == (
            original.name,
            original.view_name,
            original.device_type,
            original.application_id,
        )
        assert a.session_id == original.attributes.session_id
        row = app.browser.table.cursor_snapshot
        assert row is not None and row.id == original.id and row.attributes.start == 120_250
        assert app.browser.table.model.shown[0].id == original.id  # edited: now the newest
        assert f"Saved snapshot {original.name!r}" in notifications(app)
        assert server.count("PATCH", status=200) == 1


async def test_edit_of_a_snapshot_deleted_elsewhere_offers_to_drop_it(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        gone = app.browser.table.cursor_snapshot
        assert gone is not None
        server.store.delete_snapshot(gone.id)
        await pilot.press("e")
        await settle(pilot)
        form = form_of(app)
        fill(form, event_id="evt-late")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_of(app) is form
        assert "no longer exists" in form_error(form)
        # A check of the fields made later (the view's end, looked up when the form opened, may
        # be answered after the save's 404) leaves what the server said in place.
        form.fields.post_message(SnapshotFields.Rechecked(0))
        await settle(pilot)
        assert "no longer exists" in form_error(form)
        remove = form.query_one("#form-remove", Button)
        assert remove.display and app.focused is remove
        assert form.query_one("#f-event_id", Input).value == "evt-late"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm)
        table = app.browser.table
        assert table.model.index_of(gone.id) is None
        assert table.model.total_count == len(store_snapshots(server, "/home"))


# --- snapshots ---------------------------------------------------------------


def test_snapshot_create_form_with_inline_errors(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        fill(form_of(pilot.app), snapshot_name="Checkout promo", event_id="evt 7", start="1:75")  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await settle(pilot)
        steady_cursors(pilot)
        await pilot.pause()

    assert snap_compare(BrowserApp(server), terminal_size=(120, 40), run_before=run_before)


def test_snapshot_edit_form(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        steady_cursors(pilot)
        await pilot.pause()

    assert snap_compare(BrowserApp(server), terminal_size=(120, 40), run_before=run_before)
