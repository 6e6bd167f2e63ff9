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
from heatmap_tui.core.trash import EntryState, NotTrashed, Trash, TrashError, delete_with_trash, new_batch_id
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


def test_entries_keep_the_original_author_and_dates_and_older_records_still_load(
    devserver, trash, monkeypatch
) -> None:
    """Issue 15, bug 8: a restore gets a new author and dates, so the trash keeps the originals."""
    from heatmap_tui.devserver.seed_data import AUTHORS

    ada = AUTHORS[1]
    app_id = next(iter(devserver.store.applications))
    made = datetime(2025, 1, 5, 10, 0, tzinfo=UTC)
    snapshot = devserver.store.new_snapshot(
        application_id=app_id,
        view_name=VIEW,
        user=ada,
        created_at=made,
        modified_at=made + timedelta(days=30),
    )
    monkeypatch.setattr(Trash, "index_every", 0)  # an index file after every read: it must keep them too
    trash.record(snapshot, site="x", profile="p", batch_id="b")
    # A record written before the copies held them (or by a server that sends none): still read.
    bare = snapshot.model_dump(
        mode="json", exclude={"attributes": {"created_by", "created_at", "modified_at"}}
    )
    bare["id"] = "older"
    record = {"v": 1, "kind": "trashed", "at": "2025-03-01T00:00:00Z", "batch_id": "b", "id": "older",
              "site": "x", "profile": "p", "application_id": app_id, "snapshot": bare}  # fmt: skip
    with trash.path.open("a") as f:
        f.write(json.dumps(record) + "\n")

    for reader in (trash, Trash(trash.path)):  # parsed, then from the index file
        kept, older = reader.read().entries
        assert (kept.created_by, kept.created_by_handle, kept.author) == (ada.name, ada.handle, ada.name)
        assert (kept.created_at, kept.modified_at) == (made, made + timedelta(days=30))
        assert (
            kept.original(modified=True)
            == f"originally by {ada.name}, created 2025-01-05, modified 2025-02-04"
        )
        assert kept.to_json(None)["original"] == {
            "created_by": ada.name,
            "created_by_handle": ada.handle,
            "created_at": "2025-01-05T10:00:00Z",
            "modified_at": "2025-02-04T10:00:00Z",
        }
        assert (older.author, older.created_at, older.modified_at) == (ada.handle, None, None)
        assert older.original() == f"originally by {ada.handle}"
    assert trash.index_path.exists()


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
    last = trash.last_batch()
    assert last is not None and last.id == "batch-1" and last.entries == entries

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
    assert [e.id for e in result.purged] == [snapshots[0].id, snapshots[1].id]
    assert (result.dropped_lines, result.kept_lines) == (0, 1)  # not asked about: kept
    contents = trash.read()
    assert [e.id for e in contents.entries] == [s.id for s in snapshots[2:]] and len(contents.bad_lines) == 1
    assert trash.path.read_bytes().endswith(b"{not json\n")
    assert all(e.state is EntryState.DELETED for e in contents.entries)  # their confirmations survived
    assert not list(trash.path.parent.glob(".trash.jsonl.*"))  # no temp file left behind

    assert [e.id for e in trash.purge(ids=[snapshots[3].id]).purged] == [snapshots[3].id]
    assert [e.id for e in trash.purge().purged] == [snapshots[2].id]
    assert trash.entries() == [] and trash.path.read_text() == "{not json\n"
    assert trash.purge(unreadable=True).dropped_lines == 1  # asked: gone
    assert trash.path.read_text() == ""


def test_batch_ids_sort_by_time() -> None:
    a = new_batch_id(datetime(2025, 1, 1, tzinfo=UTC))
    b = new_batch_id(datetime(2025, 1, 2, tzinfo=UTC))
    assert a < b and a.startswith("20250101T000000-")


# --- purge keeps what it was not asked about (issue 12 item 8) ---------------------------


