"""A view with more snapshots than the page limit: every CLI path says where the list may be cut."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scripts.cli_runner import Cli

from heatmap_tui.devserver import DevServer

BIG, SMALL = "/big", "/small"
LIMIT = 5


@pytest.fixture
def cli(devserver: DevServer, tmp_path) -> Cli:  # type: ignore[no-untyped-def]
    (tmp_path / "config.toml").write_text(f"[preferences]\npage_limit = {LIMIT}\n")
    return Cli(tmp_path, devserver.url)


@pytest.fixture
def oldest(devserver: DevServer) -> str:
    """/big holds LIMIT + 2 snapshots (the list answers the newest first); /small holds one.
    Returns the id of /big's oldest, which lies past the cut."""
    app_id = next(a.id for a in devserver.store.applications.values() if a.name == "Shop Web")
    now = devserver.clock()
    ids = [
        devserver.store.new_snapshot(
            application_id=app_id,
            view_name=BIG,
            snapshot_name=f"big {i}",
            created_at=now - timedelta(days=10 + i),
        ).id
        for i in range(LIMIT + 2)
    ]
    devserver.store.new_snapshot(application_id=app_id, view_name=SMALL, created_at=now - timedelta(days=10))
    return ids[-1]


def test_a_cut_list_says_so_in_json_meta_and_on_stderr(cli, devserver, oldest) -> None:
    cut, whole = cli.api_many(
        ("snapshots", "list", "--view", BIG, "--app", "Shop Web", "--json"),
        ("snapshots", "list", "--view", SMALL, "--app", "Shop Web", "--json"),
    )
    assert cut.code == 0 and whole.code == 0, (cut, whole)
    assert len(cut.json["data"]) == LIMIT and oldest not in {s["id"] for s in cut.json["data"]}
    assert cut.json["meta"] == {"may_be_truncated": True, "page_limit": LIMIT, "views": [BIG]}
    assert f"Warning: {BIG} has {LIMIT} snapshots listed, the page limit" in cut.stderr
    assert whole.json["meta"] == {"may_be_truncated": False, "page_limit": LIMIT, "views": []}
    assert "page limit" not in whole.stderr


def test_a_lookup_by_id_says_it_may_lie_past_the_cut(cli, devserver, oldest) -> None:
    deleted, updated, absent = cli.api_many(
        ("snapshots", "delete", oldest, "--view", BIG, "--app", "Shop Web", "--yes"),
        ("snapshots", "update", oldest, "--view", BIG, "--app", "Shop Web", "--start", "1"),
        ("snapshots", "delete", "no-such-id", "--view", SMALL, "--app", "Shop Web", "--yes"),
    )
    for result in (deleted, updated):
        assert result.code == 1, result
        assert f"no snapshot {oldest} in {BIG}" in result.stderr
        assert f"it may lie past the first {LIMIT} snapshots of {BIG}" in result.stderr
        assert "may still exist" in result.stderr
    assert oldest in devserver.store.snapshots
    assert absent.code == 1 and "no snapshot no-such-id in /small" in absent.stderr
    assert "past the first" not in absent.stderr


def test_the_cleanup_preview_names_the_cut(cli, devserver, oldest) -> None:
    text, as_json = cli.api_many(
        ("snapshots", "cleanup", "--view", BIG, "--view", SMALL, "--app", "Shop Web", "--older-than", "5d"),
        (
            "snapshots",
            "cleanup",
            "--view",
            BIG,
            "--view",
            SMALL,
            "--app",
            "Shop Web",
            "--older-than",
            "5d",
            "--json",
        ),
    )
    assert text.code == 0 and as_json.code == 0, (text, as_json)
    assert f"{LIMIT + 1} of {LIMIT + 1} snapshots would be deleted" in text.stderr
    assert (
        f"Not covered: whatever lies past the first {LIMIT} snapshots (the page limit) of 1 view(s): {BIG}"
        in (text.stderr)
    )
    meta = as_json.json["meta"]
    assert (meta["may_be_truncated"], meta["page_limit"], meta["views"]) == (True, LIMIT, [BIG])
    assert len(as_json.json["data"]) == LIMIT + 1
