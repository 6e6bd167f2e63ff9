"""Clean-up in the TUI: rules, a live preview that is exactly `plan_cleanup`, and a delete of
exactly the previewed set: the preview's Delete button is the one confirmation, then bulk
progress and trash. Embedded server; HEATMAP_TUI_DATA in tmp_path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from heatmap_tui.core.cleanup import CleanupRules, plan_cleanup
from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.cleanup_dialog import NO_RULE, CleanupDialog
from tests.apps.browser_app import (
    NOW,
    BrowserApp,
    data_dir,
    notifications,
    server,
    settle,
    steady_cursors,
    store_snapshots,
)

SIZE = (120, 40)


async def open_cleanup(pilot: Pilot[Any]) -> CleanupDialog:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, CleanupDialog)
    return dialog


def preview_ids(dialog: CleanupDialog) -> list[str]:
    table = dialog.query_one("#cleanup-preview", DataTable)
    return [str(key.value) for key in table.rows]


def text_of(dialog: CleanupDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Label | Static).render())


async def test_preview_is_plan_cleanup_and_delete_removes_exactly_it(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cleanup(pilot)
        loaded = app.browser.table.model.snapshots
        assert len(loaded) == 60
        assert "Looks at the 60 snapshots loaded for view /home · any device" in text_of(
            dialog, "#cleanup-scope"
        )
        assert text_of(dialog, "#cleanup-count") == NO_RULE
        assert dialog.query_one("#cleanup-delete", Button).disabled
        assert app.focused is dialog.query_one("#cleanup-age", Input)

        await pilot.press(*"90d")
        await settle(pilot)
        plan = plan_cleanup(loaded, CleanupRules(older_than=timedelta(days=90)), now=NOW)
        assert 0 < len(plan) < 60
        assert preview_ids(dialog) == [s.id for s in plan.snapshots]
        table = dialog.query_one("#cleanup-preview", DataTable)
        reasons = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert reasons == ["\n".join(s.reasons) for s in plan.selected]
        assert (
            text_of(dialog, "#cleanup-count")
            == f"{len(plan)} of 60 snapshots would go: not modified for 90d."
        )
        # Rules combine with AND: the preview follows each change.
        dialog.query_one("#cleanup-duplicates", Checkbox).value = True
        await settle(pilot)
        both = plan_cleanup(loaded, CleanupRules(older_than=timedelta(days=90), duplicates=True), now=NOW)
        assert preview_ids(dialog) == [s.id for s in both.snapshots]
        dialog.query_one("#cleanup-duplicates", Checkbox).value = False
        await settle(pilot)
        delete = dialog.query_one("#cleanup-delete", Button)
        assert (
            str(delete.label) == f"Delete {len(plan)} snapshots (copies to the trash)" and not delete.disabled
        )

        # The button is the confirmation: no second dialog, and the progress closes by itself.
        await pilot.click("#cleanup-delete")
        await settle(pilot)
        assert app.screen is app.browser
        gone = {s.id for s in plan.snapshots}
        left = {s.id for s in store_snapshots(server, "/home")}
        assert left == {s.id for s in loaded} - gone  # exactly the previewed set, nothing else
        assert {e.id for e in Trash().entries()} == gone
        assert app.browser.table.model.total_count == 60 - len(gone)
        assert notifications(app) == [f"Deleted {len(gone)} snapshots (u undoes)"]


async def test_author_and_device_rules(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cleanup(pilot)
        loaded = app.browser.table.model.snapshots
        dialog.query_one("#cleanup-author", Input).value = "Alan.Turing@shop.example"
        dialog.query_one("#cleanup-device", Select).value = "tablet"
        await settle(pilot)
        plan = plan_cleanup(loaded, CleanupRules(author="alan.turing@shop.example", device="tablet"), now=NOW)
        assert len(plan) > 0
        assert preview_ids(dialog) == [s.id for s in plan.snapshots]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser and len(store_snapshots(server, "/home")) == 60
        assert server.count("DELETE") == 0


async def test_an_unreadable_age_is_marked_inline_and_selects_nothing(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_cleanup(pilot)
        dialog.query_one("#cleanup-duplicates", Checkbox).value = True  # a rule that alone selects some
        await pilot.press(*"ninety")
        await settle(pilot)
        age = dialog.query_one("#cleanup-age", Input)
        assert age.has_class("-invalid")
        assert "'ninety' is not an age: use a number and a unit, e.g. 90d" in text_of(
            dialog, "#cleanup-age-error"
        )
        assert text_of(dialog, "#cleanup-count") == "Fix the age above to see what would go."
        assert preview_ids(dialog) == [] and dialog.query_one("#cleanup-delete", Button).disabled
        age.value = "12w"
        dialog.query_one("#cleanup-duplicates", Checkbox).value = False
        await settle(pilot)
        assert not age.has_class("-invalid") and text_of(dialog, "#cleanup-age-error") == ""
        assert text_of(dialog, "#cleanup-count").endswith("snapshots would go: not modified for 12w.")
        assert preview_ids(dialog)


async def test_all_views_mode_cleans_up_over_every_loaded_view(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        dialog = await open_cleanup(pilot)
        loaded = app.browser.table.model.snapshots
        assert len({s.view_name for s in loaded}) > 1
        views = len(app.browser.views)
        scope = text_of(dialog, "#cleanup-scope")
        assert (
            f"Looks at the {len(loaded)} snapshots loaded for all {views} known views · any device." in scope
        )
        dialog.query_one("#cleanup-duplicates", Checkbox).value = True
        await settle(pilot)
        plan = plan_cleanup(loaded, CleanupRules(duplicates=True), now=NOW)
        assert preview_ids(dialog) == [s.id for s in plan.snapshots]
        assert len({s.view_name for s in plan.snapshots}) > 1


# --- snapshot ---------------------------------------------------------------------


def test_snapshot_cleanup_dialog_with_a_preview(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_cleanup(pilot)
        await pilot.press(*"14d")
        pilot.app.screen.query_one("#cleanup-author", Input).value = "alan.turing@shop.example"
        await settle(pilot)
        steady_cursors(pilot)

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)


def test_snapshot_cleanup_dialog_with_an_unreadable_age(server: DevServer, snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_cleanup(pilot)
        await pilot.press(*"3 months")
        await settle(pilot)
        steady_cursors(pilot)

    assert snap_compare(BrowserApp(server), terminal_size=SIZE, run_before=run_before)
