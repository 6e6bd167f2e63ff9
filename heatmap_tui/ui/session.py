"""Re-exports while the UI's imports move to core: core/connection.py and core/clock.py hold these."""

from __future__ import annotations

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.connection import Connection, ConnectionFactory

__all__ = ["Clock", "Connection", "ConnectionFactory", "utc_now"]
