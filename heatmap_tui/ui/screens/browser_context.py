"""What the browser's parts are given: the screen's table, connection, views and scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heatmap_tui.core.clock import Clock
from heatmap_tui.core.connection import Connection
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from heatmap_tui.ui.widgets.view_catalog import ViewCatalog

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True, slots=True)
class Scope:
    """What the browser lists: one view (or every known one) and a device (None: any)."""

    view: str
    device: str | None
    all_views: bool
    read_only: bool  # a read-only browser does not offer to create one when there is none


@dataclass(frozen=True, slots=True)
class BrowserContext:
    """Given to each part of the browser (loads, views, forms, deletes)."""

    host: Screen[Any]  # runs the parts' workers, shows their toasts and dialogs
    table: SnapshotTable
    connection: Connection
    application_id: str
    clock: Clock
    catalog: ViewCatalog
    scope: Callable[[], Scope]  # what the browser lists now
