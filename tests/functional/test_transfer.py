"""Export to the API's shape, reading it back in every accepted shape, idempotent import."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ServerError
from heatmap_tui.core.models import create_attributes_from
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.transfer import (
    TransferError,
    export_snapshots,
    import_snapshots,
    parse_snapshots,
    read_snapshots,
    snapshot_json,
)
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"


async def no_wait(seconds: float) -> None:
    """Retries happen at once: the backoff is not what these tests are about."""


@pytest.fixture
async def service(devserver):
    site, auth = custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)
    async with DatadogClient(site, auth, sleep=no_wait) as client:
        yield SnapshotService(client)


def apps_by_name(devserver) -> dict[str, str]:
    return {a.name: a.id for a in devserver.store.applications.values()}


async def test_export_writes_the_list_endpoints_shape_and_reads_back(
    devserver, service, tmp_path: Path
) -> None:
    page = await service.list("/home")
    path = tmp_path / "out" / "home.json"
    assert export_snapshots(page.items, path) == len(page.items)
    document = json.loads(path.read_text())
    assert list(document) == ["data"]
    assert document["data"][0]["type"] == "snapshots" and "attributes" in document["data"][0]
    assert document["data"][0]["attributes"]["created_at"].endswith("Z")
    assert read_snapshots(path) == page.items
    assert [p.name for p in path.parent.iterdir()] == ["home.json"]  # the temp file is gone


def test_single_snapshot_and_bare_list_are_accepted(devserver) -> None:
    one = next(iter(devserver.store.snapshots.values()))
    assert parse_snapshots(json.dumps({"data": snapshot_json(one)})) == [one]
    assert parse_snapshots(json.dumps([snapshot_json(one)])) == [one]
    extra = {**snapshot_json(one), "relationships": {}}  # fields the API may add are ignored
    assert parse_snapshots(json.dumps({"data": [extra]})) == [one]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "is not JSON"),
        ('{"errors": ["x"]}', "is not a snapshot export"),
        ('"data"', "is not a snapshot export"),
        (
            '{"data": [{"id": "x", "type": "snapshots", "attributes": {}}]}',
            "snapshot #1 is not valid (attributes.",
        ),
    ],
)
def test_unreadable_files_are_plain_errors(text, message) -> None:
    with pytest.raises(TransferError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_snapshots(text, "export.json")


def test_a_missing_file_is_a_plain_error(tmp_path) -> None:
    with pytest.raises(TransferError, match="no such file"):
        read_snapshots(tmp_path / "nope.json")


async def test_import_into_another_app_twice_creates_once(devserver, service) -> None:
    apps = apps_by_name(devserver)
    source = (await service.list("HomeViewController", application_id=apps["Shop iOS"])).items
    target = apps["Legacy Portal"]
    first = await import_snapshots(service, source, application_id=target)
    assert first.ok and first.created and len(first.created) + len(first.skipped) == len(source)
    assert all(why == "already in this import" for _, why in first.skipped)  # the seed has exact twins
    for old, new in first.created:
        assert new.application_id == target and new.id != old.id
        assert create_attributes_from(new) == create_attributes_from(old, application_id=target)
    assert set(first.id_map) == {old.id for old, _ in first.created}

    posts = devserver.count(method="POST", path_prefix=SNAPSHOTS)
    second = await import_snapshots(service, source, application_id=target)
    assert not second.created and len(second.skipped) == len(source) and second.ok
    assert all("already" in why for _, why in second.skipped)
    assert devserver.count(method="POST", path_prefix=SNAPSHOTS) == posts

    third = await import_snapshots(service, source[:2], application_id=target, allow_duplicates=True)
    assert len(third.created) == 2


async def test_a_view_that_cannot_be_checked_fails_its_snapshots_instead_of_risking_duplicates(
    devserver, service
) -> None:
    apps = apps_by_name(devserver)
    source = (await service.list("/cart", application_id=apps["Shop Web"], limit=3)).items
    devserver.faults.fail_next(500, count=3, method="GET", path_prefix=SNAPSHOTS)
    report = await import_snapshots(service, source, application_id=apps["Legacy Portal"])
    assert not report.created and len(report.failed) == 3
    assert all(isinstance(err, ServerError) for _, err in report.failed)
    assert devserver.count(method="POST", path_prefix=SNAPSHOTS) == 0


def test_an_export_with_hostile_names_is_exact_json_with_nothing_raw(devserver, tmp_path: Path) -> None:
    """C1 controls, bidi overrides, line separators and lone surrogates come back unchanged from
    the file, which holds none of them raw (a `cat` of it cannot act on the terminal)."""
    one = next(iter(devserver.store.snapshots.values()))
    names = [
        "c1 \x9b2J",
        "bidi \u202egnp.exe",
        "sep \u2028 line",
        "lone \ud800 half",
        "esc \x1b]0;t\x07",
        "日本 🎉",
    ]
    snapshots = [
        one.model_copy(
            update={"id": f"id-{i}", "attributes": one.attributes.model_copy(update={"snapshot_name": n})}
        )
        for i, n in enumerate(names)
    ]
    path = tmp_path / "hostile.json"
    assert export_snapshots(snapshots, path) == len(names)
    raw = path.read_bytes().decode("utf-8")
    assert re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2028\u2029\ud800-\udfff]", raw) is None
    assert [s.name for s in read_snapshots(path)] == names


def test_an_export_of_plain_names_keeps_them_readable(devserver, tmp_path: Path) -> None:
    one = next(iter(devserver.store.snapshots.values()))
    named = one.model_copy(
        update={"attributes": one.attributes.model_copy(update={"snapshot_name": "日本 🎉"})}
    )
    path = tmp_path / "plain.json"
    export_snapshots([named], path)
    assert "日本 🎉" in path.read_text(encoding="utf-8")
