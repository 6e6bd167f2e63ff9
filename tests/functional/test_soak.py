"""Soak: 2,000 mixed snapshot operations against the embedded server, with faults and a rate limit.

10% of requests fail with 503 (the server's error rate, answered before anything is applied), a
few 429s are injected now and then, and a real rate limit (RATE_LIMIT per endpoint group; the
four snapshot endpoints share one) is on. The test keeps what the app believes it made (created
snapshots, updates applied, deletes confirmed; every fault here is answered before the server
applies anything, so an operation that raised was not applied) and at the end checks that the
server's state is exactly that; that the requests, counted at the server and per operation,
follow the retry policy; and that every deleted snapshot is in the trash (deletes go through
trash.delete_with_trash, as in the app). Backoff sleeps are tiny; rate-limit waits are real.
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from faults import RecordingSleep, loopback_transport, make_client, report

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError, RateLimited, ServerError
from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.trash import EntryState, Trash, delete_with_trash
from heatmap_tui.devserver import DevServer

OPERATIONS = 2_000
BATCH = 20  # operations in flight together
# Few connections: the server runs in this process, and more threads fighting for the GIL (and
# httpcore scanning a bigger pool) cost more CPU per request than the parallelism gains.
CONNECTIONS = 4
SEED = 20250611
APP_ID = "soak-app"
VIEWS = ("/soak/home", "/soak/cart", "/soak/checkout")
DEVICES = ("desktop", "mobile", "tablet")
WEIGHTS = {"list": 20, "create": 30, "update": 25, "delete": 15, "bulk delete": 10}
# On, but above this in-process server's pace (~100-200 requests/s on 2 cores), so it cannot
# dominate the run time: the injected 429s (Remaining 0, Reset 1) are what make the client wait out
# a window for real. (At 150/s the soak takes ~50 s, nearly all of it in window waits.)
RATE_LIMIT = (500, 1.0)
INJECT_429_EVERY = 20  # batches: 5 times, 3 requests each
POLICY = RetryPolicy(base_delay=0.005, max_delay=0.02)  # backoff is not what a soak measures
EXPECTED_ERRORS = (ServerError, RateLimited)  # a 503 or 429 on every allowed try

# Which operation (and so which retry sequence) each request belongs to: the transport below
# files every try under (operation, method, path), so a bulk delete's items stay apart.
CURRENT_OP: contextvars.ContextVar[int] = contextvars.ContextVar("soak_op", default=-1)


class TryLog(httpx.AsyncBaseTransport):
    """The real loopback transport, noting the status (or "network") of every try per sequence."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.tries: dict[tuple[int, str, str], list[int | str]] = defaultdict(list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (CURRENT_OP.get(), request.method, request.url.path)
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError:
            self.tries[key].append("network")
            raise
        self.tries[key].append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Belief:
    """What the app believes is on the server, from the answers it got."""

    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    deleted: dict[str, Snapshot] = field(default_factory=dict)  # id -> the copy it deleted
    delete_failed: set[str] = field(default_factory=set)
    delete_attempts: int = 0  # snapshots sent to delete_with_trash, counting repeats
    ops: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # error class names
    unexpected: list[str] = field(default_factory=list)
    list_checks: int = 0


