"""The browser's keys: its bindings (one sort key per column among them), and which actions apply when."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from heatmap_tui.ui.widgets.stale_marks import LEGEND
from heatmap_tui.ui.widgets.table_model import COLUMNS

SORT_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.key, c.label) for c in COLUMNS)
SORT_KEYS = frozenset(key for key, _ in SORT_COLUMNS)
WRITE_ACTIONS = frozenset(
    {"new", "edit", "delete", "mark", "mark_all", "range_mark", "invert_marks", "undo", "cleanup", "reframe"}
)
NEEDS_ROW = frozenset(
    {"edit", "delete", "mark", "range_mark", "invert_marks", "copy_id", "open_detail", "reframe"}
)


def action_state(action: str, *, read_only: bool, no_row: bool) -> bool | None:
    """For check_action: False hides the key (a write while read-only), None dims it (there is
    no row to act on), True offers it."""
    if action in WRITE_ACTIONS and read_only:
        return False
    if action in NEEDS_ROW and no_row:
        return None
    return True


def sort_bindings() -> list[Binding]:
    """1 to 9, then 0: sort by the table's columns, in their order (table_model.COLUMNS)."""
    return [
        Binding(str(n % 10), f"sort('{key}')", f"Sort by {label.lower()}", show=False, id=f"browser.sort_{n}")
        for n, (key, label) in enumerate(SORT_COLUMNS, start=1)
    ]


BROWSER_BINDINGS: list[BindingType] = [
    Binding("n", "new", "New", tooltip="New snapshot", id="browser.new"),
    Binding("e", "edit", "Edit", tooltip="Edit the snapshot", id="browser.edit"),
    Binding("d", "delete", "Delete", tooltip="Delete the snapshot (or the marked ones)", id="browser.delete"),
    Binding("space", "mark", "Mark", tooltip="Mark for bulk delete", id="browser.mark"),
    Binding("A,ctrl+a", "mark_all", "Mark all shown", show=False, id="browser.mark_all"),
    Binding(
        "V",
        "range_mark",
        "Range mark",
        show=False,
        tooltip="Mark a range: the rows the cursor moves over (again or escape ends it)",
        id="browser.range_mark",
    ),
    Binding(
        "i",
        "invert_marks",
        "Invert marks",
        show=False,
        tooltip="Invert the marks of the rows shown",
        id="browser.invert_marks",
    ),
    Binding("slash", "search", "Filter", key_display="/", tooltip="Live text filter", id="browser.search"),
    Binding("v", "pick_view", "View", tooltip="Pick a view", id="browser.pick_view"),
    Binding("t", "cycle_device", "Device", tooltip="Next device type", id="browser.device"),
    Binding(
        "a", "toggle_all_views", "All views", tooltip="All known views / one view", id="browser.all_views"
    ),
    Binding("s", "sort_menu", "Sort", tooltip="Sort menu", id="browser.sort"),
    *sort_bindings(),
    Binding("J", "open_detail(True)", "JSON", tooltip="The snapshot's JSON, full screen", id="browser.json"),
    Binding("r", "refresh", "Refresh", id="browser.refresh"),
    Binding("y", "copy_id", "Copy id", show=False, tooltip="Copy the snapshot id", id="browser.copy_id"),
    Binding(
        "o",
        "open_web",
        "Open in Datadog",
        show=False,
        tooltip="Open in the Datadog web app",
        id="browser.open_web",
    ),
    Binding(
        "escape",
        "back",
        "Back / clear",
        show=False,
        tooltip=(
            "Back to the table, else end range marking, else clear the marks, else the row filter, "
            "else leave the browser"
        ),
        id="browser.back",
    ),
    # As in k9s and lazygit; the app asks first while a restore or a bulk delete runs.
    Binding("q", "app.quit", "Quit", show=False, id="browser.quit"),
    Binding(
        "u",
        "undo",
        "Undo delete",
        show=False,
        tooltip="Undo the last delete or re-frame (restore it from the trash)",
        id="browser.undo",
    ),
    Binding(
        "F",
        "reframe",
        "Re-frame",
        show=False,
        tooltip="Re-frame the snapshot (or the marked ones) if outdated or expired: preview old → new frame",
        id="browser.reframe",
    ),
    Binding("T", "trash", "Trash", show=False, tooltip="Open the trash", id="browser.trash"),
    Binding("c", "cleanup", "Clean up", show=False, tooltip="Clean up stale snapshots", id="browser.cleanup"),
    Binding(
        "S",
        "stale_filter",
        "Stale filter",
        show=False,
        tooltip=f"Rows shown: all, the stale ones, then those of each reason (badges: {LEGEND})",
        id="browser.stale_filter",
    ),
]
