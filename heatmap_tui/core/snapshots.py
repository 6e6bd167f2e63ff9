"""SnapshotService: the four heatmap snapshot operations, plus bulk delete and multi-view listing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import (
    RawListResponse,
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
class SkippedSnapshot:
    """An item of a list answer that could not be read as a snapshot: its id if it had one, and why."""

    id: str | None
    reason: str

    def describe(self) -> str:
        who = visible(self.id) if self.id else "an item without an id"
        return f"{who} ({visible(self.reason)})"


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    """One list answer. The API has no paging: a full page may have been cut short.

    `skipped` names the items that could not be read; the others are in `items`.
    """

    items: list[Snapshot]
    limit: int
    skipped: list[SkippedSnapshot] = field(default_factory=list)

    @property
    def may_be_truncated(self) -> bool:
        return len(self.items) + len(self.skipped) >= self.limit

    def skipped_message(self, view: str, shown: int = 5) -> str | None:
        """A plain sentence naming what could not be read (at most `shown` of them), or None."""
        if not self.skipped:
            return None
        count = len(self.skipped)
        named = "; ".join(s.describe() for s in self.skipped[:shown])
        if count > shown:
            named += f"; and {count - shown} more"
        what = "1 snapshot" if count == 1 else f"{count} snapshots"
        return f"{what} of {visible(view)} could not be read and {'is' if count == 1 else 'are'} left out: {named}."


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
        op = f"list the snapshots of {visible(view_name)}"
        answer = await self.client.request(op, "GET", PATH, params=params)
        try:  # the common case, at full speed: every item is a snapshot
            return SnapshotPage(SnapshotListResponse.model_validate_json(answer.content).data, limit)
        except ValidationError:
            pass
        items: list[Snapshot] = []
        skipped: list[SkippedSnapshot] = []
        for raw in self.client.parse(op, answer, RawListResponse).data:
            try:
                items.append(Snapshot.model_validate(raw))
            except ValidationError as exc:
                skipped.append(SkippedSnapshot(_raw_id(raw), _first_problem(exc)))
        return SnapshotPage(items, limit, skipped)

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


def _raw_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value else None


def _first_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the item"
    more = len(exc.errors()) - 1
    return f"{where}: {first['msg']}" + (f" (and {more} more)" if more else "")
