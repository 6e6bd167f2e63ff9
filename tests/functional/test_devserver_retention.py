"""The embedded server's model of app versions, retention, and `@facet:("a" OR "b")` queries."""

from __future__ import annotations

from datetime import timedelta

import httpx

from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.queries import Term, parse_query

SEARCH = "/api/v2/rum/events/search"
AGGREGATE = "/api/v2/rum/analytics/aggregate"


def app_id_named(server: DevServer, name: str) -> str:
    return next(a.id for a in server.store.applications.values() if a.attributes.name == name)


def search(server: DevServer, headers: dict[str, str], query: str, since: str = "now-455d") -> list[dict]:
    body = {"filter": {"query": query, "from": since, "to": "now"}, "page": {"limit": 1000}}
    r = httpx.post(server.url + SEARCH, json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_or_and_version_terms_parse() -> None:
    assert parse_query('@view.id:("a" OR "b\\"c" OR d) -version:"2.5.0"') == [
        Term("@view.id", "", alternatives=("a", 'b"c', "d")),
        Term("version", "2.5.0", negated=True),
    ]


def test_events_carry_versions_deployed_over_time(devserver, demo_headers) -> None:
    web = app_id_named(devserver, "Shop Web")
    events = search(devserver, demo_headers, f'@type:view @application.id:"{web}"')
    versions = {e["attributes"]["attributes"]["version"] for e in events}
    assert versions == {"2.3.1", "2.4.0", "2.5.0"}
    recent = search(devserver, demo_headers, f'@application.id:"{web}" version:"2.5.0"', since="now-9d")
    assert recent and all(e["attributes"]["attributes"]["version"] == "2.5.0" for e in recent)
    assert not search(devserver, demo_headers, f'@application.id:"{web}" version:"2.3.1"', since="now-39d")
    body = {
        "filter": {"query": f"@application.id:{web}", "from": "now-90d", "to": "now"},
        "group_by": [{"facet": "@view.name", "limit": 100}, {"facet": "version", "limit": 10}],
    }
    buckets = httpx.post(devserver.url + AGGREGATE, json=body, headers=demo_headers).json()["data"]["buckets"]
    assert {b["by"]["version"] for b in buckets if b["by"]["@view.name"] == "/home"} == versions


def test_view_id_or_query_finds_many_frames_at_once(devserver, demo_headers) -> None:
    linked = [s.attributes.view_id for s in devserver.store.snapshots.values() if s.attributes.view_id][:40]
    known = {e.view_id for e in devserver.store.events}
    wanted = [v for v in linked if v in known]
    assert len(wanted) >= 10
    ors = " OR ".join(f'"{v}"' for v in wanted)
    found = search(devserver, demo_headers, f"@type:view @view.id:({ors})")
    assert {e["attributes"]["attributes"]["view"]["id"] for e in found} == set(wanted)


def test_retention_clips_searches_and_ends_replays(demo_headers) -> None:
    with DevServer(seed=True, event_retention_days=45, replay_retention_days=20) as srv:
        now_ms = srv.clock().timestamp() * 1000
        events = search(srv, demo_headers, "@type:view")
        dates = [e["attributes"]["attributes"]["date"] for e in events]
        assert min(dates) >= now_ms - 45 * 86_400_000
        assert max(dates) >= now_ms - 86_400_000
        replays = search(srv, demo_headers, "@type:view @session.has_replay:true")
        assert replays and all(
            e["attributes"]["attributes"]["date"] >= now_ms - 20 * 86_400_000 for e in replays
        )
        assert any(e.has_replay and e.date < now_ms - 20 * 86_400_000 for e in srv.store.events)


def test_the_inactive_app_has_views_only_older_than_30_days(devserver, demo_headers) -> None:
    legacy = app_id_named(devserver, "Legacy Portal")
    assert not search(devserver, demo_headers, f'@application.id:"{legacy}"', since="now-30d")
    old = search(devserver, demo_headers, f'@application.id:"{legacy}"')
    assert {e["attributes"]["attributes"]["view"]["name"] for e in old} == {"/", "/dashboard", "/reports"}
    assert not any(e["attributes"]["attributes"]["session"]["has_replay"] for e in old)
    snapshots = [s for s in devserver.store.snapshots.values() if s.attributes.application_id == legacy]
    assert len(snapshots) == 15
    cutoff = devserver.clock() - timedelta(days=30)
    assert all(s.attributes.created_at < cutoff for s in snapshots)
