"""A tiny app hosting SnapshotTable, for the Pilot tests and the snapshot test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from textual.app import App, ComposeResult
from textual.message import Message

from heatmap_tui.core.models import Snapshot
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
VIEWS = ("/checkout", "/cart", "/home", "/products/:id", "/search", "/account/settings")
DEVICES = ("desktop", "mobile", "tablet")
AUTHORS = ("Ada Lovelace", "Grace Hopper", "Alan Turing", None)


def make_snapshot(i: int, **attributes: object) -> Snapshot:
    """Snapshot number `i`, the same on every run; `attributes` override fields."""
    # Ages spread from seconds to years, so every relative-time unit shows up.
    age = timedelta(seconds=(i * 7919) % 50 + 1) * (4 ** (i % 12))
    fields: dict[str, object] = {
        "application_id": "app-1",
        "view_name": VIEWS[i % len(VIEWS)],
        "device_type": DEVICES[i % len(DEVICES)],
        "snapshot_name": f"{VIEWS[i % len(VIEWS)].strip('/').split('/')[0] or 'root'} heatmap {i}",
        "event_id": f"event-{i}",
        "start": (i * 104_729) % 9_000_000,
        "modified_at": (NOW - age).isoformat(),
        "created_by": AUTHORS[i % len(AUTHORS)],
        "created_by_handle": f"user{i % 5}@example.com",
    }
    fields.update(attributes)
    return Snapshot.model_validate({"id": f"{i:08x}-5e1f-4c0a-9a6b-{i * 7919:012x}", "attributes": fields})


def make_snapshots(count: int) -> list[Snapshot]:
    return [make_snapshot(i) for i in range(count)]


class TableApp(App[None]):
    """The table alone, focused, loaded with `snapshots` at the fixed `NOW`."""

    def __init__(self, snapshots: list[Snapshot] | None = None) -> None:
        super().__init__()
        self.snapshots = make_snapshots(30) if snapshots is None else snapshots
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield SnapshotTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(SnapshotTable)
        table.set_snapshots(self.snapshots, now=NOW)
        table.focus()

    def on_snapshot_table_highlighted(self, message: SnapshotTable.Highlighted) -> None:
        self.messages.append(message)

    def on_snapshot_table_selected(self, message: SnapshotTable.Selected) -> None:
        self.messages.append(message)
