"""Nothing lost, in the TUI: deletes go to the trash, `u` undoes them, the trash screen restores
and purges. Against the embedded server, with HEATMAP_TUI_DATA in tmp_path."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Static

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.trash import EntryState, Trash, delete_with_trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDialog
from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress
from heatmap_tui.ui.screens.trash_screen import TrashScreen
from heatmap_tui.ui.widgets.trash_table import COLUMN_INDEX, EMPTY, TrashTable
from tests.apps.browser_app import (
    NOW,
    BrowserApp,
    data_dir,
    notifications,
    server,
    store_snapshots,
)

SIZE = (120, 40)
PATH = "/api/v2/replay/heatmap/snapshots"
STATE, FROM = COLUMN_INDEX["State"], COLUMN_INDEX["From"]
NEW_ONES = "(new ids, you as author, today's date)"


async def settle(pilot: Pilot[Any]) -> None:
    """Until no worker runs: an undo's worker opens a dialog whose worker restores."""
    for _ in range(20):
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            await pilot.pause()
            if not any(w.is_running for w in pilot.app.workers):
                return
        await pilot.app.workers.wait_for_complete()
    raise AssertionError("the workers did not settle")


def twin(server: DevServer, gone: Snapshot) -> Snapshot:
    """The snapshot the server now holds in place of `gone`: same content, another id."""
    a = gone.attributes
    found = [
        s
        for s in store_snapshots(server, a.view_name, a.device_type)
        if s.attributes.event_id == a.event_id and s.attributes.snapshot_name == a.snapshot_name
        and s.attributes.start == a.start
    ]  # fmt: skip
    assert len(found) == 1, found
    return found[0]


def original(snapshot: Snapshot) -> str:
    """What a restore toast says of the snapshot as it was deleted."""
    a = snapshot.attributes
    assert a.created_by and a.created_at
    return f"originally by {a.created_by}, created {a.created_at:%Y-%m-%d}"


async def delete_marked(pilot: Pilot[Any], *keys: str) -> list[Snapshot]:
    app: BrowserApp = pilot.app  # type: ignore[assignment]
    await pilot.press(*keys)
    marked = app.browser.table.marked_snapshots
    await pilot.press("d")
    await settle(pilot)
    await pilot.click("#delete")
    await settle(pilot)
    assert app.screen is app.browser  # every one went: the progress closed by itself
    return marked


# --- undo ---------------------------------------------------------------------


