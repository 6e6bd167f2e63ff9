"""Which handler answers which method and path, under which rate-limit name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from heatmap_tui.devserver import rum_api, snapshot_api, validate_api
from heatmap_tui.devserver.messages import Request, Response

if TYPE_CHECKING:
    from heatmap_tui.devserver.pipeline import DevApp

Handler = Callable[["DevApp", Request], Response]

SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"
FALLBACK_LIMIT_NAME = "api"


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. /api/v2/replay/heatmap/snapshots/{snapshot_id}
    handler: Handler
    limit_name: str
    needs_auth: bool = True  # the validate endpoints check keys themselves
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))


ROUTES = (
    Route("GET", SNAPSHOTS, snapshot_api.list_snapshots, "heatmap_snapshots"),
    Route("POST", SNAPSHOTS, snapshot_api.create_snapshot, "heatmap_snapshots"),
    Route("PATCH", SNAPSHOTS + "/{snapshot_id}", snapshot_api.update_snapshot, "heatmap_snapshots"),
    Route("DELETE", SNAPSHOTS + "/{snapshot_id}", snapshot_api.delete_snapshot, "heatmap_snapshots"),
    Route("GET", "/api/v2/rum/applications", rum_api.list_applications, "rum_applications"),
    Route("POST", "/api/v2/rum/events/search", rum_api.search_events, "rum_events_search"),
    Route("POST", "/api/v2/rum/analytics/aggregate", rum_api.aggregate, "rum_analytics_aggregate"),
    Route("GET", "/api/v1/validate", validate_api.validate_api_key, "validate", needs_auth=False),
    Route("GET", "/api/v2/validate_keys", validate_api.validate_keys, "validate_keys", False),
)


@dataclass(frozen=True)
class Match:
    route: Route | None
    params: dict[str, str]
    allowed: tuple[str, ...]  # methods the path answers to: a 405 rather than a 404

    @property
    def limit_name(self) -> str:
        return self.route.limit_name if self.route else FALLBACK_LIMIT_NAME


def resolve(method: str, path: str) -> Match:
    allowed = []
    for route in ROUTES:
        m = route.pattern.match(path)
        if m is None:
            continue
        if route.method == method:
            return Match(route, {k: unquote(v) for k, v in m.groupdict().items()}, ())
        allowed.append(route.method)
    return Match(None, {}, tuple(allowed))
