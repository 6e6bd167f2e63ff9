"""The JSON the server answers with for snapshots and RUM applications."""

from __future__ import annotations

from typing import Any

from heatmap_tui.core.models import RumApplication, Snapshot
from heatmap_tui.devserver.clock import rfc3339


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    attrs = snapshot.attributes.model_dump(mode="python")
    for key in ("created_at", "modified_at"):
        if attrs[key] is not None:
            attrs[key] = rfc3339(attrs[key])
    # Optional attributes that are unset are left out, as Datadog does.
    attrs = {k: v for k, v in attrs.items() if v is not None}
    return {"id": snapshot.id, "type": "snapshots", "attributes": attrs}


def application_json(app: RumApplication) -> dict[str, Any]:
    attrs = app.attributes.model_dump(mode="json")
    # Real payloads carry more than the spec lists; clients must ignore what they do not know.
    attrs.setdefault("tags", [])
    attrs.setdefault("client_token", "pub" + app.id.replace("-", "")[:29])
    attrs.setdefault("product_analytics_replay_sample_rate", 100)
    return {"id": app.id, "type": "rum_application", "attributes": attrs}
