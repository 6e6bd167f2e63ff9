"""The dev server's endpoints over real loopback HTTP: success shapes, errors, auth, rate limits."""

from __future__ import annotations

import http.client
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from heatmap_tui.core.models import (
    RumApplicationListResponse,
    SnapshotListResponse,
    SnapshotResponse,
)
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_BEARER_TOKEN, DevServer, KeyRing, User

SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"
RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def client(devserver, demo_headers):
    # verify=False: plain HTTP on loopback, and it spares loading the CA bundle for every test.
    with httpx.Client(base_url=devserver.url, headers=demo_headers, timeout=5, verify=False) as c:
        yield c


@pytest.fixture(scope="module")
def plain():
    """A client with no credentials of its own."""
    with httpx.Client(timeout=5, verify=False) as c:
        yield c


def web_app_id(devserver) -> str:
    return next(
        a.id
        for a in devserver.store.applications.values()
        if a.attributes.type == "browser" and a.attributes.is_active
    )


def create_body(app_id: str, **changes) -> dict:
    attributes = {
        "application_id": app_id,
        "device_type": "desktop",
        "event_id": "ev-1",
        "is_device_type_selected_by_user": False,
        "snapshot_name": "Home test",
        "start": 1500,
        "view_name": "/home",
        "session_id": "sess-1",
        "view_id": "view-1",
    }
    attributes.update(changes)
    return {"data": {"type": "snapshots", "attributes": attributes}}


def details(response: httpx.Response) -> list[str]:
    errors = response.json()["errors"]
    assert all(e["status"] == "400" and e["title"] == "Bad Request" for e in errors)
    return [e["detail"] for e in errors]


# --- snapshots ---------------------------------------------------------------