def test_purge_keeps_unreadable_lines_byte_for_byte_and_a_torn_last_line(devserver, trash) -> None:
    first, second = make(devserver, 2)
    trash.record(first, site="x", profile="p", batch_id="b1")
    with trash.path.open("ab") as f:
        f.write(b'{"kind": "trashed", "snapshot": \xff\xfe not utf-8}\n')  # an edit gone wrong
    trash.record(second, site="x", profile="p", batch_id="b2")
    with trash.path.open("ab") as f:
        f.write(b'{"v":1,"kind":"trashed","id":"half')  # a write cut short by a crash
    assert trash.read().bad_lines == [2, 4]

    result = trash.purge(ids=[first.id])
    assert [e.id for e in result.purged] == [first.id] and (result.dropped_lines, result.kept_lines) == (0, 2)
    raw = trash.path.read_bytes()
    assert b"\xff\xfe not utf-8}\n" in raw and raw.endswith(b'"id":"half\n')
    contents = trash.read()
    assert [e.id for e in contents.entries] == [second.id] and contents.bad_lines == [1, 3]


# --- batches belong to whoever made them ---------------------------------------------


def test_last_batch_is_the_last_one_of_this_user_on_this_machine_and_profile(devserver, trash) -> None:
    shots = make(devserver, 6)
    path = trash.path
    ann = Trash(path, user="ann", host="laptop")
    ann.record(shots[0], site="US1", profile="default", batch_id="1-ann")
    ann.record(shots[1], site="US1", profile="default", batch_id="1-ann")
    ann.record(shots[2], site="US1", profile="work", batch_id="2-ann-work")
    Trash(path, user="bob", host="laptop").record(shots[3], site="US1", profile="default", batch_id="3-bob")
    Trash(path, user="ann", host="desktop").record(
        shots[4], site="US1", profile="default", batch_id="4-ann-elsewhere"
    )
    # A line written before the user and the machine were recorded: nobody's.
    line = json.loads(path.read_text().splitlines()[0]) | {"batch_id": "5-legacy", "id": shots[5].id}
    line["snapshot"] = json.loads(shots[5].model_dump_json(exclude_none=True))
    del line["user"], line["host"]
    with path.open("a") as f:
        f.write(json.dumps(line) + "\n")

    mine = ann.last_batch(profile="default")
    assert (
        mine is not None and mine.id == "1-ann" and [e.id for e in mine.entries] == [s.id for s in shots[:2]]
    )
    assert "batch 1-ann: 2 snapshots deleted" in mine.describe() and "by ann@laptop" in mine.describe()
    last = ann.last_batch()
    assert last is not None and last.id == "2-ann-work"  # any profile of hers
    assert Trash(path, user="bob", host="laptop").last_batch(profile="work") is None
    assert Trash(path, user="carol", host="laptop").last_batch() is None
    assert [e.id for e in ann.batch("3-bob")] == [shots[3].id]  # named, anybody's batch is there


# --- the index -------------------------------------------------------------------------


APPEND = """
import sys
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.trash import Trash
trash = Trash(__import__("pathlib").Path(sys.argv[1]), user="other", host="process")
snapshot = Snapshot.model_validate_json(sys.argv[2])
trash.record(snapshot, site="x", profile="p", batch_id="from-another-process")
trash.confirm(snapshot.id, "from-another-process")
trash.confirm("no-such-entry", "from-another-process")
with open(sys.argv[1], "ab") as f:
    f.write(b'{"v":1,"kind":"deleted","batch_id":"torn')  # and a kill mid-write
"""


def full_parse(path: Path) -> tuple[list[tuple[object, ...]], list[int]]:
    """What a trash with no index reads: every entry's fields, and the bad lines."""
    fresh = path.parent / "fresh"
    fresh.mkdir(exist_ok=True)
    copy = fresh / path.name
    copy.write_bytes(path.read_bytes())
    contents = Trash(copy).read()
    return [_fields(e) for e in contents.entries], contents.bad_lines


def _fields(e) -> tuple[object, ...]:
    return (e.key, e.deleted_at, e.site, e.profile, e.name, e.view_name, e.user, e.host, e.state, e.restored_as,
            e.intent, e.error)  # fmt: skip


