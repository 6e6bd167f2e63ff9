"""The trash: copies before deletes, restore (once), purge, and a file torn by a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import AuthError
from heatmap_tui.core.models import Snapshot, create_attributes_from
from heatmap_tui.core.paths import DATA_ENV, trash_path
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.trash import EntryState, NotTrashed, Trash, delete_with_trash, new_batch_id
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY

SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"
VIEW = "/trash-test"


@pytest.fixture
async def service(devserver):
    async with DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)) as client:
        yield SnapshotService(client)


@pytest.fixture
def trash(tmp_path: Path) -> Trash:
    return Trash(tmp_path / "data" / "trash.jsonl")


def make(devserver, count: int, view: str = VIEW) -> list[Snapshot]:
    app_id = next(iter(devserver.store.applications))
    return [
        devserver.store.new_snapshot(
            application_id=app_id,
            view_name=view,
            device_type="mobile",
            snapshot_name=f"shot {i}",
            start=1000 + i,
            session_id=f"s{i}",
            view_id=f"v{i}",
            is_device_type_selected_by_user=True,
        )
        for i in range(count)
    ]


def test_the_trash_lives_in_the_data_dir_which_the_environment_can_move(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "elsewhere"))
    assert trash_path() == tmp_path / "elsewhere" / "trash.jsonl"
    assert Trash().path == trash_path()
    monkeypatch.delenv(DATA_ENV)
    assert trash_path().parts[-2:] == ("heatmap-tui", "trash.jsonl")


def test_record_keeps_every_attribute_in_the_api_shape(devserver, trash) -> None:
    (snapshot,) = make(devserver, 1)
    trash.record(snapshot, site="US5", profile="work", batch_id="b1")
    line = json.loads(trash.path.read_text())
    assert line["kind"] == "trashed" and line["site"] == "US5" and line["profile"] == "work"
    assert line["application_id"] == snapshot.application_id and line["batch_id"] == "b1"
    assert set(line["snapshot"]["attributes"]) >= {
        "created_at",
        "modified_at",
        "created_by",
        "created_by_handle",
        "created_by_user_id",
        "org_id",
        "session_id",
        "view_id",
    }
    (entry,) = trash.entries()
    assert entry.snapshot == snapshot  # nothing lost on the way through the file
    assert entry.state is EntryState.UNCONFIRMED and entry.batch_id == "b1"


async def test_delete_restore_once_and_the_mapping_is_recorded(devserver, service, trash) -> None:
    originals = make(devserver, 5)
    result = await delete_with_trash(
        service, originals, trash, site=custom_site(devserver.url), profile="default", batch_id="batch-1"
    )
    assert sorted(result.deleted) == sorted(s.id for s in originals) and not result.failed
    assert not any(s.id in devserver.store.snapshots for s in originals)
    entries = trash.entries()
    assert [e.state for e in entries] == [EntryState.DELETED] * 5
    assert {e.site for e in entries} == {devserver.url}
    assert trash.last_batch() == entries

    report = await trash.restore(entries, service)
    assert len(report.restored) == 5 and not report.skipped and not report.failed
    for entry, new in report.restored:
        assert new.id != entry.id and new.id in devserver.store.snapshots
        assert create_attributes_from(new) == create_attributes_from(entry.snapshot)
    mapping = report.id_map
    assert {e.id: e.restored_as for e in trash.entries()} == mapping

    again = await trash.restore(entries, service)  # the caller's stale list: the file knows better
    assert not again.restored and len(again.skipped) == 5
    assert all("already restored as" in why for _, why in again.skipped)
    assert sum(1 for s in devserver.store.snapshots.values() if s.view_name == VIEW) == 5


async def test_an_unconfirmed_entry_is_restored_only_if_the_server_lost_it(devserver, service, trash) -> None:
    kept, gone = make(devserver, 2)
    # Copies written, process "died" before any confirmation; only one DELETE reached the server.
    trash.record(kept, site="x", profile="p", batch_id="b")
    trash.record(gone, site="x", profile="p", batch_id="b")
    devserver.store.delete_snapshot(gone.id)
    report = await trash.restore(trash.entries(), service)
    assert [e.id for e, _ in report.restored] == [gone.id]
    assert [(e.id, why) for e, why in report.skipped] == [
        (kept.id, "still exists on the server: its delete never happened")
    ]


async def test_a_refused_delete_is_recorded_and_not_restored(devserver, service, trash) -> None:
    (snapshot,) = make(devserver, 1)
    devserver.faults.fail_next(403, method="DELETE", path_prefix=SNAPSHOTS)
    result = await delete_with_trash(service, [snapshot], trash, site="x", profile="p")
    assert isinstance(result.failed[snapshot.id], AuthError)
    (entry,) = trash.entries()
    assert entry.state is EntryState.UNCONFIRMED and "HTTP 403" in entry.error
    report = await trash.restore([entry], service)
    assert not report.restored and len(report.skipped) == 1


async def test_no_copy_no_delete(devserver, service, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    trash = Trash(blocker / "trash.jsonl")
    snapshots = make(devserver, 3)
    result = await delete_with_trash(service, snapshots, trash, site="x", profile="p")
    assert not result.deleted and all(isinstance(e, NotTrashed) for e in result.failed.values())
    assert "not deleted" in str(next(iter(result.failed.values())))
    assert all(s.id in devserver.store.snapshots for s in snapshots)
    assert devserver.count(method="DELETE") == 0


async def test_a_torn_last_line_is_skipped_reported_and_never_swallows_the_next_record(
    devserver, service, trash
) -> None:
    first, second = make(devserver, 2)
    trash.record(first, site="x", profile="p", batch_id="b1")
    whole = json.dumps(
        {
            "v": 1,
            "kind": "trashed",
            "at": "2025-01-01T00:00:00Z",
            "batch_id": "b1",
            "id": second.id,
            "site": "x",
            "profile": "p",
            "snapshot": second.model_dump(mode="json"),
        }
    )
    with trash.path.open("a") as f:
        f.write(whole[: len(whole) // 2])  # a kill in the middle of a write
    contents = trash.read()
    assert [e.id for e in contents.entries] == [first.id] and contents.bad_lines == [2]

    trash.confirm(first.id, "b1")  # the next append starts on a line of its own
    contents = trash.read()
    assert contents.bad_lines == [2] and contents.entries[0].state is EntryState.DELETED


def test_purge_by_age_by_id_and_everything(devserver, trash) -> None:
    snapshots = make(devserver, 4)
    clock = {"now": datetime(2025, 1, 1, tzinfo=UTC)}
    trash = Trash(trash.path, clock=lambda: clock["now"])
    for i, snapshot in enumerate(snapshots):
        clock["now"] = datetime(2025, 1, 1 + 10 * i, tzinfo=UTC)
        trash.record(snapshot, site="x", profile="p", batch_id=f"b{i}")
        trash.confirm(snapshot.id, f"b{i}")
    with trash.path.open("ab") as f:
        f.write(b"{not json\n")

    result = trash.purge(older_than=timedelta(days=15), now=datetime(2025, 2, 1, tzinfo=UTC))
    assert [e.id for e in result.purged] == [snapshots[0].id, snapshots[1].id] and result.dropped_lines == 1
    contents = trash.read()
    assert [e.id for e in contents.entries] == [s.id for s in snapshots[2:]] and not contents.bad_lines
    assert all(e.state is EntryState.DELETED for e in contents.entries)  # their confirmations survived
    assert not list(trash.path.parent.glob(".trash.jsonl.*"))  # no temp file left behind

    assert [e.id for e in trash.purge(ids=[snapshots[3].id]).purged] == [snapshots[3].id]
    assert [e.id for e in trash.purge().purged] == [snapshots[2].id]
    assert trash.entries() == [] and trash.path.read_text() == ""


def test_batch_ids_sort_by_time() -> None:
    a = new_batch_id(datetime(2025, 1, 1, tzinfo=UTC))
    b = new_batch_id(datetime(2025, 1, 2, tzinfo=UTC))
    assert a < b and a.startswith("20250101T000000-")
