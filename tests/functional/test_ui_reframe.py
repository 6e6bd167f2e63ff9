"""Re-frame from the browser (F): the preview of old → new frame (and those with no better frame,
and why), applying it with the rows updated in place, u putting the old frames back, marked rows,
and read-only hiding it. Against the frozen seeded dev server (Shop Web, now 2026-05-01): /cart
and /checkout hold snapshots on frames from 2.4.0 while the views run 2.5.0; no tablet replay
of /checkout on 2.5.0 is kept, so its tablet snapshots have no better frame.

Every re-frame is journaled in the trash: HEATMAP_TUI_DATA points into tmp_path (data_dir)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Button

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.trash import EntryState, Trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.reframe_dialog import ReframePreview
from tests.apps.browser_app import (
    BrowserApp,
    data_dir,
    notifications,
    server,
    settle,
    store_snapshots,
)

SIZE = (140, 40)
Frame = tuple[str, int, str | None, str | None]


def frame_of(snapshot: Snapshot) -> Frame:
    a = snapshot.attributes
    return (a.event_id, a.start, a.session_id, a.view_id)


def one_named(server: DevServer, view: str, name: str, version: str | None = None) -> Snapshot:
    """The snapshot of `view` called `name` (whose frame's event runs `version`, when given)."""
    versions = {e.id: e.version for e in server.store.events}
    (found,) = [
        s
        for s in store_snapshots(server, view)
        if s.name == name and (version is None or versions.get(s.attributes.event_id) == version)
    ]
    return found


def preview_of(app: BrowserApp) -> tuple[ReframePreview, str]:
    """The preview on top, and its list as plain text."""
    dialog = app.screen
    assert isinstance(dialog, ReframePreview), dialog
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(dialog.items)
    return dialog, console.export_text()


async def put_cursor_on(app: BrowserApp, *snapshots: Snapshot, mark: bool = False) -> None:
    table = app.browser.table
    for snapshot in snapshots:
        index = table.model.index_of(snapshot.id)
        assert index is not None
        table.move_cursor(index)
        if mark:
            table.toggle_mark()


async def test_preview_shows_old_to_new_confirm_updates_the_row_and_u_puts_the_old_frame_back(
    server: DevServer,
) -> None:
    snapshot = one_named(server, "/cart", "Cart desktop - after redesign")
    before = frame_of(snapshot)
    app = BrowserApp(server, initial_view="/cart")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await put_cursor_on(app, snapshot)
        await pilot.press("F")
        await settle(pilot)
        dialog, text = preview_of(app)
        assert [p.snapshot.id for p in dialog.plans] == [snapshot.id]
        assert "2.4.0 2026-04-03 → 2.5.0 2026-04-30" in text
        assert "outdated: frame from 2.4.0, view on 2.5.0 since " in text
        assert app.focused is dialog.query_one("#cancel", Button)
        assert server.count("PATCH") == 0
        await pilot.press("right", "enter")  # over to Re-frame 1
        await settle(pilot)
        assert app.screen is app.browser

        (plan,) = dialog.plans
        assert plan.new is not None
        now = server.store.get_snapshot(snapshot.id)
        assert now is not None and now.name == snapshot.name
        assert now.attributes.event_id == plan.new.event_id and frame_of(now) != before
        row = app.browser.table.model.snapshots[app.browser.table.model.index_of(snapshot.id) or 0]
        assert row.id == snapshot.id and frame_of(row) == frame_of(now)  # the row, updated in place
        assert "Re-framed 1 snapshot (u undoes)" in notifications(app)
        (entry,) = Trash().entries()
        assert entry.state is EntryState.REFRAMED and entry.id == snapshot.id

        await pilot.press("u")
        await settle(pilot)
        await settle(pilot)
        back = server.store.get_snapshot(snapshot.id)
        assert back is not None and frame_of(back) == before
        assert notifications(app)[-1] == f"Put the old frame back on {snapshot.name!r}"
        assert {e.state for e in Trash().entries()} == {EntryState.RESTORED}


async def test_marked_rows_list_the_one_with_no_better_frame_and_only_the_others_change(
    server: DevServer,
) -> None:
    mobile = one_named(server, "/checkout", "Checkout mobile - baseline")
    tablet = one_named(server, "/checkout", "Checkout tablet - baseline")
    app = BrowserApp(server, initial_view="/checkout")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await put_cursor_on(app, mobile, tablet, mark=True)
        await pilot.press("F")
        await settle(pilot)
        dialog, text = preview_of(app)
        assert {p.snapshot.id for p in dialog.plans} == {mobile.id, tablet.id}
        assert "2.4.0 2026-04-03 → 2.5.0 2026-04-29" in text
        assert "no better frame: no replay of this view and device on its current version" in text
        assert "1 has no better frame." in dialog.question
        assert str(dialog.query_one("#delete", Button).label) == "Re-frame 1"
        await pilot.click("#delete")
        await settle(pilot)
        assert frame_of(server.store.get_snapshot(tablet.id) or tablet) == frame_of(tablet)
        assert frame_of(server.store.get_snapshot(mobile.id) or mobile) != frame_of(mobile)
        assert "Re-framed 1 snapshot (u undoes)" in notifications(app)


async def test_a_row_with_no_better_frame_only_is_listed_and_cannot_be_confirmed(server: DevServer) -> None:
    tablet = one_named(server, "/checkout", "Checkout tablet - dark mode")
    app = BrowserApp(server, initial_view="/checkout")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await put_cursor_on(app, tablet)
        await pilot.press("F")
        await settle(pilot)
        dialog, text = preview_of(app)
        assert "2.4.0 2026-04-10 → no better frame: no replay of this view and device" in text
        assert dialog.question.startswith("No snapshot here can get a better frame.")
        assert dialog.query_one("#delete", Button).disabled
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser and server.count("PATCH") == 0


async def test_a_snapshot_on_the_current_version_has_nothing_to_re_frame(server: DevServer) -> None:
    frame = next(  # the newest desktop replay of /cart on 2.5.0 (events are kept newest first)
        e
        for e in server.store.events
        if e.view_name == "/cart" and e.device_type == "desktop" and e.version == "2.5.0" and e.has_replay
    )
    current = server.store.new_snapshot(
        application_id=frame.application_id, view_name="/cart", snapshot_name="on 2.5.0",
        event_id=frame.id, start=frame.date - frame.session_start, session_id=frame.session_id,
        view_id=frame.view_id,
    )  # fmt: skip
    app = BrowserApp(server, initial_view="/cart")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await put_cursor_on(app, current)
        await pilot.press("F")
        await settle(pilot)
        assert app.screen is app.browser
        assert notifications(app)[-1] == "Nothing to re-frame: the snapshot is neither outdated nor expired."


async def test_read_only_hides_re_frame(server: DevServer) -> None:
    app = BrowserApp(server, initial_view="/cart", read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.browser
        actions = {b.binding.action for b in browser.active_bindings.values() if b.enabled}
        assert "reframe" not in actions
        await pilot.press("F")
        await settle(pilot)
        assert app.screen is browser and server.count("PATCH") == 0
        browser.read_only = False
        await pilot.pause()
        assert "reframe" in {b.binding.action for b in browser.active_bindings.values() if b.enabled}
