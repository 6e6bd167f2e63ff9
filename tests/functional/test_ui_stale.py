"""Stale in the TUI, under Pilot against the seeded dev server: the Stale column's badges (looked
up in the background with core/stale_lookup and core/stale), the stale filter (S) with the row
filter, the reasons and evidence in the detail pane and the full-screen view, the clean-up
dialog's stale rule, and the look-ups started again when the view changes."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import DataTable, Select, Static

from heatmap_tui.core.cleanup import CleanupRules, plan_cleanup
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.seed_data import LEGACY_VIEWS
from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog
from heatmap_tui.ui.screens.snapshot_detail import SnapshotDetailScreen
from heatmap_tui.ui.screens.stale_marker import GROUP
from heatmap_tui.ui.widgets.stale_marks import UNKNOWN
from tests.apps.browser_app import BrowserApp, data_dir, server, settle, store_snapshots

SIZE = (120, 40)


def badges(app: BrowserApp) -> dict[str, str]:
    """Each shown row's Stale cell, as drawn."""
    model = app.browser.table.model
    return {row.id: model.cells(row)[-1] for row in model.shown}


def evidence(app: BrowserApp) -> dict[str, dict[str, str]]:
    return app.browser.table.model.stale.known


def status_text(app: BrowserApp) -> str:
    return app.browser.status.render_status().plain


def rendered(widget: Static) -> str:
    """What the pane shows, the part in view and the rest, a line each."""
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, *widget.size)))


async def test_the_inactive_applications_snapshots_are_orphaned(server: DevServer) -> None:
    views = [v.name for v in LEGACY_VIEWS]
    app = BrowserApp(server, app_name="Legacy Portal", views=views, initial_view=views[1])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = badges(app)
        assert shown and all(cell.startswith("orph") for cell in shown.values())
        for found in evidence(app).values():
            assert found["orphaned"].startswith("last view event on ")


async def test_badges_fill_in_with_outdated_frames_and_sort_by_stale(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        known = evidence(app)
        assert set(known) == {s.id for s in store_snapshots(server, "/home")}
        outdated = {s_id: e["outdated"] for s_id, e in known.items() if "outdated" in e}
        assert outdated and all(text.startswith("frame from 2.") for text in outdated.values())
        assert any(not e for e in known.values())  # some are not stale at all
        for s_id, cell in badges(app).items():
            assert UNKNOWN not in cell
            assert ("outd" in cell.split()) == (s_id in outdated)
        assert "checking stale…" not in status_text(app)
        await pilot.press("0")  # the tenth column's sort key
        model = app.browser.table.model
        assert model.sort_column == "stale"
        order = [bool(known[r.id]) for r in model.shown]
        assert order == sorted(order)  # the rows not stale first


async def test_the_stale_filter_cycles_and_composes_with_the_row_filter(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        model, known = app.browser.table.model, evidence(app)
        await pilot.press("S")
        assert {r.id for r in model.shown} == {s_id for s_id, e in known.items() if e}
        assert "only stale rows (S)" in status_text(app)
        await pilot.press("S")  # orphaned: none on this busy view
        assert model.shown_count == 0 and "only orphaned rows" in status_text(app)
        await pilot.press("S")
        outdated = {s_id for s_id, e in known.items() if "outdated" in e}
        assert {r.id for r in model.shown} == outdated
        await pilot.press("slash", *"mobile", "enter")
        await settle(pilot)
        mobile = {
            s.id for s in store_snapshots(server, "/home") if "mobile" in s.attributes.snapshot_name.lower()
        }
        mobile |= {s.id for s in store_snapshots(server, "/home", "mobile")}
        assert {r.id for r in model.shown} == outdated & mobile and model.shown_count
        assert "only outdated rows" in status_text(app)
        for _ in ("expired", "duplicate", "old", "all"):
            await pilot.press("S")
        assert "only" not in status_text(app)
        assert {r.id for r in model.shown} == mobile


async def test_the_detail_pane_and_view_show_the_reasons_and_evidence(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S", "S", "S")  # outdated rows only: the cursor is on one
        snapshot = app.browser.table.cursor_snapshot
        assert snapshot is not None
        found = evidence(app)[snapshot.id]
        pane = rendered(app.browser.detail.query_one("#detail-body", Static))
        assert "Stale" in pane and ", ".join(found) in pane
        assert found["outdated"] in pane
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SnapshotDetailScreen)
        full = rendered(app.screen.query_one("#detail-body", Static))
        for reason, text in found.items():
            assert reason in full and text in full


async def test_the_cleanup_dialog_selects_by_a_stale_reason_with_its_evidence(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        known = evidence(app)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CleanupDialog)
        dialog.query_one("#cleanup-stale", Select).value = "outdated"
        await settle(pilot)
        table = dialog.query_one("#cleanup-preview", DataTable)
        outdated = {s_id for s_id, e in known.items() if "outdated" in e}
        assert {str(key.value) for key in table.rows} == outdated
        first = next(iter(outdated))
        why = str(table.get_row(first)[-1])
        assert why == f"outdated: {known[first]['outdated']}"
        dialog.query_one("#cleanup-duplicates").value = True  # type: ignore[attr-defined]
        await settle(pilot)
        duplicates = plan_cleanup(app.browser.table.model.snapshots, CleanupRules(duplicates=True))
        both = outdated & {s.id for s in duplicates.snapshots}
        assert both and both != outdated
        assert {str(key.value) for key in table.rows} == both


async def test_changing_the_view_cancels_and_restarts_the_look_ups(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = set(evidence(app))
        before = server.count("POST", "/api/v2/rum/events/search")
        app.browser.apply_view("/checkout")
        assert not [w for w in app.workers if w.group == GROUP and w.is_running]
        await settle(pilot)
        checkout = {s.id for s in store_snapshots(server, "/checkout")}
        assert set(evidence(app)) == checkout and not home & checkout
        assert all(UNKNOWN not in cell for cell in badges(app).values())
        assert server.count("POST", "/api/v2/rum/events/search") > before
