"""Deleting from the browser: the confirmation, marks, bulk progress (which closes by itself when
every snapshot went) and its summary of failures; two snapshots.

Every delete goes through the trash: HEATMAP_TUI_DATA points into tmp_path for each test here.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Button, Static

from heatmap_tui.core.trash import EntryState, Trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDelete
from tests.apps.browser_app import BrowserApp, data_dir, notifications, server, settle

SIZE = (120, 40)
PATH = "/api/v2/replay/heatmap/snapshots"


def summary_of(app: BrowserApp) -> str:
    assert isinstance(app.screen, BulkDeleteProgress), app.screen
    return str(app.screen.query_one("#bulk-summary", Static).render())


async def test_single_delete_asks_with_focus_on_cancel_then_deletes(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        snapshot = table.cursor_snapshot
        assert snapshot is not None
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDelete)
        assert dialog.snapshots == [snapshot]
        assert dialog.question == f"Delete snapshot {snapshot.name!r}?"
        assert app.focused is dialog.query_one("#cancel", Button)
        # Enter on the focused Cancel keeps it.
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.browser
        assert server.count("DELETE") == 0
        assert server.store.get_snapshot(snapshot.id) is not None
        assert table.model.total_count == 60
        # Over to Delete, then enter: gone from the server, then from the table.
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert app.screen is app.browser
        assert server.store.get_snapshot(snapshot.id) is None
        assert table.model.index_of(snapshot.id) is None and table.model.total_count == 59
        assert f"Deleted snapshot {snapshot.name!r} (u undoes)" in notifications(app)
        assert app.browser.detail.snapshot == table.cursor_snapshot
        # One deleted elsewhere meanwhile: the 404 just takes it out of the table.
        gone = table.cursor_snapshot
        assert gone is not None
        server.store.delete_snapshot(gone.id)
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)
        assert table.model.index_of(gone.id) is None
        assert "already deleted elsewhere" in notifications(app)[-1]


async def test_marks_then_bulk_delete_with_progress_closing_by_itself(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        await pilot.press("space", "j", "space", "space")  # marks rows 0, 2, 3
        marked = table.marked_snapshots
        assert [table.model.index_of(s.id) for s in marked] == [0, 2, 3]
        assert "3 marked" in app.browser.status.render_status().plain
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDelete)
        assert dialog.question == "Delete these 3 snapshots?"
        assert dialog.snapshots == marked
        assert app.focused is dialog.query_one("#cancel", Button)
        await pilot.click("#delete")
        await settle(pilot)
        # Every one went: the progress closed by itself, and the toast says how many.
        assert app.screen is app.browser
        assert notifications(app)[-1] == "Deleted 3 snapshots (u undoes)"
        # Each one was copied to the trash (the default one, in the data dir), in one batch.
        entries = Trash().entries()
        assert sorted(e.id for e in entries) == sorted(s.id for s in marked)
        assert {e.state for e in entries} == {EntryState.DELETED} and len({e.batch_id for e in entries}) == 1
        assert table.model.total_count == 57 and table.marked_ids == frozenset()
        assert all(server.store.get_snapshot(s.id) is None for s in marked)


async def test_bulk_failures_are_listed_with_reasons_and_their_rows_stay(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        await pilot.press("slash", *"tablet", "enter")
        await pilot.press("A")
        marked = table.marked_snapshots
        assert len(marked) == table.model.shown_count > 3
        server.faults.fail_next(403, count=1, method="DELETE")
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)
        summary = summary_of(app)
        assert summary.startswith(f"{len(marked) - 1} deleted, 1 failed.")
        assert (
            "The API key or application key was rejected, or lacks the permission (HTTP 403): Forbidden."
            in summary
        )
        await pilot.press("escape")
        await settle(pilot)
        survivors = [s for s in marked if server.store.get_snapshot(s.id) is not None]
        assert len(survivors) == 1
        assert [row.id for row in table.model.shown] == [survivors[0].id]


async def test_rate_limited_bulk_delete_is_retried_until_all_are_gone(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        await pilot.press("space", "space", "space", "space", "space")
        # Two 429s: whichever deletes they hit, none can use up its 3 tries.
        server.faults.fail_next(429, count=2, method="DELETE")
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)
        assert app.screen is app.browser and notifications(app)[-1] == "Deleted 5 snapshots (u undoes)"
        assert server.count("DELETE", PATH, status=429) == 2
        assert table.model.total_count == 55


async def test_escape_clears_marks_and_a_filter_change_does_too(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser, table = app.browser, app.browser.table
        await pilot.press("ctrl+a")
        assert len(table.marked_ids) == 60
        await pilot.press("escape")
        assert table.marked_ids == frozenset()
        assert app.screen is browser  # escape cleared the marks instead of going back
        await pilot.press("space")
        await pilot.press("a")  # all-views mode lists other rows: the marks go, and it says so
        await settle(pilot)
        assert table.marked_ids == frozenset()
        assert "1 mark cleared: the list changed." in notifications(app)


async def test_marks_hidden_by_the_row_filter_stay_and_are_called_out_before_a_delete(
    server: DevServer,
) -> None:
    """Issue 15, bug 6: nothing invisible is deleted unseen."""
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser, table = app.browser, app.browser.table
        first = table.cursor_snapshot
        assert first is not None
        await pilot.press("space", "space")  # the first two rows
        marked = set(table.marked_ids)
        await pilot.press("slash")
        await settle(pilot)
        browser.filter_bar.show_search(first.name)  # a filter that shows the first, not both
        await pilot.press("enter")
        await settle(pilot)
        assert set(table.marked_ids) == marked
        hidden = table.model.marked_hidden_ids
        assert len(hidden) == 1 and first.id not in hidden
        assert "2 marked, 1 hidden by the filter" in browser.status.render_status().plain
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDelete)
        assert {s.id for s in dialog.snapshots} == marked
        question = str(dialog.query_one("#confirm-question", Static).render())
        assert "Delete these 2 snapshots? 1 of them is hidden by the filter." in question
        called_out = [str(cell) for cell in dialog.items.columns[0]._cells]  # type: ignore[attr-defined]
        assert sorted(called_out) == ["", "hidden"]  # one row each, the hidden one said so
        await pilot.press("escape")
        await settle(pilot)
        assert set(table.marked_ids) == marked and server.count("DELETE") == 0


# --- snapshots ---------------------------------------------------------------


def test_snapshot_delete_confirm(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)


def test_snapshot_bulk_delete_confirm(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("space", "space", "j", "space", "space", "space", "space")
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)


def test_snapshot_bulk_delete_summary(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("space", "space", "space", "space")
        # One named snapshot fails, whatever order the concurrent deletes arrive in.
        second = pilot.app.browser.table.marked_snapshots[1]  # type: ignore[attr-defined]
        server.faults.fail_next(403, method="DELETE", path_prefix=f"{PATH}/{second.id}")
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)
