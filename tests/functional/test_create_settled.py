"""A create whose answer was lost is settled by looking for the snapshot, never guessed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import BadRequest
from heatmap_tui.core.models import SnapshotCreateAttributes
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import PATH, CreateState, SnapshotService
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer

VIEW = "/settle"


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture(params=[None, datetime(2026, 5, 1, 12, tzinfo=UTC)], ids=["wall-clock", "frozen-clock"])
def devserver(request: pytest.FixtureRequest) -> Iterator[DevServer]:
    """The server's clock may be far from ours: the settle reads it from the Date header."""
    with DevServer(seed=True, now=request.param) as server:
        yield server


@pytest.fixture
async def service(devserver: DevServer):
    client = DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY), sleep=_no_wait)
    async with client:
        yield SnapshotService(client)


def attributes(app_id: str, name: str = "Settled shot") -> SnapshotCreateAttributes:
    return SnapshotCreateAttributes(
        application_id=app_id,
        device_type="desktop",
        event_id="ev-settle",
        is_device_type_selected_by_user=True,
        snapshot_name=name,
        start=1200,
        view_name=VIEW,
    )


def app_id(devserver: DevServer) -> str:
    return next(iter(devserver.store.applications))


def on_server(devserver: DevServer) -> list[str]:
    return [s.id for s in devserver.store.list_snapshots(VIEW)]


async def test_an_answer_lost_after_the_create_is_found_and_reported_created(service, devserver) -> None:
    devserver.faults.drop_next(method="POST", path_prefix=PATH, after_apply=True)
    outcome = await service.create_settled(attributes(app_id(devserver)))
    assert outcome.state is CreateState.CREATED and outcome.found
    assert outcome.snapshot is not None and on_server(devserver) == [outcome.snapshot.id]
    assert "it was created" in outcome.message() and outcome.snapshot.id in outcome.message()


async def test_an_answer_lost_before_the_create_is_reported_not_created(service, devserver) -> None:
    devserver.faults.drop_next(method="POST", path_prefix=PATH)
    outcome = await service.create_settled(attributes(app_id(devserver)))
    assert outcome.state is CreateState.NOT_CREATED and outcome.snapshot is None
    assert on_server(devserver) == [] and "was not created" in outcome.message()
    again = await service.create_settled(attributes(app_id(devserver)))
    assert again.state is CreateState.CREATED and not again.found and len(on_server(devserver)) == 1


async def test_a_5xx_is_settled_too(service, devserver) -> None:
    devserver.faults.fail_next(503, method="POST", path_prefix=PATH)
    outcome = await service.create_settled(attributes(app_id(devserver)))
    assert outcome.state is CreateState.NOT_CREATED and outcome.lost is not None


async def test_a_settle_that_fails_says_unknown(service, devserver) -> None:
    devserver.faults.drop_next(method="POST", path_prefix=PATH, after_apply=True)
    devserver.faults.fail_next(503, count=10, method="GET", path_prefix=PATH)
    outcome = await service.create_settled(attributes(app_id(devserver)))
    assert outcome.state is CreateState.UNKNOWN and outcome.snapshot is None
    assert "unknown" in outcome.message() and "Check again" in outcome.message()
    devserver.faults.clear()
    later = await service.settle_create(
        attributes(app_id(devserver)), time.monotonic() - 60, lost=outcome.lost
    )
    assert later.state is CreateState.CREATED and later.snapshot is not None
    assert on_server(devserver) == [later.snapshot.id]


async def test_a_cut_list_without_the_snapshot_is_unknown_not_absent(service, devserver) -> None:
    app = app_id(devserver)
    for i in range(3):
        devserver.store.new_snapshot(application_id=app, view_name=VIEW, snapshot_name=f"other {i}")
    service.page_limit = 3
    devserver.faults.drop_next(method="POST", path_prefix=PATH)
    outcome = await service.create_settled(attributes(app))
    assert outcome.state is CreateState.UNKNOWN and "3 snapshots" in (outcome.problem or "")


async def test_an_old_identical_snapshot_is_not_taken_for_the_lost_one(service, devserver) -> None:
    app = app_id(devserver)
    old = attributes(app)
    devserver.store.new_snapshot(
        application_id=app,
        view_name=VIEW,
        snapshot_name=old.snapshot_name,
        event_id=old.event_id,
        start=old.start,
        created_at=devserver.clock() - timedelta(days=3),
    )
    devserver.faults.drop_next(method="POST", path_prefix=PATH)
    outcome = await service.create_settled(old)
    assert outcome.state is CreateState.NOT_CREATED


async def test_a_refused_create_is_raised_as_it_is(service, devserver) -> None:
    devserver.faults.fail_next(400, method="POST", path_prefix=PATH)
    with pytest.raises(BadRequest):
        await service.create_settled(attributes(app_id(devserver)))