def test_the_index_is_used_and_follows_appends_by_another_process_and_a_torn_line(
    devserver, trash, monkeypatch
) -> None:
    import subprocess
    import sys

    from heatmap_tui.core import trash_index

    # An index after every read that parsed something (the default waits for 256 KiB of journal).
    monkeypatch.setattr(Trash, "index_every", 0)
    shots = make(devserver, 40)
    for i, snapshot in enumerate(shots[:30]):
        trash.record(snapshot, site="x", profile="p", batch_id=f"b{i // 10}")
        trash.confirm(snapshot.id, f"b{i // 10}")
    assert len(trash.read().entries) == 30
    assert trash.index_path.exists()

    parsed: list[bytes] = []
    real_apply = trash_index.apply_record
    monkeypatch.setattr(
        trash_index,
        "apply_record",
        lambda rows, line, *a, **kw: parsed.append(line) or real_apply(rows, line, *a, **kw),
    )
    expected = full_parse(trash.path)
    parsed.clear()
    again = Trash(trash.path)  # another process, later: its index from the file
    assert [_fields(e) for e in again.read().entries] == expected[0]
    assert parsed == []  # nothing parsed again

    trash.record_restored(trash.read().entries[3], "restored-elsewhere")  # this process appends
    out = subprocess.run([sys.executable, "-c", APPEND, str(trash.path), shots[30].model_dump_json()],
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 0, out.stderr  # and another one, which dies mid-write
    expected = full_parse(trash.path)
    parsed.clear()
    for reader in (trash, again, Trash(trash.path)):  # in memory, from the index file, and once more
        contents = reader.read()
        assert ([_fields(e) for e in contents.entries], contents.bad_lines) == expected
        assert contents.entries[-1].id == shots[30].id and contents.entries[-1].state is EntryState.DELETED
        assert contents.entries[3].restored_as == "restored-elsewhere"
        assert contents.bad_lines == [65]  # the torn last line: reported, never indexed
    assert 0 < len(parsed) <= 3 * 6  # only what was appended, by each reader

    # The torn line ends when the next record comes: it stays a bad line, the record is read.
    trash.confirm(shots[0].id, "b0")
    contents = Trash(trash.path).read()
    assert contents.bad_lines == [65] and len(contents.entries) == 31

    # A purge rewrites the journal (another inode): the index no longer holds, it is rebuilt.
    trash.purge(ids=[shots[1].id])
    expected = full_parse(trash.path)
    for reader in (again, Trash(trash.path)):
        contents = reader.read()
        assert ([_fields(e) for e in contents.entries], contents.bad_lines) == expected
        assert shots[1].id not in {e.id for e in contents.entries} and len(contents.entries) == 30

    # An edit in place (same inode, same size): the index's digests see it.
    raw = trash.path.read_bytes()
    edited = raw.replace(b'"profile":"p"', b'"profile":"q"', 1)
    assert len(edited) == len(raw)
    with trash.path.open("r+b") as f:
        f.write(edited)
    assert again.read().entries[0].profile == "q" and Trash(trash.path).read().entries[0].profile == "q"


def test_a_snapshot_is_read_at_its_offset_and_found_again_after_a_purge(devserver, trash) -> None:
    shots = make(devserver, 3)
    for snapshot in shots:
        trash.record(snapshot, site="x", profile="p", batch_id="b")
    entries = trash.entries()
    assert [e.snapshot for e in entries] == shots
    trash.purge(ids=[shots[0].id])  # the lines move: the old offsets point elsewhere now
    assert entries[2].snapshot == shots[2]
    with pytest.raises(TrashError, match="no longer in the trash"):
        entries[0].snapshot  # noqa: B018


# --- restore settles what an interrupted one left ---------------------------------------


async def test_an_intent_without_an_answer_is_settled_by_the_twin_on_the_server(
    devserver, service, trash
) -> None:
    lost, never = make(devserver, 2)
    await delete_with_trash(service, [lost, never], trash, site="x", profile="p", batch_id="b")
    entries = {e.id: e for e in trash.entries()}
    # A restore wrote its intents, sent both creates and died: only the first reached the server.
    trash.record_intent(entries[lost.id])
    trash.record_intent(entries[never.id])
    twin = await service.create(create_attributes_from(lost))
    assert all(e.intent for e in trash.entries())
    devserver.reset_stats()

    report = await trash.restore(list(entries.values()), service)
    assert {e.id: new.id for e, new in report.restored} == {
        lost.id: twin.id,
        never.id: report.id_map[never.id],
    }
    assert report.found == [entries[lost.id].key]
    assert devserver.count(method="POST") == 1  # only the one that never happened was created
    assert sum(1 for s in devserver.store.snapshots.values() if s.view_name == VIEW) == 2
    assert {e.id: e.restored_as for e in trash.entries()} == report.id_map


async def test_an_intent_in_a_view_cut_at_the_page_limit_is_not_guessed(devserver, trash) -> None:
    shots = make(devserver, 4)
    async with DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)) as client:
        service = SnapshotService(client, page_limit=2)  # the view holds more than one answer shows
        await delete_with_trash(service, shots[:1], trash, site="x", profile="p", batch_id="b")
        (entry,) = trash.entries()
        trash.record_intent(entry)
        devserver.reset_stats()
        report = await trash.restore([entry], service)
    assert not report.restored and "cannot be told" in report.skipped[0][1]
    assert devserver.count(method="POST") == 0


