"""The four heatmap snapshot endpoints under /api/v2/replay/heatmap/snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from heatmap_tui.core.models import SnapshotCreateRequest, SnapshotUpdateRequest
from heatmap_tui.devserver.errors import bad_request, plain_error, validation_errors
from heatmap_tui.devserver.messages import Request, Response
from heatmap_tui.devserver.payloads import snapshot_json

if TYPE_CHECKING:
    from heatmap_tui.devserver.pipeline import DevApp

DEFAULT_PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 1000
# Attributes a snapshot has but an update may not change.
FIXED_ATTRIBUTES = frozenset({"snapshot_name", "view_name", "device_type", "application_id"})


def _not_found() -> Exception:
    return plain_error(404, "Snapshot not found")


def _page_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_LIMIT
    try:
        limit = int(raw.strip())
    except ValueError:
        raise bad_request(f"page[limit]: expected an integer, got {raw!r}") from None
    if limit < 1:
        raise bad_request(f"page[limit]: must be at least 1, got {limit}")
    return min(limit, MAX_PAGE_LIMIT)


def list_snapshots(app: DevApp, req: Request) -> Response:
    view_name = req.param("filter[view_name]")
    if not view_name:
        raise bad_request("filter[view_name]: missing required query parameter")
    snapshots = app.store.list_snapshots(
        view_name,
        device_type=req.param("filter[device_type]") or None,
        application_id=req.param("filter[application_id]") or None,
        limit=_page_limit(req.param("page[limit]")),
    )
    return Response(200, {"data": [snapshot_json(s) for s in snapshots]})


def create_snapshot(app: DevApp, req: Request) -> Response:
    try:
        body = SnapshotCreateRequest.model_validate(req.json_object())
    except ValidationError as exc:
        raise validation_errors(exc) from None
    assert req.user is not None  # the route requires auth
    snapshot = app.store.create_snapshot(body.data.attributes, req.user)
    return Response(201, {"data": snapshot_json(snapshot)})


def update_snapshot(app: DevApp, req: Request) -> Response:
    snapshot_id = req.path_params["snapshot_id"]
    try:
        body = SnapshotUpdateRequest.model_validate(req.json_object())
    except ValidationError as exc:
        raise validation_errors(exc, read_only=FIXED_ATTRIBUTES) from None
    if body.data.id != snapshot_id:
        raise bad_request(
            f"data.id: {body.data.id!r} does not match the snapshot id in the path {snapshot_id!r}"
        )
    snapshot = app.store.update_snapshot(snapshot_id, body.data.attributes)
    if snapshot is None:
        raise _not_found()
    return Response(200, {"data": snapshot_json(snapshot)})


def delete_snapshot(app: DevApp, req: Request) -> Response:
    if not app.store.delete_snapshot(req.path_params["snapshot_id"]):
        raise _not_found()
    return Response(204)
