"""Key checks: v1 looks at the API key alone, v2 at the API and application keys together.

A valid API key with a wrong application key passes v1 and fails v2, which is how callers
tell which of the two keys was rejected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from heatmap_tui.devserver.errors import plain_error
from heatmap_tui.devserver.messages import Request, Response

if TYPE_CHECKING:
    from heatmap_tui.devserver.pipeline import DevApp


def validate_api_key(app: DevApp, req: Request) -> Response:
    if not app.keys.api_key_valid(req.headers.get("DD-API-KEY")):
        raise plain_error(403)
    return Response(200, {"valid": True})


def validate_keys(app: DevApp, req: Request) -> Response:
    if req.user is None:
        raise plain_error(403)
    return Response(200, {"status": "ok"})
