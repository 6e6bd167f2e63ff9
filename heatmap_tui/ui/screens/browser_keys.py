"""What the browser's keys need: one sort key per column, and which actions apply when."""

from __future__ import annotations

from textual.binding import Binding

from heatmap_tui.ui.widgets.table_model import COLUMNS

SORT_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.key, c.label) for c in COLUMNS)
SORT_KEYS = frozenset(key for key, _ in SORT_COLUMNS)
WRITE_ACTIONS = frozenset({"new", "edit", "delete", "mark", "mark_all", "undo", "cleanup"})
NEEDS_ROW = frozenset({"edit", "delete", "mark", "copy_id", "toggle_json"})


def action_state(action: str, *, read_only: bool, no_row: bool) -> bool | None:
    """For check_action: False hides the key (a write while read-only), None dims it (there is
    no row to act on), True offers it."""
    if action in WRITE_ACTIONS and read_only:
        return False
    if action in NEEDS_ROW and no_row:
        return None
    return True


def sort_bindings() -> list[Binding]:
    """1 to 7: sort by the table's columns, in their order."""
    return [
        Binding(str(n), f"sort('{key}')", f"Sort by {label.lower()}", show=False, id=f"browser.sort_{n}")
        for n, (key, label) in enumerate(SORT_COLUMNS, start=1)
    ]