@dataclass
class Soak:
    server: DevServer
    client: DatadogClient
    service: SnapshotService
    trash: Trash
    tries: TryLog
    rng: random.Random
    belief: Belief = field(default_factory=Belief)
    names: Iterator[int] = field(default_factory=lambda: iter(range(10**9)))

    def failed(self, kind: str, error: ApiError) -> None:
        self.belief.failed[kind] += 1
        self.belief.errors[type(error).__name__] += 1
        if not isinstance(error, EXPECTED_ERRORS):
            self.belief.unexpected.append(f"{kind}: {error!r}")

    async def create(self) -> str | None:
        n = next(self.names)
        attributes = SnapshotCreateAttributes(
            application_id=APP_ID,
            view_name=self.rng.choice(VIEWS),
            device_type=self.rng.choice(DEVICES),
            snapshot_name=f"soak #{n}",
            event_id=f"ev-{n}",
            start=self.rng.randrange(0, 600_000),
            is_device_type_selected_by_user=self.rng.random() < 0.5,
            session_id=f"s-{n}",
        )
        try:
            made = await self.service.create(attributes)
        except ApiError as error:  # answered before applying: nothing was made
            self.failed("create", error)
            return None
        assert made.name == attributes.snapshot_name
        self.belief.snapshots[made.id] = made
        return made.id

    async def update(self, target: Snapshot) -> None:
        change = SnapshotUpdateAttributes(
            event_id=f"{target.attributes.event_id}+",
            start=self.rng.randrange(0, 600_000),
            is_device_type_selected_by_user=not target.attributes.is_device_type_selected_by_user,
            session_id=target.attributes.session_id,
        )
        try:
            updated = await self.service.update(target.id, change)
        except ApiError as error:
            self.failed("update", error)
            return
        assert updated.attributes.start == change.start and updated.name == target.name
        self.belief.snapshots[target.id] = updated

    async def delete(self, kind: str, targets: list[Snapshot]) -> None:
        self.belief.delete_attempts += len(targets)
        result = await delete_with_trash(
            self.service, targets, self.trash, site=self.client.site, profile="soak"
        )
        for snapshot_id in result.deleted:
            self.belief.deleted[snapshot_id] = self.belief.snapshots.pop(snapshot_id)
            self.belief.delete_failed.discard(snapshot_id)
        for snapshot_id, error in result.failed.items():
            self.failed(kind, error)
            self.belief.delete_failed.add(snapshot_id)

    async def list(self, view: str, device: str | None) -> tuple[str, str | None, list[Snapshot]] | None:
        try:
            page = await self.service.list(view, device_type=device, application_id=APP_ID)
        except ApiError as error:
            self.failed("list", error)
            return None
        assert not page.may_be_truncated
        return view, device, page.items

    async def run(self, op_id: int, kind: str, operation: Callable[[], Awaitable[object]]) -> object:
        CURRENT_OP.set(op_id)  # this task's context only: its requests are filed under op_id
        self.belief.ops[kind] += 1
        return await operation()


async def run_batch(soak: Soak, first_op: int, size: int) -> None:
    rng, belief = soak.rng, soak.belief
    before = dict(belief.snapshots)  # what the app believes as the batch starts
    free = list(before)
    rng.shuffle(free)
    touched: set[str] = set()  # updated or deleted by this batch: one operation each at most
    jobs = []
    for op_id in range(first_op, first_op + size):
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        if kind in ("update", "delete", "bulk delete") and not free:
            kind = "create"
        if kind == "create":
            jobs.append(soak.run(op_id, kind, soak.create))
        elif kind == "update":
            target = before[free.pop()]
            touched.add(target.id)
            jobs.append(soak.run(op_id, kind, lambda t=target: soak.update(t)))
        elif kind in ("delete", "bulk delete"):
            count = 1 if kind == "delete" else min(len(free), rng.randint(2, 4))
            targets = [before[free.pop()] for _ in range(count)]
            touched.update(t.id for t in targets)
            jobs.append(soak.run(op_id, kind, lambda ts=targets, k=kind: soak.delete(k, ts)))
        else:
            view, device = rng.choice(VIEWS), rng.choice((None, *DEVICES))
            jobs.append(soak.run(op_id, kind, lambda v=view, d=device: soak.list(v, d)))
    results = await asyncio.gather(*jobs)
    # A listing taken while the batch ran shows every snapshot the batch did not touch, exactly as
    # the app last saw it; the touched ones and the batch's new ones may show either way.
    created = set(belief.snapshots) - set(before)
    for view, device, items in (r for r in results if isinstance(r, tuple)):
        belief.list_checks += 1
        listed = {s.id: s for s in items}
        assert set(listed) <= set(before) | created, "a listing showed a snapshot nobody made"
        untouched = expected_in(view, device, before) - touched
        assert untouched <= set(listed), "a listing lost a snapshot"
        assert all(listed[i] == before[i] for i in untouched)


def expected_in(view: str, device: str | None, snapshots: dict[str, Snapshot]) -> set[str]:
    return {
        s.id
        for s in snapshots.values()
        if s.view_name == view and (device is None or s.device_type == device)
    }


@pytest.fixture
def soak_server() -> Iterator[DevServer]:
    with DevServer(seed=False) as server:
        yield server


