"""`snapshots stale` against the seeded demo org: orphaned and outdated found with evidence."""

from __future__ import annotations

from datetime import timedelta

from scripts.cli_runner import Cli

from heatmap_tui.devserver.clock import epoch_ms
from heatmap_tui.devserver.events import ViewEvent


def app_id_named(devserver, name: str) -> str:
    return next(a.id for a in devserver.store.applications.values() if a.attributes.name == name)


def test_stale_names_the_inactive_apps_snapshots_orphaned_and_others_outdated(devserver, tmp_path) -> None:
    cli = Cli(tmp_path, devserver.url)
    result = cli.api("snapshots", "stale", "--json")
    assert result.code == 0, result
    rows = result.json["data"]
    assert set(rows[0]) == {
        "id",
        "application_id",
        "view_name",
        "device_type",
        "snapshot_name",
        "reasons",
        "evidence",
    }
    legacy = app_id_named(devserver, "Legacy Portal")
    orphaned = {r["id"] for r in rows if "orphaned" in r["reasons"]}
    legacy_ids = {s.id for s in devserver.store.snapshots.values() if s.attributes.application_id == legacy}
    assert len(legacy_ids) == 15 and orphaned == legacy_ids
    for r in rows:
        assert set(r["evidence"]) == set(r["reasons"])
    outdated = [r for r in rows if "outdated" in r["reasons"]]
    assert len(outdated) >= 5
    assert any(
        r["evidence"]["outdated"].startswith("frame from 2.4.0, view on 2.5.0 since ") for r in outdated
    )
    # The frames of the non-orphaned snapshots were found in a few batched searches.
    assert devserver.count("POST", "/api/v2/rum/events/search") < 80


def test_reason_filter_and_view(devserver, tmp_path) -> None:
    cli = Cli(tmp_path, devserver.url)
    only = cli.api("snapshots", "stale", "--reason", "orphaned", "--json")
    assert only.code == 0, only
    assert only.json["data"] and all("orphaned" in r["reasons"] for r in only.json["data"])
    two = cli.api("snapshots", "stale", "--reason", "orphaned", "--reason", "old", "--json")
    assert len(two.json["data"]) > len(only.json["data"])
    view = cli.api("snapshots", "stale", "--app", "Shop Web", "--view", "/checkout", "--json")
    assert view.code == 0, view
    assert view.json["data"] and {r["view_name"] for r in view.json["data"]} == {"/checkout"}
    bad = cli.api("snapshots", "stale", "--reason", "nope")
    assert bad.code == 2


def test_hostile_text_in_evidence_is_escaped_in_the_table(devserver, tmp_path) -> None:
    app_id = app_id_named(devserver, "Shop Web")
    when = devserver.clock() - timedelta(days=1)
    hostile = "1.0\x1b[2J\u202eevil\nline"
    devserver.store.add_events(
        [
            ViewEvent(
                id="ev-hostile",
                date=epoch_ms(when),
                application_id=app_id,
                session_id="s-hostile",
                has_replay=True,
                view_id="v-hostile",
                view_name="/checkout",
                url="https://shop.example.com/checkout",
                time_spent_ms=5000,
                device_type="desktop",
                session_start=epoch_ms(when),
                version=hostile,
            )
        ]
    )
    devserver.store.new_snapshot(
        application_id=app_id,
        view_name="/checkout",
        snapshot_name="\x1b[31mred\x07",
        event_id="ev-hostile",
        view_id="v-hostile",
        session_id="s-hostile",
    )
    cli = Cli(tmp_path, devserver.url)
    result = cli.api("snapshots", "stale", "--app", "Shop Web", "--view", "/checkout", "--reason", "outdated")
    assert result.code == 0, result
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x07" not in result.stdout
    line = next(li for li in result.stdout.splitlines() if "v-hostile" in li or "red" in li)
    assert "OUTDATED" in line and "frame from 1.0\\x1b[2J\\u202eevil\\nline" in line


def test_every_application_is_looked_up_within_one_limit_of_requests_at_once(
    devserver, tmp_path, monkeypatch
) -> None:
    """All applications run at once, but their list requests and look-ups share one limit (16)."""
    import threading

    from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY

    lock, in_flight, most = threading.Lock(), [0], [0]
    handle = devserver.app.handle

    def counting(request):  # type: ignore[no-untyped-def]
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            return handle(request)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(devserver.app, "handle", counting)
    devserver.faults.latency_ms = 40  # long enough for every request the CLI has ready to overlap
    result = Cli(tmp_path, devserver.url).api("snapshots", "stale", "--json")
    assert result.code == 0, result
    assert 1 < most[0] <= DEFAULT_CONCURRENCY, most[0]