def test_list_is_filtered_and_newest_modified_first(client, devserver) -> None:
    r = client.get(SNAPSHOTS, params={"filter[view_name]": "/home"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert set(r.json()) == {"data"}  # no meta, no links: one page
    snapshots = SnapshotListResponse.model_validate(r.json()).data
    assert snapshots and all(s.view_name == "/home" for s in snapshots)
    modified = [s.attributes.modified_at for s in snapshots]
    assert modified == sorted(modified, reverse=True)
    first = r.json()["data"][0]["attributes"]
    assert RFC3339_MS.match(first["created_at"]) and RFC3339_MS.match(first["modified_at"])
    assert {"created_by", "created_by_handle", "created_by_user_id", "org_id"} <= set(first)

    app_id = web_app_id(devserver)
    r = client.get(
        SNAPSHOTS,
        params={
            "filter[view_name]": "/home",
            "filter[device_type]": "tablet",
            "filter[application_id]": app_id,
        },
    )
    tablets = SnapshotListResponse.model_validate(r.json()).data
    assert tablets and all(s.device_type == "tablet" and s.application_id == app_id for s in tablets)
    expected = devserver.store.list_snapshots("/home", "tablet", app_id)
    assert [s.id for s in tablets] == [s.id for s in expected]


def test_list_needs_filter_view_name(client) -> None:
    r = client.get(SNAPSHOTS)
    assert r.status_code == 400
    assert "filter[view_name]" in details(r)[0]


def test_page_limit_defaults_to_100_and_is_clamped_to_1000(client, devserver) -> None:
    app_id = web_app_id(devserver)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(1100):
        devserver.store.new_snapshot(
            application_id=app_id,
            view_name="/many",
            id=f"many-{i:04d}",
            created_at=base + timedelta(minutes=i),
        )
    r = client.get(SNAPSHOTS, params={"filter[view_name]": "/many"})
    assert len(r.json()["data"]) == 100
    assert r.json()["data"][0]["id"] == "many-1099"  # newest first
    r = client.get(SNAPSHOTS, params={"filter[view_name]": "/many", "page[limit]": 5000})
    assert len(r.json()["data"]) == 1000
    r = client.get(SNAPSHOTS, params={"filter[view_name]": "/many", "page[limit]": 7})
    assert len(r.json()["data"]) == 7
    for bad in ("abc", "0", "-3", "1.5"):
        r = client.get(SNAPSHOTS, params={"filter[view_name]": "/many", "page[limit]": bad})
        assert r.status_code == 400 and "page[limit]" in details(r)[0], bad


def test_create_sets_the_server_fields(client, devserver) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    r = client.post(SNAPSHOTS, json=create_body(web_app_id(devserver)))
    assert r.status_code == 201
    raw = r.json()["data"]["attributes"]
    snapshot = SnapshotResponse.model_validate(r.json()).data
    assert uuid.UUID(snapshot.id).version == 4
    assert RFC3339_MS.match(raw["created_at"]) and raw["created_at"] == raw["modified_at"]
    assert snapshot.attributes.created_at >= before
    a = snapshot.attributes
    assert (a.created_by, a.created_by_handle, a.created_by_user_id, a.org_id) == (
        "Demo User",
        "demo@shop.example",
        1000001,
        321813,
    )
    assert (a.snapshot_name, a.start, a.session_id, a.view_id) == ("Home test", 1500, "sess-1", "view-1")
    assert devserver.store.snapshots[snapshot.id] == snapshot


def test_create_stamps_the_user_of_the_key_or_token(plain) -> None:
    grace = User("Grace Hopper", "grace@example.com", 42, org_id=7)
    keys = KeyRing({("k" * 32, "a" * 40): grace}, {"tok": User("Bot", "bot@example.com", 9, 8)})
    with DevServer(seed=True, keys=keys) as srv:
        app_id = web_app_id(srv)
        r = plain.post(
            srv.url + SNAPSHOTS,
            json=create_body(app_id),
            headers={"DD-API-KEY": "k" * 32, "DD-APPLICATION-KEY": "a" * 40},
        )
        assert r.json()["data"]["attributes"]["created_by_handle"] == "grace@example.com"
        assert r.json()["data"]["attributes"]["org_id"] == 7
        r = plain.post(srv.url + SNAPSHOTS, json=create_body(app_id), headers={"Authorization": "Bearer tok"})
        assert r.status_code == 201 and r.json()["data"]["attributes"]["created_by"] == "Bot"
        demo = plain.get(
            srv.url + "/api/v2/rum/applications", headers={"Authorization": f"Bearer {DEMO_BEARER_TOKEN}"}
        )
        assert demo.status_code == 403  # keys= replaces the demo credentials


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"{}", 'data: missing required attribute "data"'),
        (
            b'{"data": {"type": "snapshot", "attributes": {}}}',
            'data.type: got type "snapshot" expected one of "snapshots"',
        ),
    ],
)
def test_create_rejects_bad_bodies_in_json_api_shape(client, body, expected) -> None:
    r = client.post(SNAPSHOTS, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert any(expected in d for d in details(r)), details(r)


def test_create_names_every_missing_or_mistyped_attribute(client, devserver) -> None:
    body = create_body(web_app_id(devserver), start="10", is_device_type_selected_by_user="yes")
    del body["data"]["attributes"]["snapshot_name"]
    r = client.post(SNAPSHOTS, json=body)
    assert r.status_code == 400
    found = details(r)
    assert 'data.attributes.snapshot_name: missing required attribute "snapshot_name"' in found
    assert "data.attributes.start: expected integer, got string" in found
    assert "data.attributes.is_device_type_selected_by_user: expected boolean, got string" in found
    assert len(found) == 3
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert "/data/attributes/start" in pointers


def test_update_changes_only_what_it_may(client, devserver) -> None:
    created = client.post(SNAPSHOTS, json=create_body(web_app_id(devserver))).json()["data"]
    sid = created["id"]
    time.sleep(0.005)
    body = {
        "data": {
            "id": sid,
            "type": "snapshots",
            "attributes": {"event_id": "ev-2", "is_device_type_selected_by_user": True, "start": 99},
        }
    }
    r = client.patch(f"{SNAPSHOTS}/{sid}", json=body)
    assert r.status_code == 200
    a = r.json()["data"]["attributes"]
    assert (a["event_id"], a["start"], a["is_device_type_selected_by_user"]) == ("ev-2", 99, True)
    assert a["snapshot_name"] == "Home test" and a["created_at"] == created["attributes"]["created_at"]
    assert a["modified_at"] > created["attributes"]["modified_at"]
    assert devserver.store.snapshots[sid].attributes.event_id == "ev-2"

    body["data"]["attributes"]["snapshot_name"] = "renamed"
    r = client.patch(f"{SNAPSHOTS}/{sid}", json=body)
    assert r.status_code == 400
    assert any("snapshot_name" in d and "cannot be changed" in d for d in details(r))
    assert devserver.store.snapshots[sid].name == "Home test"

    del body["data"]["attributes"]["snapshot_name"]
    body["data"]["id"] = "other-id"
    r = client.patch(f"{SNAPSHOTS}/{sid}", json=body)
    assert r.status_code == 400 and "data.id" in details(r)[0]

    body["data"]["id"] = "no-such-id"
    r = client.patch(f"{SNAPSHOTS}/no-such-id", json=body)
    assert r.status_code == 404 and r.json() == {"errors": ["Snapshot not found"]}


def test_delete_answers_204_without_a_body_then_404(client, devserver) -> None:
    sid = next(iter(devserver.store.snapshots))
    r = client.delete(f"{SNAPSHOTS}/{sid}")
    assert r.status_code == 204 and r.content == b""
    assert sid not in devserver.store.snapshots
    r = client.delete(f"{SNAPSHOTS}/{sid}")
    assert r.status_code == 404 and r.json() == {"errors": ["Snapshot not found"]}


# --- auth and key checks -------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"DD-API-KEY": DEMO_API_KEY},
        {"DD-API-KEY": DEMO_API_KEY, "DD-APPLICATION-KEY": "0" * 40},
        {"Authorization": "Bearer nope"},
    ],
)
def test_every_endpoint_needs_valid_credentials(devserver, plain, headers) -> None:
    for method, path in [
        ("GET", SNAPSHOTS + "?filter[view_name]=/home"),
        ("POST", SNAPSHOTS),
        ("PATCH", SNAPSHOTS + "/x"),
        ("DELETE", SNAPSHOTS + "/x"),
        ("GET", "/api/v2/rum/applications"),
        ("POST", "/api/v2/rum/events/search"),
        ("POST", "/api/v2/rum/analytics/aggregate"),
    ]:
        r = plain.request(method, devserver.url + path, headers=headers, json={})
        assert r.status_code == 403 and r.json() == {"errors": ["Forbidden"]}, (method, path)


