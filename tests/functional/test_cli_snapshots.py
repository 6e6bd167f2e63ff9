"""The scripting commands as real subprocesses against the dev server over loopback."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from functools import partial

import pytest
from scripts.cli_runner import Cli, many

from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DEMO_API_KEY


@pytest.fixture
def cli(devserver, tmp_path) -> Cli:
    return Cli(tmp_path, devserver.url)


def apps_by_name(devserver) -> dict[str, str]:
    return {a.name: a.id for a in devserver.store.applications.values()}


def ids_of(devserver, view: str, app: str | None = None) -> set[str]:
    return {s.id for s in devserver.store.list_snapshots(view, application_id=app)}


def test_list_as_json_csv_and_table_with_a_warning_when_full(cli, devserver) -> None:
    apps = apps_by_name(devserver)
    as_json, capped_csv, table, ios_mobile = cli.api_many(
        ("snapshots", "list", "--view", "/home", "--json"),
        ("snapshots", "list", "--view", "/home", "--csv", "--limit", "2"),
        ("snapshots", "list", "--view", "/home"),
        ("snapshots", "list", "--all-views", "--app", "Shop iOS", "--device", "mobile", "--json"),
    )
    for result in (as_json, capped_csv, table, ios_mobile):
        assert result.code == 0, result
    assert {s["id"] for s in as_json.json["data"]} == ids_of(devserver, "/home")
    assert all(s["type"] == "snapshots" for s in as_json.json["data"])
    assert "may be more" not in as_json.stderr

    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "VIEW", "DEVICE"] and len(lines) == len(as_json.json["data"]) + 1

    rows = list(csv.DictReader(io.StringIO(capped_csv.stdout)))
    assert len(rows) == 2 and {r["id"] for r in rows} <= ids_of(devserver, "/home")
    assert {"snapshot_name", "view_name", "device_type", "event_id", "start", "modified_at"} <= set(rows[0])
    assert rows[0]["is_device_type_selected_by_user"] in ("true", "false")
    assert "Warning: /home has 2 snapshots listed, the page limit" in capped_csv.stderr

    ios = {
        s.id
        for s in devserver.store.snapshots.values()
        if s.application_id == apps["Shop iOS"] and s.device_type == "mobile"
    }
    assert ios and {s["id"] for s in ios_mobile.json["data"]} == ios


def test_create_update_delete_then_restore_from_the_trash(cli, devserver) -> None:
    created = cli.api(
        "snapshots",
        "create",
        "--app",
        "Shop Web",
        "--name",
        "CLI shot",
        "--view",
        "/cli",
        "--device",
        "mobile",
        "--event-id",
        "ev-1",
        "--start",
        "1500",
        "--session-id",
        "s-1",
        "--device-selected",
        "--json",
    )
    assert created.code == 0, created
    snapshot_id = created.json["data"]["id"]
    stored = devserver.store.snapshots[snapshot_id].attributes
    assert (
        stored.snapshot_name,
        stored.start,
        stored.session_id,
        stored.is_device_type_selected_by_user,
    ) == ("CLI shot", 1500, "s-1", True)

    # Partial update: the current values are looked up in the view and kept.
    updated = cli.api("snapshots", "update", snapshot_id, "--view", "/cli", "--start", "2500")
    assert updated.code == 0 and updated.stdout.strip() == snapshot_id, updated
    stored = devserver.store.snapshots[snapshot_id].attributes
    assert (stored.start, stored.event_id, stored.session_id, stored.is_device_type_selected_by_user) == (
        2500,
        "ev-1",
        "s-1",
        True,
    )

    deleted = cli.api("snapshots", "delete", snapshot_id, "--view", "/cli", "--yes")
    assert deleted.code == 0, deleted
    assert snapshot_id not in devserver.store.snapshots
    batch = Trash(cli.trash_path).entries()[0].batch_id
    assert "1 deleted, 0 failed" in deleted.stderr and f"trash restore --batch {batch}`" in deleted.stderr

    listing = cli.run("trash", "list", "--json")
    (entry,) = listing.json["data"]
    assert (entry["id"], entry["state"], entry["site"], entry["profile"]) == (
        snapshot_id,
        "deleted",
        cli.url,
        "default",
    )

    # Restore goes back to the recorded site by itself: no --api-url here.
    restored = cli.run("trash", "restore", snapshot_id, "--json")
    assert restored.code == 0, restored
    (item,) = restored.json["restored"]
    new_id = item["new_id"]
    assert new_id != snapshot_id and devserver.store.snapshots[new_id].attributes.start == 2500
    assert ids_of(devserver, "/cli") == {new_id}

    purged = cli.run("trash", "purge", "--yes")
    assert purged.code == 0 and "Purged 1 trash entries" in purged.stderr
    assert Trash(cli.trash_path).entries() == []


def test_update_with_every_frame_field_needs_no_lookup(cli, devserver) -> None:
    app_id = apps_by_name(devserver)["Shop Web"]
    snapshot = devserver.store.new_snapshot(
        application_id=app_id, view_name="/quiet", session_id="s", view_id="v"
    )
    devserver.reset_stats()
    result = cli.api(
        "snapshots",
        "update",
        snapshot.id,
        "--event-id",
        "ev-9",
        "--start",
        "7",
        "--device-detected",
        "--json",
    )
    assert result.code == 0, result
    assert result.json["data"]["attributes"]["event_id"] == "ev-9"
    assert devserver.count(method="GET") == 0 and devserver.count(method="POST") == 0


def test_views_and_events(cli, devserver) -> None:
    views, events, table = cli.api_many(
        ("views", "list", "--app", "Shop Web", "--json"),
        ("events", "list", "--view", "/home", "--device", "mobile", "--limit", "5", "--json"),
        ("events", "list", "--view", "/home", "--limit", "3"),
    )
    assert views.code == events.code == table.code == 0, (views, events, table)
    rows = views.json["data"]
    assert rows[0]["view_name"] == "/home" and rows[0]["view_count"] >= rows[-1]["view_count"]
    home = next(r for r in rows if r["view_name"] == "/home")
    assert home["snapshot_count"] == len(ids_of(devserver, "/home", apps_by_name(devserver)["Shop Web"]))

    data = events.json["data"]
    assert 0 < len(data) <= 5 and {e["device_type"] for e in data} == {"mobile"}
    assert {"event_id", "session_id", "view_id", "url", "time_spent_ms", "date"} <= set(data[0])
    assert [e["date"] for e in data] == sorted((e["date"] for e in data), reverse=True)
    assert table.stdout.splitlines()[0].split()[:3] == ["TIME", "SESSION", "ID"]
    assert len(table.stdout.splitlines()) == 4


def test_export_then_import_into_another_app_twice(cli, devserver, tmp_path) -> None:
    apps = apps_by_name(devserver)
    path = tmp_path / "ios.json"
    exported = cli.api("snapshots", "export", str(path), "--all-views", "--app", "Shop iOS")
    assert exported.code == 0, exported
    source = json.loads(path.read_text())["data"]
    assert len(source) == sum(
        1 for s in devserver.store.snapshots.values() if s.application_id == apps["Shop iOS"]
    )

    first = cli.api("snapshots", "import", str(path), "--to-app", apps["Legacy Portal"], "--json")
    assert first.code == 0, first
    created = first.json["created"]
    assert created and len(created) + len(first.json["skipped"]) == len(source)
    assert all(devserver.store.snapshots[c["id"]].application_id == apps["Legacy Portal"] for c in created)

    second = cli.api("snapshots", "import", str(path), "--to-app", "Legacy Portal", "--json")
    assert second.code == 0, second
    assert second.json["created"] == [] and len(second.json["skipped"]) == len(source)
    assert "0 created" in second.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["snapshots", "list"], "one of the arguments --view --all-views is required"),
        (["snapshots", "list", "--view", "/home", "--limit", "0"], "must be at least 1"),
        (
            [
                "snapshots",
                "create",
                "--name",
                "n",
                "--view",
                "/v",
                "--device",
                "d",
                "--event-id",
                "e",
                "--start",
                "1",
            ],
            "--app is required",
        ),
        (
            [
                "snapshots",
                "create",
                "--app",
                "a" * 36,
                "--name",
                "",
                "--view",
                "/v",
                "--device",
                "d",
                "--event-id",
                "e",
                "--start",
                "1",
            ],
            "snapshot-name: String should have at least 1 character",
        ),
        (["snapshots", "cleanup", "--older-than", "soon"], "'soon' is not an age"),
        (["snapshots", "cleanup", "--all-views"], "give at least one rule"),
        (["trash", "restore"], "name the snapshot ids to restore, or --last"),
        (["trash", "restore", "x", "--last"], "name the snapshot ids to restore, or --last"),
        (["events", "list", "--app", "a"], "--view"),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    args, message, devserver, tmp_path, monkeypatch, capsys
) -> None:
    """Checked in-process: these end before any request (the server would count one)."""
    from heatmap_tui.cli import main

    for key, value in Cli(tmp_path, devserver.url).env.items():
        monkeypatch.setenv(key, value)
    devserver.reset_stats()
    assert main([*args, "--api-url", devserver.url] if args[0] != "trash" else args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert devserver.count() == 0


def test_api_errors_exit_1_in_plain_words_and_refusals_exit_2(cli, devserver, tmp_path) -> None:
    home = next(iter(ids_of(devserver, "/home")))
    unreachable = Cli(tmp_path / "other", "http://127.0.0.1:9")
    runs = {
        "unknown app": partial(cli.api, "snapshots", "list", "--view", "/home", "--app", "No Such App"),
        "unknown id": partial(cli.api, "snapshots", "delete", "no-such-id", "--view", "/home", "--yes"),
        "delete no tty": partial(cli.api, "snapshots", "delete", home, "--view", "/home"),
        "bad key": partial(
            cli.api, "snapshots", "list", "--view", "/home", "--api-key", "0123456789abcdef0123456789abcdef"
        ),
        "purge no tty": partial(cli.run, "trash", "purge"),
        "unreachable": partial(unreachable.api, "snapshots", "list", "--view", "/home"),
    }
    results = dict(zip(runs, many(*runs.values()), strict=True))
    expected = {
        "unknown app": 2,
        "unknown id": 1,
        "delete no tty": 2,
        "bad key": 1,
        "purge no tty": 2,
        "unreachable": 1,
    }
    assert {k: r.code for k, r in results.items()} == expected, "\n".join(map(str, results.values()))
    assert "no snapshot no-such-id in /home" in results["unknown id"].stderr
    assert "No Such App" in results["unknown app"].stderr
    assert "rejected" in results["bad key"].stderr and "0123456789abcdef" not in results["bad key"].stderr
    assert DEMO_API_KEY not in "".join(r.stderr + r.stdout for r in results.values())
    assert "--yes" in results["delete no tty"].stderr and "--yes" in results["purge no tty"].stderr
    assert "could not connect" in results["unreachable"].stderr
    assert home in devserver.store.snapshots and devserver.count(method="DELETE") == 0


def test_a_closed_pipe_ends_quietly(cli) -> None:
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        cli.command("snapshots", "list", "--all-views", "--api-url", cli.url),
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        timeout=60,
    )
    reader.stdin.close()
    reader.wait()
    assert writer.returncode == 0 and "Error" not in writer.stderr and "error" not in writer.stderr


def closed_pipe_run(cli: Cli, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run with stdout on a pipe whose reader (`head -c 10`) has already read its fill and gone."""
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    reader.stdin.write(b"0123456789")
    reader.stdin.flush()
    assert reader.wait(timeout=10) == 0
    try:
        return subprocess.run(
            cli.command(*args),
            stdin=subprocess.DEVNULL,
            stdout=reader.stdin,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
            timeout=60,
        )
    finally:
        reader.stdin.close()


