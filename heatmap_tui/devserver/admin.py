"""The /__admin/ endpoints: request stats and fault knobs over HTTP, without auth.

POST /__admin/faults takes a JSON object with any of these keys, applied in this order:
  {"clear": true, "latency_ms": 50, "rate_limit": {"limit": 10, "period": 5} or null,
   "error_rate": {"p": 0.2, "status": 503, "seed": 1},
   "fail_next": {"status": 503, "count": 2, "method": "POST", "path_prefix": "/api/v2", "reset": 1},
   "drop_next": {"count": 1, "after_apply": true}, "malformed_next": {...}, "html_next": {...},
   "empty_next": {...}, "hang_next": {"seconds": 5}, "bad_item_next": {"index": 0},
   "trickle_next": {"seconds": 2}, "oversize_next": {"size": 40000000, "gzip": true},
   "mislabel_next": {}}
The one-shot knobs take the keyword arguments of the Faults methods of the same name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heatmap_tui.devserver.errors import bad_request, plain_error
from heatmap_tui.devserver.messages import Request, Response

if TYPE_CHECKING:
    from heatmap_tui.devserver.pipeline import DevApp

PREFIX = "/__admin/"
ONE_SHOT_KNOBS = (
    "fail_next",
    "drop_next",
    "malformed_next",
    "html_next",
    "empty_next",
    "hang_next",
    "bad_item_next",
    "trickle_next",
    "oversize_next",
    "mislabel_next",
)
KNOBS = ("clear", "latency_ms", "rate_limit", "error_rate", *ONE_SHOT_KNOBS)


def handle(app: DevApp, req: Request) -> Response:
    action = (req.method, req.path.removeprefix(PREFIX).rstrip("/"))
    if action == ("GET", "stats"):
        return Response(200, {**app.log.stats(), "rate_limit": _rate_limit(app)})
    if action == ("GET", "faults"):
        return _state(app)
    if action == ("POST", "faults"):
        configure(app, req.json_object())
        return _state(app)
    if action == ("POST", "reset-faults"):
        app.faults.clear()
        return _state(app)
    if action == ("POST", "reset-stats"):
        app.log.reset()
        return Response(204)
    raise plain_error(404)


def configure(app: DevApp, spec: dict[str, Any]) -> None:
    unknown = sorted(set(spec) - set(KNOBS))
    if unknown:
        raise bad_request(*(f"{k}: unknown knob; known: {', '.join(KNOBS)}" for k in unknown))
    try:
        if spec.get("clear"):
            app.faults.clear()
        if "latency_ms" in spec:
            app.faults.latency_ms = float(spec["latency_ms"])
        if "rate_limit" in spec:
            limit = spec["rate_limit"]
            app.limits.configure(None if limit is None else (limit["limit"], limit["period"]))
        if "error_rate" in spec:
            app.faults.set_error_rate(**_kwargs(spec["error_rate"], "error_rate"))
        for knob in ONE_SHOT_KNOBS:
            if knob in spec:
                getattr(app.faults, knob)(**_kwargs(spec[knob], knob))
    except (TypeError, ValueError, KeyError) as exc:
        raise bad_request(f"cannot apply faults: {exc}") from None


def _kwargs(value: Any, knob: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{knob}: expected an object of keyword arguments")
    return value


def _rate_limit(app: DevApp) -> dict[str, Any] | None:
    return {"limit": app.limits.limit, "period": app.limits.period} if app.limits.enabled else None


def _state(app: DevApp) -> Response:
    return Response(200, {"faults": app.faults.describe(), "rate_limit": _rate_limit(app)})
