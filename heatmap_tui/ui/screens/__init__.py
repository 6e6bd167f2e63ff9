"""Full screens of the app."""

from heatmap_tui.ui.screens.browser import BrowserScreen

__all__ = ["BrowserScreen"]
