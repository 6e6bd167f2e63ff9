"""The delete confirmation name each snapshot readably, whatever else a row holds."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from heatmap_tui.core.safe_text import has_control, visible
from heatmap_tui.ui.dialogs.confirm_dialog import snapshot_table
from tests.apps.table_app import make_snapshot

LONG = "\x1b]52;c;eA==\x07 [/] " + "\u202eview" * 30  # a view, device or id of any length
NAMES = ["close [/] only", "[@click=app.quit]quit me[/]", "Home \x1b[2J after redesign"]
WIDTH = 92  # what the dialog leaves its list at 120 columns


def rendered(table: object) -> str:
    console = Console(width=WIDTH, file=StringIO(), force_terminal=True, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def test_a_long_view_device_or_id_does_not_squeeze_the_names_to_a_cell_a_line() -> None:
    snapshots = [
        make_snapshot(i, snapshot_name=name, view_name=LONG, device_type=LONG) for i, name in enumerate(NAMES)
    ]
    snapshots = [s.model_copy(update={"id": f"{LONG}-{i}"}) for i, s in enumerate(snapshots)]
    text = rendered(snapshot_table(snapshots))
    assert not any(has_control(line) for line in text.splitlines())
    for name in NAMES:
        assert visible(name)[:10] in text, text
