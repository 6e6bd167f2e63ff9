"""The dev server's fault knobs, admin endpoints, persistence and shutdown, over real loopback HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from heatmap_tui.devserver import DevServer

SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"
APPS = "/api/v2/rum/applications"


@pytest.fixture
def client(devserver, demo_headers):
    with httpx.Client(base_url=devserver.url, headers=demo_headers, timeout=5, verify=False) as c:
        yield c


def create_body(devserver, name: str = "fault test") -> dict:
    app_id = next(iter(devserver.store.applications))
    return {
        "data": {
            "type": "snapshots",
            "attributes": {
                "application_id": app_id,
                "device_type": "mobile",
                "event_id": "ev",
                "is_device_type_selected_by_user": True,
                "snapshot_name": name,
                "start": 0,
                "view_name": "/home",
            },
        }
    }


def names(devserver) -> list[str]:
    return [s.name for s in devserver.store.snapshots.values()]


def test_latency_delays_every_api_request(demo_headers) -> None:
    with DevServer(seed=False, latency_ms=120) as srv, httpx.Client(verify=False) as c:
        started = time.perf_counter()
        assert c.get(srv.url + APPS, headers=demo_headers).status_code == 200
        assert time.perf_counter() - started >= 0.12
        srv.faults.latency_ms = 0
        started = time.perf_counter()
        c.get(srv.url + APPS, headers=demo_headers)
        assert time.perf_counter() - started < 0.1


def test_fail_next_only_hits_matching_requests(client, devserver) -> None:
    devserver.faults.fail_next(503, count=2, method="POST", path_prefix=SNAPSHOTS)
    assert client.get(APPS).status_code == 200
    assert client.get(SNAPSHOTS, params={"filter[view_name]": "/home"}).status_code == 200
    before = len(devserver.store.snapshots)
    for _ in range(2):
        r = client.post(SNAPSHOTS, json=create_body(devserver))
        assert r.status_code == 503 and r.json() == {"errors": ["Service Unavailable"]}
        assert "x-ratelimit-remaining" in r.headers
    assert len(devserver.store.snapshots) == before  # a failed create did not happen
    assert client.post(SNAPSHOTS, json=create_body(devserver)).status_code == 201
    assert devserver.count("POST", SNAPSHOTS) == 3
    assert devserver.count("POST", SNAPSHOTS, fault="fail") == 2
    assert [r.status for r in devserver.requests if r.method == "POST"] == [503, 503, 201]


def test_fail_next_429_sets_the_rate_limit_headers(client, devserver) -> None:
    devserver.faults.fail_next(429, reset=7)
    r = client.get(APPS)
    assert r.status_code == 429 and r.json() == {"errors": ["Rate limit exceeded"]}
    assert r.headers["x-ratelimit-remaining"] == "0" and r.headers["x-ratelimit-reset"] == "7"
    assert client.get(APPS).status_code == 200


def test_error_rate_is_reproducible_with_a_seed(client, devserver) -> None:
    def run() -> list[int]:
        devserver.faults.set_error_rate(0.5, status=500, seed=11)
        return [client.get(APPS).status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second and set(first) == {200, 500}
    assert devserver.count(fault="error_rate") == first.count(500) * 2
    devserver.faults.set_error_rate(1.0, status=502)
    assert client.get(APPS).json() == {"errors": ["Bad Gateway"]}
    devserver.faults.set_error_rate(0)
    assert client.get(APPS).status_code == 200


def test_drop_closes_the_connection_without_applying(client, devserver) -> None:
    before = len(devserver.store.snapshots)
    devserver.faults.drop_next(method="POST")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(SNAPSHOTS, json=create_body(devserver, "dropped"))
    assert len(devserver.store.snapshots) == before and "dropped" not in names(devserver)
    assert devserver.requests[-1][:4] == ("POST", SNAPSHOTS, None, "drop")
    assert client.get(APPS).status_code == 200  # the client reconnects


def test_drop_after_apply_creates_then_closes(client, devserver) -> None:
    before = len(devserver.store.snapshots)
    devserver.faults.drop_next(count=1, method="POST", path_prefix=SNAPSHOTS, after_apply=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(SNAPSHOTS, json=create_body(devserver, "ambiguous"))
    assert len(devserver.store.snapshots) == before + 1
    assert names(devserver).count("ambiguous") == 1
    assert devserver.requests[-1][:4] == ("POST", SNAPSHOTS, 201, "drop")


def test_malformed_html_and_empty_answers(client, devserver) -> None:
    devserver.faults.malformed_next()
    r = client.get(APPS)
    assert r.status_code == 200 and r.content
    with pytest.raises(json.JSONDecodeError):
        r.json()
    devserver.faults.html_next(path_prefix="/api/v2/rum")
    r = client.get(APPS)
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    assert b"<html>" in r.content and b"502 Bad Gateway" in r.content
    devserver.faults.empty_next()
    r = client.get(APPS)
    assert r.status_code == 200 and r.content == b"" and r.headers["content-length"] == "0"
    devserver.faults.malformed_next(method="POST", after_apply=True)
    r = client.post(SNAPSHOTS, json=create_body(devserver, "garbled"))
    assert r.status_code == 201 and "garbled" in names(devserver)
    with pytest.raises(json.JSONDecodeError):
        r.json()
    assert [r.fault for r in devserver.requests] == ["malformed", "html", "empty", "malformed"]
    assert client.get(APPS).json()["data"]  # all used up


def test_the_log_keeps_the_raw_target_and_ids_are_decoded(client, devserver) -> None:
    snapshot = next(iter(devserver.store.snapshots.values()))
    devserver.store.new_snapshot(
        application_id=snapshot.application_id, view_name="/home", id="a/b?c#d", snapshot_name="odd"
    )
    assert client.delete(SNAPSHOTS + "/a%2Fb%3Fc%23d").status_code == 204
    assert devserver.store.get_snapshot("a/b?c#d") is None
    assert client.get(SNAPSHOTS, params={"filter[view_name]": "/a b"}).status_code == 200
    first, second = devserver.requests
    assert (first.path, first.target) == (SNAPSHOTS + "/a%2Fb%3Fc%23d", SNAPSHOTS + "/a%2Fb%3Fc%23d")
    assert second.path == SNAPSHOTS and second.target == SNAPSHOTS + "?filter%5Bview_name%5D=%2Fa+b"


def test_bad_item_spoils_one_item_of_a_real_list(client, devserver) -> None:
    devserver.faults.bad_item_next(path_prefix=SNAPSHOTS, index=1)
    items = client.get(SNAPSHOTS, params={"filter[view_name]": "/home"}).json()["data"]
    assert len(items) > 2 and items[1]["attributes"]["start"] == "soon"
    assert all(isinstance(i["attributes"]["start"], int) for n, i in enumerate(items) if n != 1)
    assert devserver.requests[-1].fault == "bad_item"
    again = client.get(SNAPSHOTS, params={"filter[view_name]": "/home"}).json()["data"]
    assert all(isinstance(i["attributes"]["start"], int) for i in again)  # one-shot


def test_trickle_sends_the_body_a_byte_at_a_time(client, devserver) -> None:
    devserver.faults.trickle_next(0.02, path_prefix=APPS)
    arrivals: list[float] = []
    with client.stream("GET", APPS) as r:
        for _ in r.iter_raw(1):
            arrivals.append(time.perf_counter())
            if len(arrivals) == 10:
                break
    assert len(arrivals) == 10 and arrivals[-1] - arrivals[0] >= 9 * 0.015
    assert devserver.requests[-1].fault == "trickle"


@pytest.mark.parametrize("gzipped", [False, True])
def test_oversize_answers_a_huge_valid_body(client, devserver, gzipped: bool) -> None:
    devserver.faults.oversize_next(3_000_000, path_prefix=APPS, gzip=gzipped)
    r = client.get(APPS)
    assert r.status_code == 200 and len(r.content) == 3_000_000 and r.json()["data"] == []
    wire = int(r.headers["content-length"])
    assert wire < 100_000 if gzipped else wire == 3_000_000


def test_mislabel_says_gzip_over_a_plain_body(client, devserver) -> None:
    devserver.faults.mislabel_next(path_prefix=APPS)
    with pytest.raises(httpx.DecodingError):
        client.get(APPS)
    assert devserver.requests[-1].fault == "mislabel"
    assert client.get(APPS).json()["data"]  # one-shot


def test_hang_provokes_a_read_timeout_and_stop_ends_it(devserver, demo_headers) -> None:
    devserver.faults.hang_next(0.6, method="GET")
    with httpx.Client(base_url=devserver.url, headers=demo_headers, timeout=0.2, verify=False) as c:
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            c.get(APPS)
        assert time.perf_counter() - started < 0.5
        assert c.get(APPS).status_code == 200  # one-shot
    devserver.faults.hang_next(30)
    errors: list[Exception] = []

    def hang() -> None:
        try:
            httpx.get(devserver.url + APPS, headers=demo_headers, timeout=10, verify=False)
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=hang)
    thread.start()
    time.sleep(0.1)
    started = time.perf_counter()
    devserver.stop()
    thread.join(5)
    assert time.perf_counter() - started < 2 and not thread.is_alive()


def test_faults_clear(client, devserver) -> None:
    devserver.faults.fail_next(500, count=10)
    devserver.faults.set_error_rate(1.0)
    devserver.faults.latency_ms = 500
    devserver.faults.clear()
    started = time.perf_counter()
    assert client.get(APPS).status_code == 200 and time.perf_counter() - started < 0.3
    with pytest.raises(ValueError):
        devserver.faults.fail_next(500, count=0)


def test_admin_endpoints_set_knobs_and_report_stats(client, devserver) -> None:
    admin = devserver.url + "/__admin"
    r = client.post(
        admin + "/faults",
        json={"fail_next": {"status": 500, "method": "GET"}, "rate_limit": {"limit": 5, "period": 10}},
    )
    assert r.status_code == 200 and r.json()["faults"]["pending"][0]["status"] == 500
    assert r.json()["rate_limit"] == {"limit": 5, "period": 10.0}
    assert client.get(APPS).status_code == 500
    r = client.get(APPS)
    assert r.status_code == 200 and r.headers["x-ratelimit-limit"] == "5"
    stats = client.get(admin + "/stats").json()
    assert stats["total"] == 2 and stats["by_status"] == {"500": 1, "200": 1}
    assert stats["by_request"] == {f"GET {APPS}": 2} and stats["by_fault"] == {"fail": 1}
    assert "x-ratelimit-limit" not in client.get(admin + "/stats").headers  # admin is not the API
    r = client.post(admin + "/faults", json={"nonsense": 1})
    assert r.status_code == 400 and "nonsense" in r.json()["errors"][0]["detail"]
    r = client.post(admin + "/faults", json={"fail_next": {"count": 2}})  # no status
    assert r.status_code == 400
    client.post(admin + "/faults", json={"error_rate": {"p": 1, "status": 504}, "latency_ms": 1})
    assert client.get(APPS).status_code == 504
    r = client.post(admin + "/reset-faults")
    assert r.json()["faults"] == {"latency_ms": 0, "error_rate": None, "pending": []}
    assert client.get(APPS).status_code == 200
    assert client.post(admin + "/reset-stats").status_code == 204
    assert devserver.count() == 0
    devserver.reset_stats()
    assert client.get(admin + "/nope").status_code == 404


def test_state_persists_to_the_data_file_and_reloads(tmp_path, demo_headers) -> None:
    data = tmp_path / "state" / "devserver.json"
    with DevServer(seed=True, data_file=data) as srv, httpx.Client(verify=False) as c:
        seeded = len(srv.store.snapshots)
        assert len(json.loads(data.read_text())["snapshots"]) == seeded
        created = c.post(srv.url + SNAPSHOTS, json=create_body(srv, "kept"), headers=demo_headers)
        victim = next(iter(srv.store.snapshots))
        c.delete(f"{srv.url}{SNAPSHOTS}/{victim}", headers=demo_headers)
        event_ids = [e.id for e in srv.store.events]
    document = json.loads(data.read_text())
    assert len(document["snapshots"]) == seeded and document["version"] == 1
    assert sorted(p.name for p in data.parent.iterdir()) == ["devserver.json"]  # no temp files left
    with DevServer(seed=True, data_file=data) as again:
        assert created.json()["data"]["id"] in again.store.snapshots and victim not in again.store.snapshots
        assert again.store.snapshots[created.json()["data"]["id"]].name == "kept"
        assert [e.id for e in again.store.events] == event_ids  # events re-seeded, same ids
        assert len(again.store.applications) == 4
    with DevServer(seed=False, data_file=data) as bare:
        assert len(bare.store.snapshots) == seeded and bare.store.events == []


def test_stop_closes_the_listening_socket() -> None:
    srv = DevServer(seed=False).start()
    port = srv.port
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    srv.stop()
    srv.stop()  # idempotent
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert srv.url == f"http://127.0.0.1:{port}"


def test_refuses_a_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        DevServer(seed=False, host="0.0.0.0")
