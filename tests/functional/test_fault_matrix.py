"""Every service operation against every fault the embedded server (or a closed port) can make.

Each cell runs one operation with one fault armed at the server, over real loopback HTTP, and
checks: only the documented ApiError subclass escapes, its str() is a plain sentence naming the
operation and the site; the number of tries counted at the server follows the retry policy
(GET/DELETE retry 429, 5xx and network failures up to 3 tries; POST/PATCH retry only 429; a DELETE
whose retry gets 404 is done); a write is applied exactly when expected, never twice; and once the
fault is cleared the listing equals the server's store. The client's sleeps are instant.

The expected outcome of every cell is in MATRIX below: one row per fault, one column per method
kind. The last test prints the operations x faults grid with the pass counts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from faults import RecordingSleep, assert_plain_sentence, make_client, matrix_lines, report, wait_for_count

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import (
    ApiError,
    AuthError,
    InvalidResponse,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
)
from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.snapshots import PATH, SnapshotService
from heatmap_tui.devserver import DevServer

VIEW = "/fault-matrix"
APP_ID = "fault-matrix-app"
APPS = "/api/v2/rum/applications"
VALIDATE_KEYS = "/api/v2/validate_keys"
BULK = 5
PERSISTENT = 50  # a fault on every try (the rules left over are cleared after the operation)
HANG_SECONDS = 0.6
SHORT_READ = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
NEW_START = 424_242  # what an update writes, to tell whether it was applied


# --- the expected outcome of each cell -----------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    tries: int  # requests per item (at the server; at the client for a closed port)
    error: type[ApiError] | None = None  # None: the operation succeeds
    applied: bool = False  # a write reached the store (at most once, whatever the tries)


ok = Expect


def fails(tries: int, error: type[ApiError], *, applied: bool = False) -> Expect:
    return Expect(tries, error, applied)


Arm = Callable[[DevServer, str, str], None]  # (server, method, path): arm the fault for that request


@dataclass(frozen=True)
class Fault:
    arm: Arm
    says: tuple[str, ...]  # the error's sentence mentions one of these
    get: Expect  # list, list apps, validate keys
    write: Expect  # create (POST), update (PATCH)
    delete: Expect  # delete, bulk delete (per item)


def fail(status: int, count: int = PERSISTENT) -> Arm:
    return lambda s, m, p: s.faults.fail_next(status, count=count, method=m, path_prefix=p, reset=1)


def refused(s: DevServer, m: str, p: str) -> None:
    """Nothing to arm: the cell stops the server, so the port is closed (see run_cell)."""


def drop(s: DevServer, m: str, p: str) -> None:
    s.faults.drop_next(PERSISTENT, method=m, path_prefix=p)


def drop_after_apply(s: DevServer, m: str, p: str) -> None:
    s.faults.drop_next(1, method=m, path_prefix=p, after_apply=True)


def hang(s: DevServer, m: str, p: str) -> None:
    s.faults.hang_next(HANG_SECONDS, PERSISTENT, method=m, path_prefix=p)


def malformed(s: DevServer, m: str, p: str) -> None:
    s.faults.malformed_next(PERSISTENT, method=m, path_prefix=p, after_apply=True)


def html(s: DevServer, m: str, p: str) -> None:
    s.faults.html_next(PERSISTENT, method=m, path_prefix=p, status=502)


def empty(s: DevServer, m: str, p: str) -> None:
    s.faults.empty_next(PERSISTENT, method=m, path_prefix=p, after_apply=True)


CLOSED = ("closed before the answer arrived", "broke while reading the answer")
S1, S3 = fails(1, ServerError), fails(3, ServerError)  # a ServerError after 1 or 3 tries

# Notes: "once" faults hit only the first try. "drop after apply": the request is handled, then
# its answer is lost (a retried DELETE sees 404, which is done). "timeout": the server waits
# longer than the client's 0.3 s read timeout, then handles the request anyway. "malformed" and
# "empty" spoil the answer of a request that was handled (a 204 has no body to spoil).
MATRIX: dict[str, Fault] = {
    # fault                   arm             the error says           GET                           POST / PATCH                               DELETE (per item)
    "429":              Fault(fail(429),      ("rate limit",),         fails(3, RateLimited),        fails(3, RateLimited),                     fails(3, RateLimited)),
    "429 once":         Fault(fail(429, 1),   (),                      ok(2),                        ok(2, applied=True),                       ok(2, applied=True)),
    "500":              Fault(fail(500),      ("HTTP 500",),           S3,                           S1,                                        S3),
    "502":              Fault(fail(502),      ("HTTP 502",),           S3,                           S1,                                        S3),
    "503":              Fault(fail(503),      ("HTTP 503",),           S3,                           S1,                                        S3),
    "503 once":         Fault(fail(503, 1),   ("HTTP 503",),           ok(2),                        S1,                                        ok(2, applied=True)),
    "504":              Fault(fail(504),      ("HTTP 504",),           S3,                           S1,                                        S3),
    "refused":          Fault(refused,        ("could not connect",),  fails(3, NetworkError),       fails(1, NetworkError),                    fails(3, NetworkError)),
    "drop":             Fault(drop,           CLOSED,                  fails(3, NetworkError),       fails(1, NetworkError),                    fails(3, NetworkError)),
    "drop after apply": Fault(drop_after_apply, CLOSED,                ok(2),                        fails(1, NetworkError, applied=True),      ok(2, applied=True)),
    "timeout":          Fault(hang,           ("took too long",),      fails(3, NetworkError),       fails(1, NetworkError, applied=True),      fails(3, NetworkError, applied=True)),
    "malformed":        Fault(malformed,      ("not valid JSON",),     fails(1, InvalidResponse),    fails(1, InvalidResponse, applied=True),   ok(1, applied=True)),
    "html":             Fault(html,           ("HTML page",),          S3,                           S1,                                        S3),
    "empty":            Fault(empty,          ("was empty",),          fails(1, InvalidResponse),    fails(1, InvalidResponse, applied=True),   ok(1, applied=True)),
    "401":              Fault(fail(401),      ("HTTP 401",),           fails(1, AuthError),          fails(1, AuthError),                       fails(1, AuthError)),
    "403":              Fault(fail(403),      ("HTTP 403",),           fails(1, AuthError),          fails(1, AuthError),                       fails(1, AuthError)),
    "404":              Fault(fail(404),      ("HTTP 404",),           fails(1, NotFound),           fails(1, NotFound),                        fails(1, NotFound)),
}  # fmt: skip


def expected(fault: Fault, method: str) -> Expect:
    return {"GET": fault.get, "POST": fault.write, "PATCH": fault.write, "DELETE": fault.delete}[method]


# --- the operations --------------------------------------------------------------------------------


@dataclass
class Cell:
    server: DevServer
    client: DatadogClient
    tag: str  # unique per cell: names what it creates
    targets: list[Snapshot] = field(default_factory=list)

    @property
    def snapshots(self) -> SnapshotService:
        return SnapshotService(self.client)

    @property
    def rum(self) -> RumService:
        return RumService(self.client)

    @property
    def store(self) -> dict[str, Snapshot]:
        return self.server.store.snapshots


Outcomes = dict[str, ApiError | None]  # request path -> the error it ended with, or None


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    items: int  # how many snapshots it works on (created in the store first)
    paths: Callable[[Cell], list[str]]  # one per item: where its requests go
    phrase: Callable[[Cell, str], str]  # the `op` its errors name, per path
    run: Callable[[Cell], Awaitable[Outcomes]]
    applied: Callable[[Cell], list[bool]] | None = None  # per item, for writes
    store_delta: int = 0  # snapshots in the store after an applied write, minus before


async def single(path: str, call: Awaitable[Any]) -> Outcomes:
    try:
        await call
    except ApiError as error:  # anything else is a crash: it fails the cell
        return {path: error}
    return {path: None}


def item_path(snapshot: Snapshot) -> str:
    return f"{PATH}/{snapshot.id}"


def create_attributes(cell: Cell) -> SnapshotCreateAttributes:
    return SnapshotCreateAttributes(
        application_id=APP_ID,
        device_type="mobile",
        event_id=f"ev {cell.tag}",
        is_device_type_selected_by_user=True,
        snapshot_name=cell.tag,
        start=1_000,
        view_name=VIEW,
    )


async def run_create(cell: Cell) -> Outcomes:
    try:
        made = await cell.snapshots.create(create_attributes(cell))
    except ApiError as error:
        return {PATH: error}
    assert made.name == cell.tag and cell.store[made.id] == made
    return {PATH: None}


async def run_update(cell: Cell) -> Outcomes:
    target = cell.targets[0]
    change = SnapshotUpdateAttributes(
        event_id="ev updated", is_device_type_selected_by_user=False, start=NEW_START
    )
    try:
        updated = await cell.snapshots.update(target.id, change)
    except ApiError as error:
        return {item_path(target): error}
    assert updated.attributes.start == NEW_START and cell.store[target.id] == updated
    return {item_path(target): None}


async def run_bulk(cell: Cell) -> Outcomes:
    result = await cell.snapshots.delete_many(cell.targets)
    assert sorted([*result.deleted, *result.failed]) == sorted(t.id for t in cell.targets)
    if result.failed:
        assert result.summary().startswith(f"{len(result.deleted)} deleted, {len(result.failed)} failed: ")
    return {item_path(t): result.failed.get(t.id) for t in cell.targets}


async def run_list(cell: Cell) -> Outcomes:
    try:
        page = await cell.snapshots.list(VIEW, application_id=APP_ID)
    except ApiError as error:
        return {PATH: error}
    assert [s.id for s in page.items] == [s.id for s in truth(cell.server)]
    return {PATH: None}


def created(cell: Cell) -> list[bool]:
    same = [s for s in cell.store.values() if s.name == cell.tag]
    assert len(same) <= 1, f"create was applied {len(same)} times"
    return [bool(same)]


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("list", "GET", 0, lambda c: [PATH], lambda c, p: f"list the snapshots of {VIEW}", run_list),
        Op(
            "create",
            "POST",
            0,
            lambda c: [PATH],
            lambda c, p: f"create snapshot {c.tag!r}",
            run_create,
            applied=created,
            store_delta=1,
        ),
        Op(
            "update",
            "PATCH",
            1,
            lambda c: [item_path(c.targets[0])],
            lambda c, p: f"update snapshot {c.targets[0].id}",
            run_update,
            applied=lambda c: [c.store[c.targets[0].id].attributes.start == NEW_START],
        ),
        Op(
            "delete",
            "DELETE",
            1,
            lambda c: [item_path(c.targets[0])],
            lambda c, p: f"delete snapshot {c.targets[0].id}",
            lambda c: single(item_path(c.targets[0]), c.snapshots.delete(c.targets[0].id)),
            applied=lambda c: [c.targets[0].id not in c.store],
            store_delta=-1,
        ),
        Op(
            "bulk delete",
            "DELETE",
            BULK,
            lambda c: [item_path(t) for t in c.targets],
            lambda c, p: f"delete snapshot {p.rsplit('/', 1)[1]}",
            run_bulk,
            applied=lambda c: [t.id not in c.store for t in c.targets],
            store_delta=-BULK,
        ),
        Op(
            "list apps",
            "GET",
            0,
            lambda c: [APPS],
            lambda c, p: "list the RUM applications",
            lambda c: single(APPS, c.rum.list_applications()),
        ),
        Op(
            "validate keys",
            "GET",
            0,
            lambda c: [VALIDATE_KEYS],
            lambda c, p: "validate the keys",
            lambda c: single(VALIDATE_KEYS, c.rum.validate_keys()),
        ),
    )
}


def truth(server: DevServer) -> list[Snapshot]:
    return server.store.list_snapshots(VIEW, application_id=APP_ID, limit=1000)


# --- running a cell --------------------------------------------------------------------------------

RESULTS: dict[tuple[str, str], bool] = {}  # (fault, op) -> passed


@pytest.fixture(scope="module")
def server() -> Iterator[DevServer]:
    with DevServer(seed=True) as srv:
        for i in range(6):
            srv.store.new_snapshot(application_id=APP_ID, view_name=VIEW, snapshot_name=f"seed #{i}")
        yield srv


@pytest.fixture
def fresh(server: DevServer) -> Iterator[DevServer]:
    server.faults.clear()
    server.set_rate_limit(None)
    server.reset_stats()
    yield server
    server.faults.clear()
    server.start()  # a no-op unless a "refused" cell failed before it restarted the server


async def run_cell(server: DevServer, op: Op, fault_name: str) -> None:
    fault = MATRIX[fault_name]
    expect = expected(fault, op.method)
    sleep = RecordingSleep()
    client = make_client(server, sleep, timeout=SHORT_READ if fault_name == "timeout" else None)
    cell = Cell(server, client, tag=f"fm {fault_name} {op.name}")
    cell.targets = [
        server.store.new_snapshot(application_id=APP_ID, view_name=VIEW, snapshot_name=f"{cell.tag} #{i}")
        for i in range(op.items)
    ]
    paths = op.paths(cell)
    for path in paths:
        fault.arm(server, op.method, path)
    before = len(cell.store)
    if fault_name == "refused":
        server.stop()
    try:
        outcomes = await op.run(cell)
    finally:
        if fault_name == "refused":
            server.start()  # the same port and store: the server is back
    server.faults.clear()
    try:
        assert list(outcomes) == paths
        # Only the documented error, as a plain sentence naming the operation and the site.
        for path, error in outcomes.items():
            if expect.error is None:
                assert error is None, f"{path}: {error}"
                continue
            assert type(error) is expect.error, f"{path}: expected {expect.error.__name__}, got {error!r}"
            assert_plain_sentence(error, op=op.phrase(cell, path), site=client.site.label, says=fault.says)
        # The retry policy, counted where the requests land.
        if fault_name == "refused":
            assert server.count() == 0
        for path in paths:
            seen = await wait_for_count(
                server, 0 if fault_name == "refused" else expect.tries, op.method, path
            )
            assert seen == (0 if fault_name == "refused" else expect.tries), f"{op.method} {path}"
        assert client.requests_sent == expect.tries * len(paths)
        if len(paths) == 1:
            assert len(sleep.waits) == expect.tries - 1
            if fault_name.startswith("429"):
                assert sleep.waits == [1.0] * (expect.tries - 1)  # waited X-RateLimit-Reset
        else:
            assert len(sleep.waits) >= (expect.tries - 1) * len(paths)
        # Writes: applied exactly when expected, never twice.
        if op.applied is not None:
            assert op.applied(cell) == [expect.applied] * len(paths)
            assert len(cell.store) == before + (op.store_delta if expect.applied else 0)
        else:
            assert len(cell.store) == before
        # Recovery: with the fault gone the same client sees the server's truth.
        page = await cell.snapshots.list(VIEW, application_id=APP_ID)
        assert [s.model_dump() for s in page.items] == [s.model_dump() for s in truth(server)]
        apps = await cell.rum.list_applications()
        assert sorted(a.id for a in apps) == sorted(server.store.applications)
        await cell.rum.validate_keys()
    finally:
        await client.aclose()


@pytest.mark.parametrize("op_name", list(OPS))
@pytest.mark.parametrize("fault_name", list(MATRIX))
async def test_fault_cell(fresh: DevServer, fault_name: str, op_name: str) -> None:
    RESULTS[(fault_name, op_name)] = False
    await run_cell(fresh, OPS[op_name], fault_name)
    RESULTS[(fault_name, op_name)] = True


def test_zz_print_matrix_summary(request: pytest.FixtureRequest) -> None:
    lines = matrix_lines("fault matrix", MATRIX, OPS, RESULTS)
    report(request.config, lines)
    failed = [cell for cell, good in RESULTS.items() if not good]
    assert not failed, f"failed cells: {failed}"