async def test_soak_mixed_operations_with_faults(
    soak_server: DevServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server = soak_server
    server.set_rate_limit(*RATE_LIMIT)
    server.faults.set_error_rate(0.1, status=503, seed=SEED)
    sleep = RecordingSleep(real=True)
    tries = TryLog(loopback_transport(max_connections=CONNECTIONS))
    client = make_client(server, sleep, retry=POLICY, transport=tries)
    soak = Soak(
        server, client, SnapshotService(client), Trash(tmp_path / "trash.jsonl"), tries, random.Random(SEED)
    )
    started = time.monotonic()
    try:
        for batch, first in enumerate(range(0, OPERATIONS, BATCH)):
            if batch % INJECT_429_EVERY == INJECT_429_EVERY - 1:
                server.faults.fail_next(429, count=3, reset=1)
            await run_batch(soak, first, min(BATCH, OPERATIONS - first))
        wall = time.monotonic() - started
        server.faults.clear()
        records = server.requests
        sequences = dict(tries.tries)
        waits = client.rate_limit.waits
        final_pages = {v: await soak.service.list(v, application_id=APP_ID) for v in VIEWS}
    finally:
        await client.aclose()

    belief = soak.belief
    fault_count = Counter(r.fault for r in records if r.fault)
    by_kind = ", ".join(f"{k} {n}" for k, n in belief.ops.most_common())
    failed = ", ".join(f"{k} {n}" for k, n in belief.failed.most_common()) or "none"
    report(
        request.config,
        [
            f"soak: {sum(belief.ops.values())} operations in {wall:.1f} s ({by_kind}); failed as allowed: {failed}",
            f"soak: {len(records)} requests at the server ({dict(Counter(r.method for r in records))}), "
            f"{len(records) - len(sequences)} retries over {len(sequences)} retry sequences",
            f"soak: faults seen: {fault_count.get('error_rate', 0)} x 503 (error rate), {fault_count.get('fail', 0)} x 429 "
            f"(injected), {sum(1 for r in records if r.status == 429 and not r.fault)} x 429 (rate limit "
            f"{RATE_LIMIT[0]}/{RATE_LIMIT[1]:g} s); errors raised: {dict(belief.errors) or 'none'}",
            f"soak: client waits: {waits} for a rate-limit window, {sum(1 for w in sleep.waits if w >= 0.5)} of 0.5 s "
            f"or more, {len(sleep.waits)} sleeps, {sum(sleep.waits):.1f} s summed over concurrent tasks",
            f"soak: end state: {len(belief.snapshots)} snapshots, {len(belief.deleted)} deleted (all in the trash), "
            f"{belief.list_checks} listings checked mid-flight",
        ],
    )

    # Nothing but the documented errors of the faults made.
    assert not belief.unexpected, belief.unexpected[:5]
    assert sum(belief.ops.values()) == OPERATIONS

    # The server holds exactly what the app believes it made: no lost write, no duplicate create.
    assert server.store.snapshots == belief.snapshots
    for view, page in final_pages.items():
        assert {s.id: s for s in page.items} == {
            i: belief.snapshots[i] for i in expected_in(view, None, belief.snapshots)
        }
    assert not set(belief.deleted) & set(server.store.snapshots)

    # The retry policy, per retry sequence (one operation's tries at one method and path) ...
    assert sum(map(len, sequences.values())) == len(records)  # every try reached the server
    for (_op, method, path), statuses in sequences.items():
        assert 1 <= len(statuses) <= POLICY.max_tries, (method, path, statuses)
        retried_after = statuses[:-1]
        if method in ("POST", "PATCH"):
            assert all(s == 429 for s in retried_after), (method, path, statuses)
        else:
            assert all(s == 429 or (isinstance(s, int) and s >= 500) or s == "network" for s in retried_after)

    # ... and at the server: at most 3 tries an operation; POST and PATCH repeated only after a 429.
    def at_server(method: str, status: int | None = None) -> int:
        return sum(1 for r in records if r.method == method and (status is None or r.status == status))

    assert sum(1 for (_op, m, _p) in sequences if m == "POST") == belief.ops["create"]
    assert at_server("POST") <= belief.ops["create"] + at_server("POST", 429)
    assert at_server("PATCH") <= belief.ops["update"] + at_server("PATCH", 429)
    assert len(records) <= POLICY.max_tries * len(sequences)

    # Every deleted snapshot is in the trash, as the app last saw it, and confirmed.
    entries = soak.trash.read()
    assert not entries.bad_lines and len(entries.entries) == belief.delete_attempts
    latest = {e.id: e for e in entries.entries}
    for snapshot_id, copy in belief.deleted.items():
        assert latest[snapshot_id].state is EntryState.DELETED
        assert latest[snapshot_id].snapshot == copy
    for snapshot_id in belief.delete_failed:
        assert latest[snapshot_id].state is EntryState.UNCONFIRMED and latest[snapshot_id].error
        assert snapshot_id in server.store.snapshots
