"""Issue 15: restores tell the truth, clean-up asks once, a bulk delete closes itself.

The API has no undelete: a restore re-creates a snapshot, with a new id, the restoring user as
author and a new date. The delete confirmation and the trash say so; the trash shows each
snapshot's original author and dates (from its copy), and a restore names the new id beside
the original's author and date. Against the embedded server, HEATMAP_TUI_DATA in tmp_path.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from textual.widgets import Button, Checkbox, Static

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.trash import Trash, delete_with_trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.auth import DEMO_USER
from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress
from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog
from heatmap_tui.ui.dialogs.confirm_dialog import RESTORE_NOTE_MANY, RESTORE_NOTE_ONE, ConfirmDelete
from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress
from heatmap_tui.ui.screens.trash_screen import RESTORE_NOTE, TrashScreen
from heatmap_tui.ui.widgets.trash_table import COLUMN_INDEX, TrashTable
from tests.apps.browser_app import NOW, BrowserApp, data_dir, notifications, server, store_snapshots
from tests.functional.test_ui_trash import NEW_ONES, delete_marked, settle, table_text, twin

SIZE = (120, 40)
PATH = "/api/v2/replay/heatmap/snapshots"
AUTHOR, CREATED, MODIFIED = COLUMN_INDEX["Author"], COLUMN_INDEX["Created"], COLUMN_INDEX["Modified"]


def text(widget: Static) -> str:
    return str(widget.render())


def older(server: DevServer, count: int) -> list[Snapshot]:
    """Snapshots of /home made by someone else than the demo user, days before now: a restore
    (by the demo user, now) cannot be mistaken for them."""
    found = [
        s
        for s in store_snapshots(server, "/home")
        if s.attributes.created_by not in (None, DEMO_USER.name)
        and s.attributes.created_at is not None
        and s.attributes.created_at < NOW - timedelta(days=2)
    ]
    found.sort(key=lambda s: s.id)
    assert len(found) >= count
    return found[:count]


def day(snapshot: Snapshot, field: str = "created_at") -> str:
    at = getattr(snapshot.attributes, field)
    return f"{at:%Y-%m-%d}"


async def trash_these(app: BrowserApp, snapshots: list[Snapshot]) -> None:
    """Deleted elsewhere (the CLI, say), through the same trash."""
    conn = app.connection
    await delete_with_trash(conn.snapshots, snapshots, Trash(), site=conn.site, profile=conn.profile)


# --- the delete confirmation -----------------------------------------------------------


async def test_the_delete_confirmation_says_what_a_restore_cannot_bring_back(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDelete)
        assert text(dialog.query_one("#confirm-note", Static)) == RESTORE_NOTE_ONE
        assert "new id, you as author and today's date" in RESTORE_NOTE_ONE
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("space", "space", "d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDelete) and len(dialog.snapshots) == 2
        assert text(dialog.query_one("#confirm-note", Static)) == RESTORE_NOTE_MANY
        assert "new ids, you as author and today's date" in RESTORE_NOTE_MANY
        await pilot.press("escape")
        await settle(pilot)
        assert server.count("DELETE") == 0


# --- the trash -------------------------------------------------------------------------


async def test_the_trash_shows_the_original_author_and_dates_and_says_what_a_restore_changes(
    server: DevServer, data_dir: Path
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gone = older(server, 2)
        await trash_these(app, gone)
        # A record of an older version: its copy holds no author and no dates. It still loads.
        bare = store_snapshots(server, "/cart")[0]
        document = bare.model_dump(mode="json", exclude={"attributes": {"created_by", "created_by_handle",
                                                                          "created_at", "modified_at"}})  # fmt: skip
        record = {"v": 1, "kind": "trashed", "at": "2026-04-01T00:00:00Z", "batch_id": "old", "id": bare.id,
                  "site": "demo", "profile": "default", "application_id": bare.application_id,
                  "snapshot": document}  # fmt: skip
        with (data_dir / "trash.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")

        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrashScreen)
        assert text(screen.query_one("#trash-note", Static)) == RESTORE_NOTE
        by_id = {e.id: i for i, e in enumerate(screen.entries)}
        table = screen.query_one("#trash-table", TrashTable)
        for snapshot in gone:
            cells = table.cells(by_id[snapshot.id])
            assert cells[AUTHOR] == snapshot.attributes.created_by
            assert (cells[CREATED], cells[MODIFIED]) == (day(snapshot), day(snapshot, "modified_at"))
        assert table.cells(by_id[bare.id])[AUTHOR : MODIFIED + 1] == ("", "", "")
        shown = table_text(table)
        assert "Author" in shown and "Created" in shown and gone[0].attributes.created_by in shown

        # The detail line of the cursor row says the original, in words.
        table.move_cursor(by_id[gone[1].id])
        await settle(pilot)
        detail = text(screen.query_one("#trash-detail", Static))
        a = gone[1].attributes
        assert (
            f"originally by {a.created_by}, created {day(gone[1])}, modified {day(gone[1], 'modified_at')}"
            in detail
        )
        table.move_cursor(by_id[bare.id])
        await settle(pilot)
        assert "its original author and date were not recorded" in text(
            screen.query_one("#trash-detail", Static)
        )


async def test_the_trash_fits_80_columns_hiding_the_least_needed_columns(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        gone = older(server, 3)
        await trash_these(app, gone)
        await pilot.press("T")
        await settle(pilot)
        table = app.screen.query_one("#trash-table", TrashTable)
        width = table.scrollable_content_region.width
        assert width >= 76 and table.virtual_size.width <= width  # nothing to scroll sideways to
        header, *lines = table_text(table).splitlines()
        assert all(len(line) == width for line in (header, *lines))
        for label in ("Deleted", "Name", "State", "Author"):
            assert label in header
        assert "From" not in header and "View" not in header  # the detail line says them
        assert gone[0].attributes.created_by in table_text(table)
        # Wide, every column shows.
        await pilot.resize_terminal(200, 30)
        await settle(pilot)
        header = table_text(table).splitlines()[0]
        assert all(label in header for label in ("View", "Device", "Created", "Modified", "From"))


# --- after a restore -------------------------------------------------------------------


async def test_a_restore_says_the_new_id_beside_the_original_author_and_date(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        (gone,) = older(server, 1)
        await trash_these(app, [gone])
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        back = twin(server, gone)
        a = gone.attributes
        assert notifications(app)[-1] == (
            f"Restored {gone.name!r} as {back.id}; originally by {a.created_by}, created {day(gone)}"
        )
        # Which is what the server did: a new id, the demo user as author, a new date.
        assert back.id != gone.id and back.attributes.created_by == DEMO_USER.name
        assert back.attributes.created_at is not None and a.created_at is not None
        assert back.attributes.created_at > a.created_at + timedelta(days=1)
        detail = text(app.screen.query_one("#trash-detail", Static))
        assert f"originally by {a.created_by}" in detail and f"restored as {back.id}" in detail


async def test_a_restore_that_stays_open_lists_the_originals_beside_the_new_ids(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gone = older(server, 3)
        await trash_these(app, gone)
        await pilot.press("T")
        await settle(pilot)
        server.faults.fail_next(403, count=1, method="POST", path_prefix=PATH)
        await pilot.press("space", "space", "space", "r")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RestoreProgress)  # one failed: it stays open
        summary = text(dialog.query_one("#restore-summary", Static))
        assert dialog.report is not None and len(dialog.report.restored) == 2
        by_id = {s.id: s for s in gone}
        restored = [by_id[entry.id] for entry, _ in dialog.report.restored]
        for snapshot, (_, new) in zip(restored, dialog.report.restored, strict=True):
            assert server.store.get_snapshot(new.id) is not None
            line = next(line for line in summary.splitlines() if f"{snapshot.id} → " in line)
            assert line.endswith(f"{snapshot.id} → {new.id}; originally by {snapshot.attributes.created_by}, "
                                 f"created {day(snapshot)}")  # fmt: skip
        await pilot.press("escape")
        await settle(pilot)
        message = notifications(app)[-1]
        assert message.startswith(f"Restored 2 snapshots as new ones {NEW_ONES}; originally by ")
        assert all(s.attributes.created_by in message for s in restored) and message.endswith("; 1 failed")


# --- clean-up asks once ----------------------------------------------------------------


async def test_clean_up_goes_from_preview_to_done_with_one_confirmation(server: DevServer) -> None:
    app = BrowserApp(server)
    pushed: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        real_push = app.push_screen

        def recording(screen, *args, **kwargs):  # type: ignore[no-untyped-def]
            pushed.append(type(screen).__name__)
            return real_push(screen, *args, **kwargs)

        app.push_screen = recording  # type: ignore[method-assign]
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CleanupDialog)
        dialog.query_one("#cleanup-duplicates", Checkbox).value = True
        await settle(pilot)
        assert dialog.plan is not None
        chosen = list(dialog.plan.snapshots)
        assert len(chosen) > 1
        delete = dialog.query_one("#cleanup-delete", Button)
        # The button is the confirmation: it says exactly what goes, and where the copies go.
        assert str(delete.label) == f"Delete {len(chosen)} snapshots (copies to the trash)"
        assert app.focused is not delete
        await pilot.click("#cleanup-delete")
        await settle(pilot)
        assert app.screen is app.browser
        assert pushed == ["CleanupDialog", "BulkDeleteProgress"]  # no second confirmation
        assert all(server.store.get_snapshot(s.id) is None for s in chosen)
        assert {e.id for e in Trash().entries()} == {s.id for s in chosen}
        assert notifications(app) == [f"Deleted {len(chosen)} snapshots (u undoes)"]


# --- a bulk delete closes itself -----------------------------------------------------------


async def test_a_bulk_delete_that_succeeded_closes_itself_with_a_toast_and_u_restores(
    server: DevServer,
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        marked = await delete_marked(pilot, "space", "space", "space")  # asserts the browser is on top
        assert len(marked) == 3 and app.browser.table.model.total_count == 57
        (toast,) = list(app._notifications)
        assert toast.message == "Deleted 3 snapshots (u undoes)"
        assert toast.title.startswith("Bulk delete · trash batch ")
        await pilot.press("u")
        await settle(pilot)
        assert app.screen is app.browser
        assert notifications(app)[-1].startswith(
            f"Restored 3 snapshots as new ones {NEW_ONES}; originally by "
        )
        assert all(twin(server, s).id != s.id for s in marked)
        assert app.browser.table.model.total_count == 60


async def test_a_bulk_delete_with_a_failure_stays_open_saying_what_failed(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "space")
        second = app.browser.table.marked_snapshots[1]
        server.faults.fail_next(403, method="DELETE", path_prefix=f"{PATH}/{second.id}")
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BulkDeleteProgress)
        summary = text(dialog.query_one("#bulk-summary", Static))
        assert summary.startswith("2 deleted, 1 failed.") and f"✗ {second.name}: " in summary
        assert "(HTTP 403)" in summary and not notifications(app)
        assert str(dialog.query_one("#bulk-close", Button).label) == "Close"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser
        assert (
            notifications(app)[-1].startswith("2 deleted, 1 failed")
            and "(u undoes)" in notifications(app)[-1]
        )
        assert app.browser.table.model.index_of(second.id) is not None
