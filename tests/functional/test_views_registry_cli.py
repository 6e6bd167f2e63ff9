"""The local view registry from the command line, against the dev server: `views add`,
`views forget`, `views list --all`, and the all-views commands covering registry-only views."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from scripts.cli_runner import Cli

from heatmap_tui.core.trash import Trash
from heatmap_tui.core.trash_entries import new_batch_id

RETIRED = "/retired-page"  # a view no RUM event names: discovery never finds it


@pytest.fixture
def cli(devserver, tmp_path) -> Cli:
    return Cli(tmp_path, devserver.url)


def shop_web(devserver) -> str:
    return next(a.id for a in devserver.store.applications.values() if a.name == "Shop Web")


def retired_snapshot(devserver, view: str = RETIRED) -> str:
    old = datetime.now(UTC) - timedelta(days=400)
    made = devserver.store.new_snapshot(
        application_id=shop_web(devserver), view_name=view, created_at=old, modified_at=old
    )
    return made.id


def test_views_add_list_all_and_forget(cli, devserver) -> None:
    retired_snapshot(devserver)
    added = cli.api("views", "add", RETIRED, "--app", "Shop Web")
    assert added.code == 0 and "Added 1 view(s)" in added.stderr, added
    again = cli.api("views", "add", RETIRED, "--app", "Shop Web")
    assert "Already known: /retired-page" in again.stderr, again

    listed, table, plain = cli.api_many(
        ("views", "list", "--all", "--app", "Shop Web", "--json"),
        ("views", "list", "--all", "--app", "Shop Web"),
        ("views", "list", "--app", "Shop Web", "--json"),
    )
    rows = {r["view_name"]: r for r in listed.json["data"]}
    assert (
        rows[RETIRED]["source"] == "registry"
        and rows[RETIRED]["note"] == "no traffic within the org's RUM retention"
    )
    assert rows[RETIRED]["snapshot_count"] == 1 and rows[RETIRED]["view_count"] == 0
    assert rows["/home"]["source"] == "traffic" and rows["/home"]["note"] is None
    coverage = listed.json["meta"]["coverage"]
    assert coverage["known_locally"] == 1 and coverage["views"] == coverage["from_traffic"] + 1
    line = next(x for x in table.stdout.splitlines() if RETIRED in x)
    assert "no traffic within the org's RUM retention" in line
    assert f"{coverage['from_traffic']} from traffic, 1 known locally" in table.stderr
    assert RETIRED not in {r["view_name"] for r in plain.json["data"]}  # without --all: traffic only

    forgot = cli.api("views", "forget", RETIRED, "/never", "--app", "Shop Web")
    assert "Forgot 1 view(s)" in forgot.stderr and "Not in the local registry: /never" in forgot.stderr
    after = cli.api("views", "list", "--all", "--app", "Shop Web", "--json")
    assert RETIRED not in {r["view_name"] for r in after.json["data"]}


def test_views_add_needs_one_application(cli) -> None:
    result = cli.api("views", "add", "/x")
    assert result.code == 2 and "--app" in result.stderr, result


def test_all_views_commands_cover_registry_views_and_say_the_counts(cli, devserver) -> None:
    snapshot_id = retired_snapshot(devserver)
    cli.api("views", "add", RETIRED, "--app", "Shop Web")
    listed, cleanup = cli.api_many(
        ("snapshots", "list", "--all-views", "--app", "Shop Web", "--json"),
        ("snapshots", "cleanup", "--all-views", "--app", "Shop Web", "--older-than", "300d", "--json"),
    )
    assert listed.code == 0 and cleanup.code == 0, (listed, cleanup)
    assert snapshot_id in {s["id"] for s in listed.json["data"]}
    assert snapshot_id in {s["id"] for s in cleanup.json["data"]}
    for result in (listed, cleanup):
        coverage = result.json["meta"]["coverage"]
        assert coverage["known_locally"] == 1
        said = (
            f"Covering {coverage['views']} views: {coverage['from_traffic']} from traffic, 1 known locally."
        )
        assert said in result.stderr, result


def test_a_view_named_that_answered_is_kept(cli, devserver) -> None:
    retired_snapshot(devserver, "/old-promo")
    named = cli.api("snapshots", "list", "--view", "/old-promo", "--app", "Shop Web", "--json")
    assert len(named.json["data"]) == 1
    cli.api("snapshots", "list", "--view", "/no-such-view", "--app", "Shop Web", "--json")
    rows = cli.api("views", "list", "--all", "--app", "Shop Web", "--json").json["data"]
    registry = {r["view_name"] for r in rows if r["source"] == "registry"}
    assert "/old-promo" in registry and "/no-such-view" not in registry


def test_views_of_imports_and_of_the_trash_are_known(cli, devserver, tmp_path) -> None:
    app_id = shop_web(devserver)
    imported = devserver.store.new_snapshot(application_id=app_id, view_name="/imported-only")
    trashed = devserver.store.new_snapshot(application_id=app_id, view_name="/trashed-only")
    document = {"data": [imported.model_dump(mode="json", by_alias=True)]}
    devserver.store.delete_snapshot(imported.id)
    devserver.store.delete_snapshot(trashed.id)
    (tmp_path / "in.json").write_text(json.dumps(document))
    Trash(cli.trash_path).record(trashed, site="demo", profile="default", batch_id=new_batch_id())
    done = cli.api("snapshots", "import", str(tmp_path / "in.json"), "--app", "Shop Web")
    assert done.code == 0, done
    rows = cli.api("views", "list", "--all", "--app", "Shop Web", "--json").json["data"]
    registry = {r["view_name"]: r for r in rows if r["source"] == "registry"}
    assert registry["/imported-only"]["snapshot_count"] == 1
    assert registry["/trashed-only"]["snapshot_count"] == 0