def test_bearer_token_is_accepted(devserver, plain) -> None:
    r = plain.get(
        devserver.url + "/api/v2/rum/applications", headers={"Authorization": f"Bearer {DEMO_BEARER_TOKEN}"}
    )
    assert r.status_code == 200


def test_key_checks_tell_which_key_is_wrong(devserver, plain, demo_headers) -> None:
    def check(path: str, headers: dict) -> httpx.Response:
        return plain.get(devserver.url + path, headers=headers)

    assert check("/api/v1/validate", {"DD-API-KEY": DEMO_API_KEY}).json() == {"valid": True}
    assert check("/api/v2/validate_keys", demo_headers).json() == {"status": "ok"}
    wrong_app = {"DD-API-KEY": DEMO_API_KEY, "DD-APPLICATION-KEY": "f" * 40}
    assert check("/api/v1/validate", wrong_app).status_code == 200
    r = check("/api/v2/validate_keys", wrong_app)
    assert r.status_code == 403 and r.json() == {"errors": ["Forbidden"]}
    r = check("/api/v1/validate", {"DD-API-KEY": "f" * 32})
    assert r.status_code == 403 and r.json() == {"errors": ["Forbidden"]}


def test_unknown_paths_and_methods(client) -> None:
    r = client.get("/api/v2/nothing-here")
    assert r.status_code == 404 and r.json() == {"errors": ["Not found"]}
    r = client.put(SNAPSHOTS + "/abc", json={})
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"PATCH", "DELETE"}


