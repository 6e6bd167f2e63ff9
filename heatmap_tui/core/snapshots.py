"""SnapshotService: the four heatmap snapshot operations, plus bulk delete and multi-view listing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import (
    RawListResponse,
    Snapshot,
    SnapshotAttributes,
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
# Deletes are small requests with nothing to read back: more go at once. The client still
# obeys Datadog's rate-limit headers (core/ratelimit.py): a used-up window is waited out.
DELETE_CONCURRENCY = 64
# Slack when telling whether a snapshot was made by a create sent a while ago: the Date header
# has whole seconds, and the server may stamp a snapshot a little before it answers.
CLOCK_SKEW = timedelta(minutes=5)

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
    server_time: datetime | None = None  # the answer's Date header: the server's clock

    @property
    def may_be_truncated(self) -> bool:
        return len(self.items) + len(self.skipped) >= self.limit

    def cut_note(self, view: str) -> str | None:
        """A plain sentence when this list may be cut at the page limit, else None."""
        if not self.may_be_truncated:
            return None
        return (
            f"{visible(view)} has {self.limit} snapshots listed, the page limit: there may be more "
            "that the API did not return."
        )

    def has(self, snapshot_id: str) -> Presence:
        """Whether `snapshot_id` is in this list; when it is not and the list may be cut, that
        cannot be told (the id may lie past the cut)."""
        if any(s.id == snapshot_id for s in self.items):
            return Presence.PRESENT
        return Presence.UNKNOWN if self.may_be_truncated else Presence.ABSENT

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


class Presence(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"  # not in a list that may be cut: it may lie past the cut


Identity = tuple[str, str, str, str, int, str]  # view, name, event, device, start, application


def identity(attributes: SnapshotAttributes | SnapshotCreateAttributes) -> Identity:
    """What makes two snapshots the same one made twice: everything but the server's fields
    and the optional ids."""
    a = attributes
    return (a.view_name, a.snapshot_name, a.event_id, a.device_type, a.start, a.application_id)


class CreateState(StrEnum):
    CREATED = "created"
    NOT_CREATED = "not created"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CreateOutcome:
    """What became of a create. CREATED: its answer came, or, after the answer was lost, the
    snapshot was found in its view. NOT_CREATED: the answer was lost and the view, listed in
    full, holds no such snapshot: creating again is safe. UNKNOWN: the answer was lost and the
    look-up could not tell (it failed, or the view's list may be cut): never create blindly."""

    state: CreateState
    snapshot: Snapshot | None = None
    lost: ApiError | None = None  # the create's own failure, when its answer was lost
    problem: str | None = None  # UNKNOWN: why the look-up could not tell

    @property
    def found(self) -> bool:
        """Created, and known only by looking for it after its answer was lost."""
        return self.state is CreateState.CREATED and self.lost is not None

    def message(self) -> str:
        """A plain sentence for a person (empty for a create that simply worked)."""
        lost = f"{self.lost}".rstrip(".") if self.lost is not None else "The answer to the create was lost"
        if self.state is CreateState.CREATED:
            if self.lost is None:
                return ""
            assert self.snapshot is not None
            return (
                f"{lost}. The snapshot was found on the server: it was created "
                f"(id {visible(self.snapshot.id)})."
            )
        if self.state is CreateState.NOT_CREATED:
            return f"{lost}. It was looked for in its view and is not there: it was not created."
        return (
            f"{lost}. Whether it was created is unknown: {self.problem or 'the look-up failed'}. "
            "Check again before creating it again."
        )


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
        server_time = _date_header(answer.headers.get("date"))
        try:  # the common case, at full speed: every item is a snapshot
            parsed = SnapshotListResponse.model_validate_json(answer.content).data
            return SnapshotPage(parsed, limit, server_time=server_time)
        except ValidationError:
            pass
        items: list[Snapshot] = []
        skipped: list[SkippedSnapshot] = []
        for raw in self.client.parse(op, answer, RawListResponse).data:
            try:
                items.append(Snapshot.model_validate(raw))
            except ValidationError as exc:
                skipped.append(SkippedSnapshot(_raw_id(raw), _first_problem(exc)))
        return SnapshotPage(items, limit, skipped, server_time)

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

    async def create_settled(self, attributes: SnapshotCreateAttributes) -> CreateOutcome:
        """Create; when the answer is lost (the request may have been applied), settle it by
        looking for the snapshot instead of guessing. Other failures are raised as they are."""
        sent = time.monotonic()
        try:
            return CreateOutcome(CreateState.CREATED, await self.create(attributes))
        except ApiError as exc:
            if not exc.maybe_applied:
                raise
            return await self.settle_create(attributes, sent, lost=exc)

    async def settle_create(
        self, attributes: SnapshotCreateAttributes, sent: float, *, lost: ApiError | None = None
    ) -> CreateOutcome:
        """Whether a create sent at `sent` (time.monotonic()) was made: its view is listed (by
        view, device and application) and an identical snapshot created since then is looked
        for. "Since then" is told in the server's clock (the list answer's Date header), which
        is the one `created_at` is in."""
        try:
            page = await self.list(attributes.view_name, attributes.device_type, attributes.application_id)
        except ApiError as exc:
            return CreateOutcome(CreateState.UNKNOWN, lost=lost, problem=f"{exc}".rstrip("."))
        ago = timedelta(seconds=max(0.0, time.monotonic() - sent))
        since = (page.server_time or datetime.now(UTC)) - ago - CLOCK_SKEW
        twin = find_identical(attributes, page.items, since)
        if twin is not None:
            return CreateOutcome(CreateState.CREATED, twin, lost=lost)
        if page.may_be_truncated:
            problem = (
                f"its view lists {page.limit} snapshots, the most one answer holds, and it may lie past them"
            )
            return CreateOutcome(CreateState.UNKNOWN, lost=lost, problem=problem)
        return CreateOutcome(CreateState.NOT_CREATED, lost=lost)

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
        concurrency: int = DELETE_CONCURRENCY,
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


def find_identical(
    attributes: SnapshotCreateAttributes, snapshots: Iterable[Snapshot], since: datetime | None = None
) -> Snapshot | None:
    """The newest snapshot identical to `attributes` (created at or after `since`, when given)."""
    wanted = identity(attributes)
    twins = [
        s
        for s in snapshots
        if identity(s.attributes) == wanted
        and (since is None or (s.attributes.created_at is not None and s.attributes.created_at >= since))
    ]
    epoch = datetime.min.replace(tzinfo=UTC)
    return max(twins, key=lambda s: s.attributes.created_at or epoch, default=None)


def _date_header(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _raw_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value else None


def _first_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the item"
    more = len(exc.errors()) - 1
    return f"{where}: {first['msg']}" + (f" (and {more} more)" if more else "")
