"""SnapshotTable: formatting helpers, the pure TableModel, the widget under Pilot, one snapshot."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from textual import events
from textual.pilot import Pilot

from heatmap_tui.ui.format import fit_cells, format_start
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.table_model import COLUMN_KEYS, NAME_MAX, TableModel, compute_layout
from tests.apps.table_app import NOW, TableApp, make_snapshot, make_snapshots

# --- format (the time formatters are tested with core/timefmt.py: tests/unit/test_timefmt.py) ---


def test_fit_cells_pads_cuts_and_counts_wide_characters() -> None:
    assert fit_cells("abc", 5) == "abc  "
    assert fit_cells("abc", 5, right=True) == "  abc"
    assert fit_cells("abcdef", 4) == "abc…"
    assert fit_cells("日本語", 5) == "日本…"  # two cells each


# --- model ------------------------------------------------------------------


def loaded(count: int = 60) -> TableModel:
    model = TableModel()
    model.load(make_snapshots(count), now=NOW)
    return model


def shown_ids(model: TableModel) -> list[str]:
    return [row.id for row in model.shown]


def test_rows_keep_no_models_and_give_the_same_snapshots_back() -> None:
    snapshots = make_snapshots(50)
    model = TableModel()
    model.load(snapshots, now=NOW)
    assert all(type(r.values) is tuple for r in model.shown)  # ~200 bytes, not a 2 KB model
    assert model.snapshots == snapshots
    model.set_cursor(7)
    assert model.cursor_snapshot == snapshots[7]
    # What a row shows, and what the filter searches, are the formatted cells.
    row = model.shown[7]
    cells = model.cells(row)
    assert cells[0] == snapshots[7].name and cells[3] == format_start(snapshots[7].attributes.start)
    assert row.haystack.split("\n") == [c.casefold() for c in cells[:-1]]  # not the stale badge


@pytest.mark.parametrize("column", [None, "name", "start", "modified"])
def test_incremental_filter_equals_full_filter(column: str | None) -> None:
    typed = loaded(300)
    if column:
        typed.sort_by(column)
    for text in ["c", "ca", "car", "cart", "cart ", "cart m", "cart mo", "cart mob", "cart mob 1"]:
        typed.set_filter(text)
        fresh = loaded(300)
        if column:
            fresh.sort_by(column)
        fresh.set_filter(text)
        assert shown_ids(typed) == shown_ids(fresh), text
    assert typed.shown_count and typed.shown_count < typed.total_count


def test_filter_is_case_insensitive_and_words_are_anded() -> None:
    model = loaded()
    model.set_filter("CART Mobile")
    assert model.shown_count > 0
    assert all(r.snapshot.view_name == "/cart" and r.snapshot.device_type == "mobile" for r in model.shown)
    model.set_filter("")
    assert model.shown_count == model.total_count == 60


def test_deleting_filter_text_runs_a_full_filter() -> None:
    model = loaded()
    model.set_filter("cart zz")
    assert model.shown_count == 0
    model.set_filter("cart")
    assert model.shown_count == 10


def test_sort_by_start_is_numeric_and_flips() -> None:
    model = loaded()
    model.sort_by("start")
    starts = [r.snapshot.attributes.start for r in model.shown]
    assert starts == sorted(starts)
    model.sort_by("start")
    assert model.sort_reverse
    assert [r.snapshot.attributes.start for r in model.shown] == sorted(starts, reverse=True)


def test_sort_by_modified_uses_datetimes() -> None:
    model = loaded()
    model.sort_by("modified")
    stamps = [r.snapshot.attributes.modified_at for r in model.shown]
    assert stamps == sorted(stamps)  # type: ignore[type-var]


def test_sort_is_stable_in_both_directions() -> None:
    model = loaded()
    load_order = {s.id: i for i, s in enumerate(make_snapshots(60))}
    for _ in range(2):  # ascending, then flipped
        model.sort_by("device")
        rows = list(model.shown)
        for a, b in itertools.pairwise(rows):
            if a.snapshot.device_type == b.snapshot.device_type:
                assert load_order[a.id] < load_order[b.id]


def test_sort_is_casefolded() -> None:
    model = TableModel()
    model.load([make_snapshot(1, snapshot_name="beta"), make_snapshot(2, snapshot_name="Alpha")], now=NOW)
    model.sort_by("name")
    assert [r.snapshot.name for r in model.shown] == ["Alpha", "beta"]


def test_filter_keeps_the_sort_and_sort_keeps_the_filter() -> None:
    a, b = loaded(), loaded()
    a.sort_by("author")
    a.set_filter("mobile")
    b.set_filter("mobile")
    b.sort_by("author")
    assert shown_ids(a) == shown_ids(b)
    assert all(r.snapshot.device_type == "mobile" for r in a.shown)


def test_every_column_sorts() -> None:
    model = loaded()
    for key in COLUMN_KEYS:
        model.sort_by(key)
        assert model.shown_count == 60
    with pytest.raises(KeyError):
        model.sort_by("mark")


def test_marks_stay_when_the_filter_changes_and_those_it_hides_are_counted() -> None:
    """Issue 15, bug 6: marks vanished silently when the filter changed."""
    model = loaded()
    model.toggle_mark(model.shown[0].id)
    model.mark_all_shown()
    assert len(model.marked_ids) == 60 and model.marked_hidden_ids == frozenset()
    model.set_filter("cart")
    shown = {r.id for r in model.shown}
    assert 0 < len(shown) < 60
    assert len(model.marked_ids) == 60
    assert model.marked_hidden_ids == model.marked_ids - shown
    model.set_filter("")
    assert len(model.marked_ids) == 60 and model.marked_hidden_ids == frozenset()


def test_toggle_mark_and_marked_snapshots_follow_the_shown_order() -> None:
    model = loaded()
    model.sort_by("start")
    first, third = model.shown[0].id, model.shown[2].id
    model.toggle_mark(third)
    model.toggle_mark(first)
    assert [s.id for s in model.marked_snapshots] == [first, third]
    assert model.toggle_mark(first) is False
    assert model.marked_ids == {third}


def test_replace_add_remove() -> None:
    model = loaded(10)
    model.sort_by("start")
    model.sort_by("start")  # latest first
    model.replace(make_snapshot(3, start=9_999_999, snapshot_name="renamed"))
    assert model.shown[0].snapshot.name == "renamed"
    assert model.total_count == 10
    model.add(make_snapshot(99, start=9_999_998))
    assert model.total_count == 11 and model.shown[1].id == make_snapshot(99).id
    model.toggle_mark(make_snapshot(99).id)
    assert model.remove_ids([make_snapshot(99).id, make_snapshot(3).id, "unknown"]) == 2
    assert model.total_count == 9 and model.marked_ids == frozenset()
    assert model.replace(make_snapshot(1234)) is False


def test_cursor_kept_on_refresh_and_filter() -> None:
    model = loaded()
    model.set_cursor(7)
    target = model.cursor_snapshot
    assert target is not None
    model.load(list(reversed(make_snapshots(60))), now=NOW)
    assert model.cursor_snapshot is not None and model.cursor_snapshot.id == target.id
    model.set_filter(target.device_type)
    assert model.cursor_snapshot is not None and model.cursor_snapshot.id == target.id
    model.sort_by("start")
    assert model.cursor_snapshot is not None and model.cursor_snapshot.id == target.id


def test_cursor_moves_to_neighbour_when_its_row_goes() -> None:
    model = loaded(10)
    model.set_cursor(4)
    model.remove_ids([model.shown[4].id])
    assert model.cursor == 4 and model.cursor_snapshot is not None
    model.set_cursor(8)
    model.remove_ids([model.shown[8].id])
    assert model.cursor == 7
    model.remove_ids([r.id for r in list(model.shown)])
    assert model.cursor_snapshot is None


def test_layout_gives_slack_to_name_and_squeezes_id_first() -> None:
    widths = loaded().natural_widths()
    wide, narrow = compute_layout(widths, 200), compute_layout(widths, 120)
    assert wide.width == 200 and narrow.width == 120
    cells = {col.key: w for col, _, w in narrow.cells}
    assert cells["id"] < widths["id"] and cells["view"] == widths["view"]
    assert {col.key: w for col, _, w in wide.cells}["name"] > widths["name"]
    assert compute_layout(widths, 10).width > 10  # too narrow: scroll sideways


# --- widget under Pilot ------------------------------------------------------


@pytest.fixture(autouse=True)
def _thaw_gc() -> Iterator[None]:
    yield
    gc.unfreeze()  # else a finished test's app, frozen by set_snapshots, outlives it


async def test_load_freezes_gc_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    async with TableApp().run_test(size=(120, 30)):
        assert gc.get_freeze_count() > 0
    gc.unfreeze()
    monkeypatch.setattr(SnapshotTable, "FREEZE_GC_ON_LOAD", False)
    async with TableApp().run_test(size=(120, 30)):
        assert gc.get_freeze_count() == 0


def table_of(pilot: Pilot[None]) -> SnapshotTable:
    return pilot.app.query_one(SnapshotTable)


def line(table: SnapshotTable, y: int) -> str:
    return table.render_line(y).text


async def test_keys_move_the_cursor_and_post_highlighted() -> None:
    app = TableApp(make_snapshots(100))
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        await pilot.press("down", "j", "j")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == 99
        assert table.scroll_y == 100 - 29  # the cursor row scrolled into view, at the bottom
        await pilot.press("g")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("pagedown", "pagedown")
        assert table.cursor_row == 58  # a page is the 29 rows under the header
        assert table.scroll_y == 58 - 28
        await pilot.press("pageup")
        assert table.cursor_row == 29 and table.scroll_y == 29
        await pilot.press("end", "home")
        assert table.cursor_row == 0
        highlighted = [m.snapshot for m in app.messages if isinstance(m, SnapshotTable.Highlighted)]
        assert highlighted[0] is not None and highlighted[0].id == app.snapshots[0].id
        assert [s.id for s in highlighted[1:4] if s] == [s.id for s in app.snapshots[1:4]]


async def test_header_shows_sort_indicator() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        assert "▲" not in line(table, 0) and "Name" in line(table, 0)
        table.sort_by("start")
        await pilot.pause()
        assert "Start ▲" in line(table, 0)
        table.sort_by("start")
        await pilot.pause()
        assert "Start ▼" in line(table, 0)
        await pilot.press("home")  # the sort kept the cursor on its row, at the bottom now
        latest = max(s.attributes.start for s in app.snapshots)
        assert format_start(latest) in line(table, 1)
        await pilot.click(SnapshotTable, offset=(5, 0))  # the header's Name column
        assert table.model.sort_column == "name" and "Name ▲" in line(table, 0)


async def test_marks_render() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        table.toggle_mark()
        await pilot.press("j")
        await pilot.pause()
        assert line(table, 1).startswith(" ●") and not line(table, 2).startswith(" ●")
        marked_style = table.render_line(1)._segments[0].style
        plain_style = table.render_line(3)._segments[0].style
        assert marked_style != plain_style
        table.mark_all_shown()
        await pilot.pause()
        assert len(table.marked_ids) == 30 and line(table, 5).startswith(" ●")
        table.set_filter("cart")
        await pilot.pause()
        # The marks stay (issue 15): the shown ones are drawn marked, the others counted hidden.
        assert len(table.marked_ids) == 30 and table.model.shown_count == 5
        assert len(table.model.marked_hidden_ids) == 25 and line(table, 1).startswith(" ●")


async def test_click_selects_and_click_again_opens() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        await pilot.click(SnapshotTable, offset=(10, 4))
        assert table.cursor_row == 3
        assert not any(isinstance(m, SnapshotTable.Selected) for m in app.messages)
        await pilot.click(SnapshotTable, offset=(10, 4))
        selected = [m for m in app.messages if isinstance(m, SnapshotTable.Selected)]
        assert [m.snapshot.id for m in selected] == [app.snapshots[3].id]
        await pilot.press("enter")
        assert len([m for m in app.messages if isinstance(m, SnapshotTable.Selected)]) == 2


async def test_wheel_scrolls() -> None:
    app = TableApp(make_snapshots(200))
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        # Pilot has no wheel helper: send what the driver would for one notch down.
        for _ in range(3):
            table.post_message(events.MouseScrollDown(table, 10, 10, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert table.scroll_y > 0
        assert line(table, 1) != line(table, 0) and "Name" in line(table, 0)  # header stays


async def test_empty_state_message() -> None:
    app = TableApp([])
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        table.empty_message = "No snapshots match"
        await pilot.pause()
        texts = [line(table, y).strip() for y in range(30)]
        assert "No snapshots match" in texts
        assert table.cursor_snapshot is None
        table.set_snapshots(make_snapshots(3), now=NOW)
        table.set_filter("no such snapshot")
        await pilot.pause()
        assert "No snapshots match" in [line(table, y).strip() for y in range(30)]
        last = [m for m in app.messages if isinstance(m, SnapshotTable.Highlighted)][-1]
        assert last.snapshot is None


async def test_a_terminal_too_narrow_even_for_the_main_columns_scrolls_sideways() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 20)) as pilot:
        table = table_of(pilot)
        assert table.virtual_size.width > 40
        before = [line(table, y) for y in (0, 1)]
        assert before[0].startswith("   Name") and len(before[1]) == 40
        table.scroll_to(x=5, animate=False)
        await pilot.pause()
        after = [line(table, y) for y in (0, 1)]
        assert [a[:35] for a in after] == [b[5:] for b in before]
        assert len(after[1]) == 40


def test_columns_hide_by_priority_so_the_name_keeps_its_room() -> None:
    """Issue 15, bug 3: at 80 columns the name was cut to 13 cells beside a 16-cell view."""
    natural = {"name": 40, "view": 8, "device": 8, "start": 10, "author": 17, "modified": 10, "id": 36}
    natural |= {"created": 16, "session": 36}  # issue 15: shown only in spare width
    extras = {"created", "session"}
    # Issue 16: the stale badges (no width given: their narrowest) outrank the modified time.
    for width, hidden in ((80, {"author", "id", "modified"} | extras), (120, extras), (200, set())):
        layout = compute_layout(natural, width)
        widths = {col.key: w for col, _, w in layout.cells[1:]}
        assert set(widths) == (set(natural) | {"stale"}) - hidden, width
        assert layout.width <= width and widths["name"] >= 28
    assert compute_layout(natural, 300).cells[1][2] == NAME_MAX  # the name takes slack up to its max


async def test_ten_thousand_rows_render_only_what_is_visible() -> None:
    app = TableApp(make_snapshots(10_000))
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        assert table.model.total_count == 10_000 and table.virtual_size.height == 10_001
        assert "heatmap 0 " in line(table, 1) and "heatmap 28 " in line(table, 29)
        await pilot.press("end")
        assert "heatmap 9999 " in line(table, 29)
        assert len(table._strips) < 100  # only rows that were on screen were drawn


async def test_refresh_keeps_cursor_and_edits_apply_in_place() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = table_of(pilot)
        await pilot.press("j", "j", "j", "j", "j")
        target = table.cursor_snapshot
        assert target is not None
        table.set_snapshots(list(reversed(make_snapshots(30))), now=NOW)
        assert table.cursor_snapshot is not None and table.cursor_snapshot.id == target.id
        table.replace_snapshot(make_snapshot(5, snapshot_name="renamed by edit"))
        await pilot.pause()
        assert "renamed by edit" in line(table, table.cursor_row + 1)
        table.remove_ids([target.id])
        table.add_snapshot(make_snapshot(77))
        assert table.model.total_count == 30


# --- snapshot ----------------------------------------------------------------


def test_snapshot_table_looks_right(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def arrange(pilot: Pilot[None]) -> None:
        table = table_of(pilot)
        table.sort_by("modified")
        table.sort_by("modified")
        await pilot.press("j", "j")
        table.toggle_mark()
        await pilot.press("j")
        table.toggle_mark()
        await pilot.press("j", "j")

    assert snap_compare(TableApp(make_snapshots(30)), terminal_size=(120, 30), run_before=arrange)


def test_unsorted_a_created_or_edited_snapshot_goes_first_as_the_server_lists_newest_first() -> None:
    """Issue 15, bug 2: a new snapshot landed at the bottom, an edited one stayed where it was."""
    model = loaded(10)
    assert model.sort_column is None
    last = model.shown[-1].id
    model.set_cursor(9)
    model.replace(model.shown[-1].snapshot.model_copy(update={"id": last}))
    assert model.shown[0].id == last and model.cursor == 0  # the cursor follows it
    model.add(make_snapshot(99))
    assert model.shown[0].id == make_snapshot(99).id and model.total_count == 11
