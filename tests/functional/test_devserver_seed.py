"""The seeded demo org: reproducible, big and varied enough for the app, fast to build."""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import httpx

from heatmap_tui.devserver import DevServer, Store
from heatmap_tui.devserver.payloads import application_json, snapshot_json
from heatmap_tui.devserver.queries import Term, parse_query, parse_time
from heatmap_tui.devserver.seed import seed_store

NOW = datetime(2025, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)


def seeded(now: datetime = NOW) -> Store:
    store = Store()
    seed_store(store, now)
    return store


def dump(store: Store) -> tuple:
    return (
        [snapshot_json(s) for s in store.snapshots.values()],
        [application_json(a) for a in store.applications.values()],
        [e.to_record() for e in store.events],
    )


def test_the_same_now_gives_the_same_org() -> None:
    assert dump(seeded()) == dump(seeded())
    with DevServer(seed=True, now=NOW) as a, DevServer(seed=True, now=NOW) as b:
        assert dump(a.store) == dump(b.store) == dump(seeded())


def test_a_frozen_now_is_also_the_now_of_searches(demo_headers) -> None:
    body = {"filter": {"query": "@type:view", "from": "now-30d", "to": "now"}, "page": {"limit": 1000}}
    with DevServer(seed=True, now=NOW) as srv:
        r = httpx.post(srv.url + "/api/v2/rum/events/search", json=body, headers=demo_headers)
        assert len(r.json()["data"]) == min(1000, len(srv.store.events))
        assert r.json()["data"][0]["id"] == srv.store.events[0].id


def test_ids_do_not_depend_on_now() -> None:
    later = seeded(NOW + timedelta(days=3, seconds=7))
    store = seeded()
    assert list(later.snapshots) == list(store.snapshots)
    assert [e.id for e in later.events] == [e.id for e in store.events]
    some = next(iter(store.snapshots))
    shift = later.snapshots[some].attributes.created_at - store.snapshots[some].attributes.created_at
    assert shift == timedelta(days=3, seconds=7)


def test_the_org_is_big_and_varied() -> None:
    store = seeded()
    apps = list(store.applications.values())
    assert len(apps) >= 4 and {a.attributes.type for a in apps} == {"browser", "ios", "android"}
    assert [a.attributes.is_active for a in apps].count(False) == 1
    web = next(a for a in apps if a.name == "Shop Web")
    web_views = {e.view_name for e in store.events if e.application_id == web.id}
    assert len(web_views) >= 12 and {"/home", "/checkout", "/cart", "/product/:id"} <= web_views
    for app in apps[1:3]:
        assert len({e.view_name for e in store.events if e.application_id == app.id}) >= 5

    snapshots = [s.attributes for s in store.snapshots.values()]
    assert len(snapshots) >= 300
    assert len({s.created_by_handle for s in snapshots}) >= 5
    ages = [NOW - s.created_at for s in snapshots]
    assert sum(age > timedelta(days=90) for age in ages) >= 20
    assert sum(NOW - s.modified_at < timedelta(days=1) for s in snapshots) >= 20
    assert all(s.modified_at >= s.created_at and s.created_at <= NOW for s in snapshots)
    assert {s.device_type for s in snapshots if s.view_name == "/home" and s.application_id == web.id} == {
        "desktop",
        "mobile",
        "tablet",
    }
    groups = Counter((s.application_id, s.view_name, s.device_type, s.event_id) for s in snapshots)
    assert sum(n > 1 for n in groups.values()) >= 3  # duplicates for the clean-up feature


def test_sessions_are_replays_whose_views_follow_each_other() -> None:
    store = seeded()
    sessions = defaultdict(list)
    for event in store.events:
        sessions[event.session_id].append(event)
        # Replays are kept 30 days, view events 90 (the demo org's retention).
        oldest = NOW - timedelta(days=30 if event.has_replay else 90)
        assert oldest <= datetime.fromtimestamp(event.date / 1000, UTC) <= NOW
    assert len(sessions) >= 100
    assert sum(e[0].has_replay for e in sessions.values()) > len(sessions) / 2
    for views in sessions.values():
        views.sort(key=lambda e: e.date)
        assert len({(e.device_type, e.application_id) for e in views}) == 1
        assert views[0].date == views[0].session_start
        for a, b in itertools.pairwise(views):
            assert b.date >= a.date + a.time_spent_ms
    home = [e for e in store.events if e.view_name == "/home" and e.has_replay]
    assert len({e.session_id for e in home}) >= 10 and len({e.device_type for e in home}) == 3
    by_id = {e.id: e for e in store.events}
    linked = [s.attributes for s in store.snapshots.values() if s.attributes.event_id in by_id]
    assert len(linked) >= 50
    for s in linked:
        event = by_id[s.event_id]
        offset = event.date - event.session_start
        assert offset <= s.start <= offset + event.time_spent_ms


def test_seeding_is_fast() -> None:
    best = min(_timed() for _ in range(3))
    assert best < 0.1, f"seeding took {best * 1000:.0f} ms"


def _timed() -> float:
    started = time.perf_counter()
    seeded()
    return time.perf_counter() - started


def test_query_parsing() -> None:
    terms = parse_query(
        '@type:view @application.id:abc-1 @view.name:"/product/:id" '
        "@device.type:mobile -@session.has_replay:false @custom.thing:x free text"
    )
    assert terms == [
        Term("@type", "view"),
        Term("@application.id", "abc-1"),
        Term("@view.name", "/product/:id"),
        Term("@device.type", "mobile"),
        Term("@session.has_replay", "false", negated=True),
    ]
    assert parse_query('@view.name:"say \\"hi\\""') == [Term("@view.name", 'say "hi"')]
    now = datetime(2025, 1, 31, tzinfo=UTC)
    ms = int(now.timestamp() * 1000)
    assert parse_time("now", now, "f") == ms
    assert parse_time("now-30d", now, "f") == ms - 30 * 86_400_000
    assert parse_time("now-15m", now, "f") == ms - 15 * 60_000
    assert parse_time("now-2h", now, "f") == ms - 2 * 3_600_000
    assert parse_time("2025-01-30T00:00:00Z", now, "f") == ms - 86_400_000
    assert parse_time(str(ms), now, "f") == parse_time(ms, now, "f") == ms
