"""SnapshotService and RumService against the embedded server over real loopback HTTP."""

from __future__ import annotations

import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import AuthError, BadRequest, NetworkError, NotFound, RateLimited, ServerError
from heatmap_tui.core.models import SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import PATH, SnapshotService
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"


class RecordingSleep:
    """Records the waits the client asks for, and waits only a token amount."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def client(devserver, sleep):
    c = DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY), sleep=sleep)
    yield c
    await c.aclose()


@pytest.fixture
def service(client) -> SnapshotService:
    return SnapshotService(client)


def new_attributes(app_id: str, **changes) -> SnapshotCreateAttributes:
    fields = {
        "application_id": app_id,
        "device_type": "mobile",
        "event_id": "ev-new",
        "is_device_type_selected_by_user": True,
        "snapshot_name": "Checkout on mobile",
        "start": 61_500,
        "view_name": "/checkout",
        "session_id": "s-new",
    }
    fields.update(changes)
    return SnapshotCreateAttributes(**fields)


async def browser_app(client) -> str:
    apps = await RumService(client).list_applications()
    return next(a.application_id for a in apps if a.attributes.type == "browser")


async def test_list_filters_by_view_device_and_application(service, client) -> None:
    app_id = await browser_app(client)
    page = await service.list("/home", application_id=app_id)
    assert page.items and all(s.view_name == "/home" and s.application_id == app_id for s in page.items)
    assert {s.device_type for s in page.items} >= {"desktop", "mobile", "tablet"}
    mobile = await service.list("/home", device_type="mobile", application_id=app_id)
    assert mobile.items and all(s.device_type == "mobile" for s in mobile.items)
    assert len(mobile.items) < len(page.items)


async def test_a_full_page_says_it_may_be_cut_short(service) -> None:
    page = await service.list("/home", limit=2)
    assert len(page.items) == 2 and page.may_be_truncated
    assert not (await service.list("/home", limit=1000)).may_be_truncated


async def test_create_update_delete_round_trip(service, client, devserver) -> None:
    app_id = await browser_app(client)
    created = await service.create(new_attributes(app_id))
    a = created.attributes
    assert created.id and a.created_at and a.modified_at and a.created_by and a.created_by_handle
    assert a.org_id is not None and a.created_by_user_id is not None
    assert created.id in devserver.store.snapshots

    updated = await service.update(
        created.id,
        SnapshotUpdateAttributes(
            event_id="ev-2", is_device_type_selected_by_user=False, start=5, view_id="v-9"
        ),
    )
    assert (updated.attributes.event_id, updated.attributes.start, updated.attributes.view_id) == (
        "ev-2",
        5,
        "v-9",
    )
    assert updated.name == "Checkout on mobile"  # PATCH cannot change it
    assert updated.attributes.modified_at >= a.modified_at

    await service.delete(created.id)
    assert created.id not in devserver.store.snapshots
    with pytest.raises(NotFound, match=r"Could not delete snapshot .* on http://127.0.0.1:"):
        await service.delete(created.id)
    with pytest.raises(NotFound):
        await service.update(
            created.id, SnapshotUpdateAttributes(event_id="e", is_device_type_selected_by_user=True, start=1)
        )


async def test_missing_view_filter_is_a_bad_request_with_the_servers_message(client) -> None:
    with pytest.raises(BadRequest) as info:
        await client.request("list snapshots", "GET", PATH)
    assert info.value.status == 400
    assert any("filter[view_name]" in m for m in info.value.messages)
    assert "filter[view_name]" in str(info.value)


async def test_wrong_keys_are_an_auth_error_that_never_shows_the_key(devserver) -> None:
    secret = "WRONGKEY0123456789abcdefWRONGKEY"
    async with DatadogClient(custom_site(devserver.url), ApiAuth(secret, "nope-app-key-12345")) as c:
        with pytest.raises(AuthError) as info:
            await SnapshotService(c).list("/home")
        with pytest.raises(AuthError):
            await RumService(c).validate_keys()
    assert info.value.status == 403
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert "Could not list the snapshots of /home on" in str(info.value)


async def test_validate_keys_and_api_key_alone(client, devserver) -> None:
    await RumService(client).validate_keys()
    await RumService(client).validate_api_key()
    async with DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, "wrong-app-key")) as c:
        await RumService(c).validate_api_key()  # the API key alone is fine
        with pytest.raises(AuthError):
            await RumService(c).validate_keys()


async def test_list_applications(client) -> None:
    apps = await RumService(client).list_applications()
    assert len(apps) >= 3
    assert {a.attributes.type for a in apps} >= {"browser", "ios", "android"}


@pytest.mark.parametrize("status", [429, 503])
async def test_get_retries_429_and_503_counted_at_the_server(service, devserver, sleep, status) -> None:
    devserver.reset_stats()
    devserver.faults.fail_next(status, count=2, method="GET", path_prefix=SNAPSHOTS, reset=2)
    page = await service.list("/home")
    assert page.items
    assert devserver.count(method="GET", path_prefix=SNAPSHOTS) == 3
    assert len(sleep.waits) == 2
    if status == 429:
        assert sleep.waits == [2.0, 2.0]  # waited X-RateLimit-Reset


async def test_get_gives_up_after_three_tries(service, devserver) -> None:
    devserver.reset_stats()
    devserver.faults.fail_next(503, count=5, method="GET", path_prefix=SNAPSHOTS)
    with pytest.raises(ServerError, match="HTTP 503"):
        await service.list("/home")
    assert devserver.count(method="GET", path_prefix=SNAPSHOTS) == 3


async def test_post_is_retried_on_429_only(service, client, devserver) -> None:
    app_id = await browser_app(client)
    devserver.reset_stats()
    devserver.faults.fail_next(429, count=1, method="POST", path_prefix=SNAPSHOTS, reset=1)
    await service.create(new_attributes(app_id, snapshot_name="after 429"))
    assert devserver.count(method="POST", path_prefix=SNAPSHOTS) == 2

    devserver.reset_stats()
    devserver.faults.fail_next(503, count=1, method="POST", path_prefix=SNAPSHOTS)
    with pytest.raises(ServerError):
        await service.create(new_attributes(app_id, snapshot_name="after 503"))
    assert devserver.count(method="POST", path_prefix=SNAPSHOTS) == 1


async def test_rate_limited_after_every_try_is_a_plain_rate_limit_error(service, devserver) -> None:
    devserver.faults.fail_next(429, count=3, method="GET", path_prefix=SNAPSHOTS, reset=1)
    with pytest.raises(RateLimited, match="rate limit"):
        await service.list("/home")


async def test_no_duplicate_create_when_the_connection_drops_after_the_request(
    service, client, devserver
) -> None:
    app_id = await browser_app(client)
    before = len(devserver.store.snapshots)
    devserver.reset_stats()
    devserver.faults.drop_next(count=1, method="POST", path_prefix=SNAPSHOTS, after_apply=True)
    with pytest.raises(NetworkError, match=r"closed before the answer arrived|broke while reading"):
        await service.create(new_attributes(app_id, snapshot_name="dropped"))
    assert devserver.count(method="POST", path_prefix=SNAPSHOTS) == 1
    assert len(devserver.store.snapshots) == before + 1
    names = [s.name for s in devserver.store.snapshots.values()]
    assert names.count("dropped") == 1


async def test_delete_that_succeeded_before_its_answer_was_lost_counts_as_done(service, devserver) -> None:
    victim = (await service.list("/cart")).items[0]
    devserver.reset_stats()
    devserver.faults.drop_next(count=1, method="DELETE", after_apply=True)
    await service.delete(victim.id)  # the retry sees 404, which means done
    assert devserver.count(method="DELETE") == 2
    assert victim.id not in devserver.store.snapshots


async def test_waiting_for_the_reset_really_avoids_the_429(devserver) -> None:
    devserver.set_rate_limit(2, 1.0)
    async with DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)) as c:
        service = SnapshotService(c)
        devserver.reset_stats()
        for _ in range(4):
            await service.list("/home")
        assert c.rate_limit.waits >= 1
    statuses = [r.status for r in devserver.requests]
    assert 429 not in statuses and len(statuses) == 4


async def test_server_down_is_a_network_error_naming_the_site(devserver) -> None:
    url = devserver.url
    devserver.stop()
    policy = RetryPolicy(base_delay=0.01, max_delay=0.02)
    async with DatadogClient(custom_site(url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY), retry=policy) as c:
        with pytest.raises(NetworkError, match=f"could not connect to {url}"):
            await SnapshotService(c).list("/home")


async def test_map_views_hands_each_page_over_as_it_arrives_in_the_order_asked(service, devserver) -> None:
    seen: list[tuple[str, int]] = []

    def count(view: str, page) -> int:
        seen.append((view, len(page.items)))
        return len(page.items)

    views = ["/search", "/home", "/cart", "/home"]
    counts = await service.map_views(count, views, concurrency=2)
    assert list(counts) == ["/search", "/home", "/cart"]  # asked order, each view once
    assert sorted(seen) == sorted(counts.items())
    expected = {
        v: sum(1 for s in devserver.store.snapshots.values() if s.attributes.view_name == v) for v in counts
    }
    assert counts == expected and all(counts.values())


async def test_bulk_delete_and_multi_view_listing(service, devserver) -> None:
    pages = await service.list_views(["/home", "/cart", "/search"], concurrency=2)
    assert set(pages) == {"/home", "/cart", "/search"} and all(p.items for p in pages.values())
    victims = pages["/cart"].items[:5]
    seen: list[str] = []
    kept: list[str] = []

    async def before_delete(snapshot) -> None:
        kept.append(snapshot.id)
        assert snapshot.id in devserver.store.snapshots  # the copy is taken before the DELETE

    devserver.faults.fail_next(404, count=1, method="DELETE")
    result = await service.delete_many(
        victims, concurrency=3, before_delete=before_delete, on_progress=lambda sid, err: seen.append(sid)
    )
    assert len(result.deleted) == 4 and len(result.failed) == 1
    assert sorted(seen) == sorted(kept) == sorted(v.id for v in victims)
    assert "4 deleted, 1 failed" in result.summary()
    assert all(i not in devserver.store.snapshots for i in result.deleted)


async def test_a_delete_that_was_only_rate_limited_then_404_is_not_reported_done(service, devserver) -> None:
    devserver.reset_stats()
    devserver.faults.fail_next(429, count=1, method="DELETE", reset=1)
    with pytest.raises(NotFound):
        await service.delete("no-such-snapshot")  # the 429 never reached the store: 404 is the truth
    assert devserver.count(method="DELETE") == 2


async def test_server_messages_become_one_short_line_and_blank_ones_are_dropped() -> None:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"errors": ["", "first\n  line\ttwo", "x" * 1000]})

    async with DatadogClient(
        custom_site("http://127.0.0.1:9"), ApiAuth("k", "a"), transport=httpx.MockTransport(answer)
    ) as c:
        with pytest.raises(BadRequest) as info:
            await c.request("list snapshots", "GET", "/x")
    messages = info.value.messages
    assert messages[0] == "first line two"
    assert len(messages) == 2 and len(messages[1]) == 300 and messages[1].endswith("…")
    assert "\n" not in str(info.value)
