"""Links into the Datadog web app."""

from __future__ import annotations

from urllib.parse import urlencode

from heatmap_tui.core.sites import Site


def heatmap_web_url(site: Site, application_id: str, view_name: str, device_type: str | None) -> str:
    """Where the Datadog web app shows the heatmaps of a view."""
    query = {"applicationId": application_id, "viewName": view_name}
    if device_type:
        query["device"] = device_type
    # errors="replace": a view with a lone surrogate (typed, or pasted bytes) has no UTF-8 form.
    return f"{site.web_url}/rum/replay/heatmaps?{urlencode(query, errors='replace')}"