# --- frame changes (`snapshots reframe`): a record kind of its own ----------------------------

OLD_FRAME = {"event_id": "e-old", "start": 1000, "session_id": "s0", "view_id": "v0",
             "version": "2.3.1", "date": "2026-01-05T10:00:00Z"}  # fmt: skip


def reframe_record(trash: Trash, snapshot: Snapshot, batch_id: str = "rb") -> dict[str, object]:
    """Journal a frame change of `snapshot` (to a frame on 2.5.0) as `snapshots reframe` does;
    the new frame."""
    new = {"event_id": "e-new", "start": 2500, "session_id": "s9", "view_id": "v9",
           "version": "2.5.0", "date": "2026-02-01T09:00:00Z"}  # fmt: skip
    old = {**OLD_FRAME, "event_id": snapshot.attributes.event_id, "start": snapshot.attributes.start,
           "session_id": snapshot.attributes.session_id, "view_id": snapshot.attributes.view_id}  # fmt: skip
    trash.record_reframe(snapshot, old, new, site="x", profile="p", batch_id=batch_id)
    return new


def test_a_frame_change_is_its_own_kind_read_from_the_journal_and_the_index(
    devserver, trash, monkeypatch
) -> None:
    (deleted, reframed) = make(devserver, 2)
    monkeypatch.setattr(Trash, "index_every", 0)  # an index file after every read: it keeps them too
    trash.record(deleted, site="x", profile="p", batch_id="db")
    trash.confirm(deleted.id, "db")
    new = reframe_record(trash, reframed)
    records = [json.loads(line) for line in trash.path.read_text().splitlines()]
    assert records[-1]["kind"] == "reframe" and records[-1]["new"] == new
    assert records[-1]["snapshot"]["attributes"]["event_id"] == reframed.attributes.event_id

    (entry,) = trash.batch("rb")
    assert entry.is_reframe and entry.state is EntryState.UNCONFIRMED  # journaled, PATCH not confirmed
    trash.confirm_reframe(reframed.id, "rb")
    for reader in (trash, Trash(trash.path)):  # parsed, then from the index file
        old_entry, entry = reader.read().entries
        assert not old_entry.is_reframe and old_entry.state is EntryState.DELETED
        assert entry.state is EntryState.REFRAMED and entry.reframe is not None
        assert entry.reframe[1] == new
        assert entry.state_text() == "re-framed 2.3.1 2026-01-05 → 2.5.0 2026-02-01"
        assert entry.snapshot == reframed  # its copy, as it was before the PATCH
        assert entry.to_json(None)["reframe"]["new"] == new
    assert trash.last_batch().describe().startswith("batch rb: 1 snapshot re-framed ")  # type: ignore[union-attr]