# --- RUM applications, aggregation, event search ----------------------------


def test_applications_carry_every_documented_attribute(client) -> None:
    r = client.get("/api/v2/rum/applications")
    apps = RumApplicationListResponse.model_validate(r.json()).data
    assert len(apps) >= 3 and {a.attributes.type for a in apps} >= {"browser", "ios", "android"}
    assert any(a.attributes.is_active is False for a in apps)
    for raw in r.json()["data"]:
        assert raw["type"] == "rum_application" and raw["id"] == raw["attributes"]["application_id"]
        assert {
            "application_id",
            "name",
            "type",
            "created_at",
            "updated_at",
            "created_by_handle",
            "updated_by_handle",
            "org_id",
            "is_active",
            "hash",
            "tags",
        } <= set(raw["attributes"])
        assert isinstance(raw["attributes"]["created_at"], int)


def test_aggregate_counts_views_busiest_first(client, devserver) -> None:
    app_id = web_app_id(devserver)
    body = {
        "compute": [{"aggregation": "count"}],
        "filter": {"query": f"@type:view @application.id:{app_id}", "from": "now-30d", "to": "now"},
        "group_by": [{"facet": "@view.name", "limit": 100}],
    }
    r = client.post("/api/v2/rum/analytics/aggregate", json=body)
    assert r.status_code == 200
    assert {"elapsed", "request_id"} <= set(r.json()["meta"]) and r.json()["meta"]["status"] == "done"
    buckets = r.json()["data"]["buckets"]
    counts = [b["computes"]["c0"] for b in buckets]
    assert len(buckets) >= 12 and counts == sorted(counts, reverse=True)
    names = {b["by"]["@view.name"] for b in buckets}
    assert "/home" in names and "/checkout" in names
    since = (devserver.clock() - timedelta(days=30)).timestamp() * 1000
    expected = sum(1 for e in devserver.store.events if e.application_id == app_id and e.date >= since)
    assert sum(counts) == expected
    body["group_by"][0]["limit"] = 3
    assert len(client.post("/api/v2/rum/analytics/aggregate", json=body).json()["data"]["buckets"]) == 3
    body["filter"]["query"] = "@type:view @application.id:nope"
    assert client.post("/api/v2/rum/analytics/aggregate", json=body).json()["data"]["buckets"] == []


def test_event_search_filters_sorts_and_pages(client, devserver) -> None:
    query = '@type:view @view.name:"/home" @session.has_replay:true @device.type:desktop'
    body = {
        "filter": {"query": query, "from": "now-30d", "to": "now"},
        "page": {"limit": 7},
        "sort": "-timestamp",
    }
    seen, pages = [], 0
    while True:
        r = client.post("/api/v2/rum/events/search", json=body)
        assert r.status_code == 200 and r.json()["meta"]["status"] == "done"
        data = r.json()["data"]
        seen += data
        pages += 1
        after = r.json()["meta"].get("page", {}).get("after")
        if after is None:
            break
        assert len(data) == 7
        body["page"]["cursor"] = after
    expected = [
        e
        for e in devserver.store.events
        if e.view_name == "/home" and e.has_replay and e.device_type == "desktop"
    ]
    assert pages > 1 and [e["id"] for e in seen] == [e.id for e in expected]
    dates = [e["attributes"]["attributes"]["date"] for e in seen]
    assert dates == sorted(dates, reverse=True)
    inner = seen[0]["attributes"]["attributes"]
    assert seen[0]["type"] == "rum" and RFC3339_MS.match(seen[0]["attributes"]["timestamp"])
    assert inner["view"]["name"] == "/home" and inner["view"]["url"].endswith("/home")
    assert inner["view"]["time_spent"] > 1_000_000 and inner["device"]["type"] == "desktop"
    assert inner["session"]["has_replay"] is True and inner["application"]["id"]


