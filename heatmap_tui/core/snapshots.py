"""SnapshotService: the four heatmap snapshot operations, plus bulk delete and multi-view listing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import (
    Snapshot,
    SnapshotCreateAttributes,
    SnapshotCreateRequest,
    SnapshotListResponse,
    SnapshotResponse,
    SnapshotUpdateAttributes,
    SnapshotUpdateRequest,
)
from heatmap_tui.core.safe_text import visible

PATH = "/api/v2/replay/heatmap/snapshots"
DEFAULT_PAGE_LIMIT = 1000
DEFAULT_CONCURRENCY = 16

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    """One list answer. The API has no paging: a full page may have been cut short."""

    items: list[Snapshot]
    limit: int

    @property
    def may_be_truncated(self) -> bool:
        return len(self.items) >= self.limit


@dataclass(slots=True)
class BulkResult:
    deleted: list[str] = field(default_factory=list)
    failed: dict[str, ApiError] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{len(self.deleted)} deleted, {len(self.failed)} failed"
        reasons = sorted({str(e) for e in self.failed.values()})
        return text if not reasons else f"{text}: " + " ".join(reasons)


ProgressCallback = Callable[[str, ApiError | None], None]
BeforeDelete = Callable[[Snapshot], Awaitable[None] | None]


class SnapshotService:
    def __init__(self, client: DatadogClient, *, page_limit: int = DEFAULT_PAGE_LIMIT) -> None:
        self.client = client
        self.page_limit = page_limit

    async def list(
        self,
        view_name: str,
        device_type: str | None = None,
        application_id: str | None = None,
        limit: int | None = None,
    ) -> SnapshotPage:
        limit = limit or self.page_limit
        params = {"filter[view_name]": view_name, "page[limit]": str(limit)}
        if device_type:
            params["filter[device_type]"] = device_type
        if application_id:
            params["filter[application_id]"] = application_id
        body = await self.client.request_model(
            f"list the snapshots of {view_name}", "GET", PATH, SnapshotListResponse, params=params
        )
        return SnapshotPage(items=body.data, limit=limit)

    async def list_views(
        self,
        view_names: Iterable[str],
        device_type: str | None = None,
        application_id: str | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> dict[str, SnapshotPage]:
        """The snapshots of many views at once, at most `concurrency` requests in flight."""
        return await self.map_views(
            lambda _, page: page, view_names, device_type, application_id, concurrency=concurrency
        )

    async def map_views(
        self,
        each: Callable[[str, SnapshotPage], T],
        view_names: Iterable[str],
        device_type: str | None = None,
        application_id: str | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> dict[str, T]:
        """`each(view, page)` for many views listed at once, in the order of `view_names`.

        `each` runs as soon as a page is parsed, so a caller that keeps a compact form of the
        page lets its models go at once: 10,000 snapshots never exist as models all together.
        """
        gate = asyncio.Semaphore(concurrency)

        async def one(view: str) -> tuple[str, T]:
            async with gate:
                return view, each(view, await self.list(view, device_type, application_id))

        names = list(dict.fromkeys(view_names))
        return dict(await asyncio.gather(*(one(v) for v in names)))

    async def create(self, attributes: SnapshotCreateAttributes) -> Snapshot:
        body = SnapshotCreateRequest.of(attributes).model_dump(mode="json", exclude_none=True)
        op = f"create snapshot {attributes.snapshot_name!r}"
        result = await self.client.request_model(
            op, "POST", PATH, SnapshotResponse, json_body=body, ok=(200, 201)
        )
        return result.data

    async def update(self, snapshot_id: str, attributes: SnapshotUpdateAttributes) -> Snapshot:
        op = f"update snapshot {visible(snapshot_id)}"
        path = self.client.id_path(op, PATH, snapshot_id)
        body = SnapshotUpdateRequest.of(snapshot_id, attributes).model_dump(mode="json", exclude_none=True)
        result = await self.client.request_model(op, "PATCH", path, SnapshotResponse, json_body=body)
        return result.data

    async def delete(self, snapshot_id: str) -> None:
        op = f"delete snapshot {visible(snapshot_id)}"
        await self.client.request(op, "DELETE", self.client.id_path(op, PATH, snapshot_id), ok=(200, 204))

    async def delete_many(
        self,
        snapshots: Sequence[Snapshot],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        before_delete: BeforeDelete | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> BulkResult:
        """Delete with bounded concurrency; one failure never stops the rest.

        `before_delete` runs (and finishes) before each DELETE is sent: the trash keeps a copy there.
        """
        gate = asyncio.Semaphore(concurrency)
        result = BulkResult()

        async def one(snapshot: Snapshot) -> None:
            async with gate:
                error: ApiError | None = None
                try:
                    if before_delete is not None:
                        pending = before_delete(snapshot)
                        if pending is not None:
                            await pending
                    await self.delete(snapshot.id)
                    result.deleted.append(snapshot.id)
                except ApiError as exc:
                    error = exc
                    result.failed[snapshot.id] = exc
                if on_progress is not None:
                    on_progress(snapshot.id, error)

        await asyncio.gather(*(one(s) for s in snapshots))
        return result