def test_every_result_writer_ends_quietly_when_the_reader_is_gone(cli) -> None:
    """Each write to stdout fails (EPIPE): every command must still exit 0 without a word."""
    runs = [
        ["snapshots", "list", "--all-views", "--json", "--api-url", cli.url],
        ["views", "list", "--api-url", cli.url],
        ["auth", "status", "--json", "--api-url", cli.url],
        ["auth", "status", "--api-url", cli.url],
        ["profiles", "list", "--json"],
        ["trash", "list", "--json"],
    ]
    results = many(*(partial(closed_pipe_run, cli, args) for args in runs))
    for args, result in zip(runs, results, strict=True):
        assert result.returncode == 0, (args, result.stderr)
        assert "rror" not in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)


def test_an_app_name_that_matches_no_application_or_several_is_a_usage_error(cli, devserver) -> None:
    shop = next(a for a in devserver.store.applications.values() if a.name == "Shop iOS")
    twin_id = "f" * 8 + shop.id[8:]
    attributes = shop.attributes.model_copy(update={"application_id": twin_id, "name": "shop IOS"})
    devserver.store.add_applications([shop.model_copy(update={"id": twin_id, "attributes": attributes})])
    unknown, several = cli.api_many(
        ("snapshots", "list", "--view", "/home", "--app", "No Such App"),
        ("snapshots", "list", "--view", "/home", "--app", "Shop iOS"),  # names match case-insensitively
    )
    assert unknown.code == 2, unknown
    assert "no RUM application is named 'No Such App' on " in unknown.stderr, unknown
    assert unknown.stderr.strip().endswith("; give its id, see `heatmap-tui views list`"), unknown
    assert several.code == 2, several
    assert several.stderr.strip().endswith("several RUM applications are named 'Shop iOS': give the id"), (
        several
    )