def test_journals_without_frame_changes_and_older_indexes_still_load(devserver, trash) -> None:
    (shot,) = make(devserver, 1)
    trash.record(shot, site="x", profile="p", batch_id="b")
    # An index file of the version before frame changes: ignored, the journal is parsed whole.
    trash.index_path.write_text(json.dumps({"v": 3, "dev": 0, "ino": 0, "covered": 0}) + "\n")
    (entry,) = Trash(trash.path).read().entries
    assert entry.reframe is None and not entry.is_reframe and entry.state is EntryState.UNCONFIRMED
    assert entry.state_text() == "unconfirmed" and "reframe" not in entry.to_json(None)
    # A reframe record without its frames is not a record (a hand edit): skipped, reported.
    record = json.loads(trash.path.read_text().splitlines()[0])
    with trash.path.open("a") as f:
        f.write(json.dumps({**record, "kind": "reframe", "batch_id": "c"}) + "\n")
    contents = Trash(trash.path).read()
    assert [e.batch_id for e in contents.entries] == ["b"] and contents.bad_lines == [2]


async def test_a_frame_journaled_but_never_patched_is_settled_by_restore(devserver, service, trash) -> None:
    """A kill between the journal and the PATCH: restore finds the old frame still there, marks
    the entry restored and sends no PATCH; one PATCHed without its confirmation is put back."""
    never, patched = make(devserver, 2)
    reframe_record(trash, never)
    new = reframe_record(trash, patched)
    from heatmap_tui.core.reframe import Frame

    await service.update(patched.id, Frame.from_record(new).update_for(patched))  # no "reframed" record
    devserver.reset_stats()
    report = await trash.restore(trash.batch("rb"), service)
    assert [e.id for e, _ in report.restored] == [patched.id]
    assert report.skipped[0][0].id == never.id and "already on its old frame" in report.skipped[0][1]
    assert devserver.count(method="PATCH") == 1
    frame_fields = {
        "event_id",
        "start",
        "session_id",
        "view_id",
        "snapshot_name",
        "is_device_type_selected_by_user",
    }
    for shot in (never, patched):
        now = devserver.store.get_snapshot(shot.id)
        assert now is not None and now.attributes.model_dump(
            include=frame_fields
        ) == shot.attributes.model_dump(include=frame_fields)
    assert all(e.state is EntryState.RESTORED and e.restored_as == e.id for e in trash.batch("rb"))
    again = await trash.restore(trash.batch("rb"), service)
    assert not again.restored and {why for _, why in again.skipped} == {"its old frame is already back"}


def test_a_reframe_killed_mid_way_is_undone_exactly(devserver, tmp_path) -> None:
    """SIGKILL `snapshots reframe --apply` partway (as test_kill_mid_delete does a delete): every
    frame the server changed is journaled, and `trash restore --last` puts each one back."""
    import os
    import signal
    import time

    from scripts.cli_runner import Cli
    from scripts.quiet import when_quiet

    from tests.functional.test_reframe_cli import APP, VIEW, frame_of, seed_versions

    count = 24
    world = seed_versions(devserver, outdated=count)
    originals = {s.id: frame_of(s) for s in devserver.store.list_snapshots(VIEW)}
    newest = world.frame("newest")

    def changed() -> set[str]:
        return {s.id for s in devserver.store.list_snapshots(VIEW) if frame_of(s) == newest}

    cli = Cli(tmp_path, devserver.url)
    devserver.faults.latency_ms = 40
    process = cli.start("snapshots", "reframe", "--app", APP, "--view", VIEW, "--apply", "--concurrency", "1")
    try:
        deadline = time.monotonic() + 60
        while len(changed()) < count // 3:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the re-frame never got going"
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    devserver.faults.latency_ms = 0
    done = when_quiet(changed, 0.3, 10)
    assert count // 3 <= len(done) < count + 2, "the kill should land partway through"

    journaled = {e.id for e in Trash(cli.trash_path).read().entries}
    assert done <= journaled  # an old frame journaled before every PATCH the server carried out
    restore = cli.run("trash", "restore", "--last", "--json")
    assert restore.code == 0, restore
    assert {r["id"] for r in restore.json["restored"]} == done
    assert {s["id"] for s in restore.json["skipped"]} == journaled - done  # journaled, never PATCHed
    assert {s.id: frame_of(s) for s in devserver.store.list_snapshots(VIEW)} == originals
