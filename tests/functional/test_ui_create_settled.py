"""The snapshot form after a create whose answer was lost: settled, never a blind second Create."""

from __future__ import annotations

from textual.widgets import Button, Input, Select, Static

from heatmap_tui.core.snapshots import PATH
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from tests.apps.browser_app import (
    BrowserApp,
    data_dir,
    form_of,
    notifications,
    server,
    settle,
    store_snapshots,
)

NAME = "Lost answer"


def named(server: DevServer) -> list[str]:
    return [s.id for s in store_snapshots(server, "/home") if s.name == NAME]


def form_error(form: SnapshotForm) -> str:
    error = form.query_one("#form-error", Static)
    return str(error.render()) if error.display else ""


def save_label(form: SnapshotForm) -> str:
    return str(form.query_one("#form-save", Button).label)


async def open_filled_form(app: BrowserApp, pilot) -> SnapshotForm:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    form = form_of(app)
    form.query_one("#f-device_type", Select).value = "desktop"
    for name, value in {"snapshot_name": NAME, "event_id": "evt-lost", "start": "2500"}.items():
        form.query_one(f"#f-{name}", Input).value = value
    return form


async def test_a_create_applied_before_its_answer_was_lost_is_reported_created(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_filled_form(app, pilot)
        server.faults.drop_next(method="POST", path_prefix=PATH, after_apply=True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm)
        ids = named(server)
        assert len(ids) == 1  # one snapshot on the server, not two
        assert any("it was created" in n and ids[0] in n for n in notifications(app))
        assert app.browser.table.cursor_snapshot is not None
        assert app.browser.table.cursor_snapshot.id == ids[0]
        await pilot.press("ctrl+s")  # again, now on the browser: nothing more is created
        await settle(pilot)
        assert named(server) == ids and server.count("POST", PATH) == 1


async def test_a_create_lost_before_it_was_applied_is_reported_not_created(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_filled_form(app, pilot)
        server.faults.drop_next(method="POST", path_prefix=PATH)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_of(app) is form and named(server) == []
        assert "it was not created" in form_error(form)
        assert save_label(form) == "Create" and not form.query_one("#form-save", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm) and len(named(server)) == 1


async def test_a_settle_that_fails_says_unknown_and_offers_only_check_again(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_filled_form(app, pilot)
        server.faults.drop_next(method="POST", path_prefix=PATH, after_apply=True)
        server.faults.fail_next(503, count=20, method="GET", path_prefix=PATH)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_of(app) is form and len(named(server)) == 1
        assert "Whether it was created is unknown" in form_error(form)
        assert save_label(form) == "Check again"
        assert "Create" not in {str(b.label) for b in form.query(Button) if b.display}
        posts = server.count("POST", PATH)
        await pilot.press("ctrl+s")  # still failing: it only looks again, it never creates
        await settle(pilot)
        assert server.count("POST", PATH) == posts and len(named(server)) == 1
        assert save_label(form) == "Check again" and form_of(app) is form
        server.faults.clear()
        await pilot.click("#form-save")
        await settle(pilot)
        assert not isinstance(app.screen, SnapshotForm)
        assert server.count("POST", PATH) == posts and len(named(server)) == 1
        assert any("it was created" in n for n in notifications(app))