def test_event_search_time_bounds_and_defaults(client, devserver) -> None:
    events = devserver.store.events
    oldest, newest = events[-1], events[0]
    session = newest.session_id
    r = client.post(
        "/api/v2/rum/events/search",
        json={
            "filter": {"query": f"@session.id:{session} @foo.bar:baz", "from": "now-30d"},
            "sort": "timestamp",
            "page": {"limit": 1000},
        },
    )
    data = r.json()["data"]
    assert data and all(e["attributes"]["attributes"]["session"]["id"] == session for e in data)
    dates = [e["attributes"]["attributes"]["date"] for e in data]
    assert dates == sorted(dates)
    r = client.post(
        "/api/v2/rum/events/search",
        json={"filter": {"from": oldest.date, "to": str(oldest.date)}, "page": {"limit": 1000}},
    )
    assert oldest.id in [e["id"] for e in r.json()["data"]]
    iso = datetime.fromtimestamp(newest.date / 1000, UTC).isoformat()
    r = client.post("/api/v2/rum/events/search", json={"filter": {"from": iso, "to": "now"}})
    assert newest.id in [e["id"] for e in r.json()["data"]]
    r = client.post("/api/v2/rum/events/search", json={})  # defaults: last 15 min, 10 events
    assert r.status_code == 200 and len(r.json()["data"]) <= 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filter": {"from": "yesterday"}}, "filter.from"),
        ({"filter": {"to": "now-3x"}}, "filter.to"),
        ({"page": {"limit": 1001}}, "page.limit"),
        ({"page": {"limit": "10"}}, "page.limit"),
        ({"page": {"cursor": "garbage!"}}, "page.cursor"),
        ({"sort": "date"}, "sort"),
    ],
)
def test_event_search_rejects_bad_requests(client, body, field) -> None:
    r = client.post("/api/v2/rum/events/search", json=body)
    assert r.status_code == 400 and details(r)[0].startswith(field)


# --- rate limits -----------------------------------------------------------------


def test_rate_limit_headers_when_off_never_reach_zero(client) -> None:
    for _ in range(5):
        r = client.get("/api/v2/rum/applications")
    assert int(r.headers["x-ratelimit-remaining"]) > 0
    assert int(r.headers["x-ratelimit-limit"]) >= 1000
    assert r.headers["x-ratelimit-name"] == "rum_applications"
    assert int(r.headers["x-ratelimit-reset"]) >= 1 and r.headers["x-ratelimit-period"]


def test_a_real_fixed_window_limit(client, devserver) -> None:
    devserver.set_rate_limit(3, 0.6)
    params = {"filter[view_name]": "/home"}
    remaining = [client.get(SNAPSHOTS, params=params).headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    r = client.get(SNAPSHOTS, params=params)
    assert r.status_code == 429 and r.json() == {"errors": ["Rate limit exceeded"]}
    h = r.headers
    assert (h["x-ratelimit-limit"], h["x-ratelimit-period"], h["x-ratelimit-remaining"]) == ("3", "0.6", "0")
    assert h["x-ratelimit-reset"] == "1" and h["x-ratelimit-name"] == "heatmap_snapshots"
    assert client.get("/api/v2/rum/applications").status_code == 200  # another endpoint group
    time.sleep(0.65)
    assert client.get(SNAPSHOTS, params=params).status_code == 200
    devserver.set_rate_limit(None)
    assert all(client.get(SNAPSHOTS, params=params).status_code == 200 for _ in range(5))


# --- transport ---------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(devserver, demo_headers) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", devserver.port, timeout=5)
    conn.request("GET", "/api/v2/rum/applications", headers=demo_headers)
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("DELETE", SNAPSHOTS + "/" + next(iter(devserver.store.snapshots)), headers=demo_headers)
    second = conn.getresponse()
    assert second.read() == b"" and second.status == 204
    conn.request("GET", "/api/v2/rum/applications", headers=demo_headers)
    third = conn.getresponse()
    assert third.status == 200 and int(third.getheader("Content-Length")) == len(third.read())
    assert conn.sock is sock  # never reconnected
    conn.close()
