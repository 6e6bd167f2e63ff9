"""heatmap-tui: a terminal app for Datadog RUM replay heatmap snapshots."""

__version__ = "0.1.0"