async def test_bulk_delete_then_u_restores_all_with_new_ids(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        marked = await delete_marked(pilot, "space", "space", "j", "space", "space")
        assert len(marked) == 4 and table.model.total_count == 56
        assert all(server.store.get_snapshot(s.id) is None for s in marked)
        assert "Deleted 4 snapshots (u undoes)" in notifications(app)

        await pilot.press("u")
        await settle(pilot)
        assert app.screen is app.browser  # everything came back: the progress closed by itself
        assert notifications(app)[-1].startswith(
            f"Restored 4 snapshots as new ones {NEW_ONES}; originally by "
        )
        # The server has each again, under a new id; the trash recorded the mapping.
        entries = {e.id: e for e in Trash().entries()}
        for gone in marked:
            back = twin(server, gone)
            assert back.id != gone.id and server.store.get_snapshot(gone.id) is None
            assert entries[gone.id].state is EntryState.RESTORED and entries[gone.id].restored_as == back.id
            assert table.model.index_of(back.id) is not None  # the browser listed the view again
        assert table.model.total_count == 60
        # A second u has nothing left to bring back.
        await pilot.press("u")
        await settle(pilot)
        assert notifications(app)[-1] == "Nothing to undo: the snapshots deleted last were already restored."
        assert len(store_snapshots(server, "/home")) == 60


async def test_single_delete_then_undo(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        snapshot = table.cursor_snapshot
        assert snapshot is not None
        await pilot.press("d")
        await settle(pilot)
        assert "u undoes this delete" in str(app.screen.query_one("#confirm-warning", Static).render())
        await pilot.press("right", "enter")
        await settle(pilot)
        assert server.store.get_snapshot(snapshot.id) is None
        assert notifications(app)[-1] == f"Deleted snapshot {snapshot.name!r} (u undoes)"
        (entry,) = Trash().entries()
        assert (entry.id, entry.state, entry.profile) == (snapshot.id, EntryState.DELETED, "default")
        assert entry.site == server.url and entry.application_id == app.browser.application_id

        await pilot.press("u")
        await settle(pilot)
        back = twin(server, snapshot)
        assert notifications(app)[-1] == f"Restored {snapshot.name!r} as {back.id}; {original(snapshot)}"
        assert Trash().entries()[0].restored_as == back.id
        assert table.model.index_of(back.id) is not None and table.model.total_count == 60


async def test_u_undoes_only_what_this_session_deleted(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        conn = app.connection
        # A delete from elsewhere (the CLI, another TUI) through the same trash: not this one's.
        elsewhere = store_snapshots(server, "/cart")[:2]
        await delete_with_trash(conn.snapshots, elsewhere, Trash(), site=conn.site, profile=conn.profile)
        await pilot.press("u")
        await settle(pilot)
        assert notifications(app)[-1].startswith("Nothing to undo: nothing was deleted here.")
        assert all(server.store.get_snapshot(s.id) is None for s in elsewhere)

        mine = await delete_marked(pilot, "space", "space")
        batch = next(e.batch_id for e in Trash().entries() if e.id == mine[0].id)
        # The toast names the batch.
        assert any(n.title == f"Bulk delete · trash batch {batch}" for n in app._notifications)
        # Then another delete elsewhere, the last batch of the trash now: u still undoes this one.
        later = store_snapshots(server, "/cart")[:1]
        await delete_with_trash(conn.snapshots, later, Trash(), site=conn.site, profile=conn.profile)
        await pilot.press("u")
        await settle(pilot)
        assert notifications(app)[-1].startswith(f"Restored 2 snapshots as new ones {NEW_ONES}")
        assert all(twin(server, s).id != s.id for s in mine)
        assert all(server.store.get_snapshot(s.id) is None for s in elsewhere + later)
        states = {e.id: e.state for e in Trash().entries()}
        assert [states[s.id] for s in elsewhere + later] == [EntryState.DELETED] * 3


async def test_a_failed_restore_is_listed_plainly(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        marked = await delete_marked(pilot, "space", "space", "space")
        server.faults.fail_next(403, count=1, method="POST", path_prefix=PATH)
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RestoreProgress)
        summary = str(dialog.query_one("#restore-summary", Static).render())
        assert summary.startswith("2 restored, 0 skipped, 1 failed.")
        assert "(HTTP 403): Forbidden." in summary
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser
        assert notifications(app)[-1].startswith(f"Restored 2 snapshots as new ones {NEW_ONES}")
        assert notifications(app)[-1].endswith("; 1 failed")
        states = sorted(e.state.value for e in Trash().entries())
        assert states == ["deleted", "restored", "restored"]
        # A second u retries only the one left.
        await pilot.press("u")
        await settle(pilot)
        assert notifications(app)[-1].startswith("Restored ") and " as " in notifications(app)[-1]
        assert all(twin(server, s) for s in marked)


async def test_a_restore_that_cannot_lock_its_batch_says_so_and_creates_nothing(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        marked = await delete_marked(pilot, "space", "space")
        locks = Trash().locks_dir
        locks.parent.mkdir(parents=True, exist_ok=True)
        locks.write_text("a file where the lock files should go")
        server.reset_stats()
        await pilot.press("u")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RestoreProgress)
        summary = str(dialog.query_one("#restore-summary", Static).render())
        assert summary.startswith("0 restored, 2 skipped, 0 failed.") and "cannot lock batch" in summary
        assert server.count(method="POST") == 0 and all(
            server.store.get_snapshot(s.id) is None for s in marked
        )


# --- the trash screen -----------------------------------------------------------


def table_text(table: TrashTable) -> str:
    """The lines the table draws, as text."""
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


def rows(app: BrowserApp) -> list[list[str]]:
    table = app.screen.query_one("#trash-table", TrashTable)
    return [list(table.cells(i)) for i in range(table.row_count)]


async def test_trash_screen_lists_newest_first_then_restores_marked(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TrashScreen)
        table = app.screen.query_one("#trash-table", TrashTable)
        assert table.row_count == 0 and table.empty_message == EMPTY and EMPTY in table_text(table)
        await pilot.press("escape")
        await settle(pilot)
        first = await delete_marked(pilot, "space", "space")
        second = await delete_marked(pilot, "space")

        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrashScreen)
        assert [e.id for e in screen.entries][:1] == [second[0].id]  # newest first
        assert {e.id for e in screen.entries} == {s.id for s in first + second}
        assert all(row[STATE] == "deleted" and row[FROM] == f"default@{server.url}" for row in rows(app))
        # Mark the two of the first batch (rows 1 and 2), restore them.
        await pilot.press("j", "space", "space")
        assert screen.marked == {1, 2}
        await pilot.press("r")
        await settle(pilot)
        assert notifications(app)[-1].startswith(f"Restored 2 snapshots as new ones {NEW_ONES}")
        assert [row[STATE] for row in rows(app)] == ["deleted", "restored", "restored"]
        for gone in first:
            assert twin(server, gone).id != gone.id
        assert server.store.get_snapshot(second[0].id) is None
        # Back in the browser, the view is listed again.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser
        assert all(app.browser.table.model.index_of(twin(server, s).id) is not None for s in first)


async def test_trash_screen_purges_with_a_confirmation_focused_on_cancel(server: DevServer) -> None:
    old_clock = Trash(clock=lambda: NOW - timedelta(days=45))
    app = BrowserApp(server, trash=Trash(clock=lambda: NOW))  # the screen's clock too
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        conn = app.connection
        old = store_snapshots(server, "/cart")[:2]
        await delete_with_trash(conn.snapshots, old, old_clock, site=conn.site, profile="default")
        recent = await delete_marked(pilot, "space", "space")
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrashScreen) and len(screen.entries) == 4
        # p on the cursor row (the newest): the dialog names it, with the focus on Cancel.
        target = screen.entries[0]
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.question == "Forget 1 snapshot for good?"
        assert app.focused is dialog.query_one("#cancel", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert len(Trash().entries()) == 4
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert notifications(app)[-1] == "Purged 1 snapshot from the trash."
        assert target.id not in {e.id for e in Trash().entries()} and len(screen.entries) == 3
        # P: what was deleted more than 30 days ago (by the screen's clock), after asking.
        await pilot.press("P")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.question == "Forget these 2 snapshots (deleted more than 30 days ago) for good?"
        await pilot.click("#delete")
        await settle(pilot)
        assert [e.id for e in Trash().entries()] == [s.id for s in recent if s.id != target.id]
        assert notifications(app)[-1] == "Purged 2 snapshots from the trash."


async def test_read_only_hides_undo_cleanup_and_the_trash_writes(server: DevServer) -> None:
    app = BrowserApp(server, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.browser
        actions = {b.binding.action for b in browser.active_bindings.values() if b.enabled}
        assert not actions & {"undo", "cleanup", "delete"}
        assert "trash" in actions
        await pilot.press("u", "c")
        await settle(pilot)
        assert app.screen is browser and not notifications(app)
        conn = app.connection
        await delete_with_trash(conn.snapshots, store_snapshots(server, "/cart")[:1], Trash(), site=conn.site,
                                profile="default")  # fmt: skip
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrashScreen) and len(screen.entries) == 1
        actions = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert not actions & {"restore", "purge", "purge_old", "mark"}
        await pilot.press("r", "p")
        await settle(pilot)
        assert app.screen is screen and Trash().entries()[0].state is EntryState.DELETED


# --- snapshot ---------------------------------------------------------------------


def test_snapshot_trash_screen(server: DevServer, data_dir: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    path = data_dir / "trash.jsonl"
    home = sorted(store_snapshots(server, "/home"), key=lambda s: s.id)
    for days, site, profile, snapshots in (
        (40, "US5", "work", home[0:2]),
        (3, "demo", "default", home[2:5]),
        (0.02, "demo", "default", home[5:6]),
    ):
        trash = Trash(path, clock=lambda days=days: NOW - timedelta(days=days))
        for s in snapshots:
            trash.record(s, site=site, profile=profile, batch_id=f"batch-{days}")
            trash.confirm(s.id, f"batch-{days}")
    Trash(path, clock=lambda: NOW).record(home[6], site="demo", profile="default", batch_id="cut-short")
    restored = {"v": 1, "kind": "restored", "at": "2026-04-29T09:00:00Z", "batch_id": "batch-3", "id": home[3].id,
                "new_id": "0a1b2c3d-0000-4000-8000-000000000000"}  # fmt: skip
    with path.open("a") as f:
        f.write(json.dumps(restored) + "\n")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("j", "space", "space")

    assert snap_compare(BrowserApp(server, trash=Trash(path)), terminal_size=SIZE, run_before=run_before)
