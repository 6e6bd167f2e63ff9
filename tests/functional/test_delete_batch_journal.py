"""A bulk delete journals its whole batch in one write (one fsync) before its first DELETE is sent,
and its answers in groups after: SIGKILL it before any DELETE was answered, or after some were,
and every snapshot the server deleted comes back from the trash, once; the others are left be.
(test_kill_mid_delete.py kills one partway with two deletes at a time; these kill a delete at
its default concurrency, and look at the journal itself.)
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable

from scripts.cli_runner import Cli
from scripts.quiet import when_quiet

from heatmap_tui.core.snapshots import PATH
from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DevServer

VIEW = "/batch"
COUNT = 120


def make(devserver: DevServer) -> dict[str, str]:
    """COUNT snapshots of VIEW: id -> name."""
    app_id = next(iter(devserver.store.applications))
    made = (
        devserver.store.new_snapshot(
            application_id=app_id, view_name=VIEW, snapshot_name=f"frame {i:03d}", start=i, session_id=f"s{i}"
        )
        for i in range(COUNT)
    )
    return {s.id: s.name for s in made}


def left(devserver: DevServer) -> set[str]:
    """The view's ids once the server has finished the requests still in flight."""
    return when_quiet(lambda: {s.id for s in devserver.store.list_snapshots(VIEW)})


def records(cli: Cli, kind: str) -> list[dict[str, object]]:
    if not cli.trash_path.exists():
        return []
    lines = cli.trash_path.read_bytes().splitlines()
    return [r for r in map(json.loads, filter(None, lines)) if r["kind"] == kind]


def kill_when(cli: Cli, ids: list[str], ready: Callable[[], bool]) -> None:
    process = cli.start("snapshots", "delete", *ids, "--view", VIEW, "--yes")
    try:
        deadline = time.monotonic() + 30
        while not ready():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the delete never got there"
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL


def test_the_whole_batch_is_journaled_before_any_delete_and_a_kill_then_loses_nothing(
    devserver: DevServer, tmp_path
) -> None:
    originals = make(devserver)
    devserver.faults.hang_next(60, count=COUNT, method="DELETE", path_prefix=PATH)  # none answered
    cli = Cli(tmp_path, devserver.url)
    copies_at_first_delete: list[int] = []

    def first_delete_arrived() -> bool:
        hung = COUNT - _rules_left(devserver)
        if hung and not copies_at_first_delete:
            copies_at_first_delete.append(len(records(cli, "trashed")))
        return hung >= 16

    kill_when(cli, list(originals), first_delete_arrived)

    assert copies_at_first_delete == [COUNT]  # every copy was on disk when the first DELETE came
    assert left(devserver) == set(originals)  # the server deleted none
    entries = Trash(cli.trash_path).read().entries
    assert {e.id for e in entries} == set(originals) and not any(e.confirmed for e in entries)
    restore = cli.api("trash", "restore", "--last", "--json")
    assert restore.code == 0, restore
    assert restore.json["restored"] == []
    assert {s["id"] for s in restore.json["skipped"]} == set(originals)  # all still there
    assert left(devserver) == set(originals)


def test_killed_after_some_deletes_every_deleted_snapshot_comes_back_once(
    devserver: DevServer, tmp_path
) -> None:
    originals = make(devserver)
    devserver.faults.latency_ms = 100  # two rounds of 64: the kill lands between them
    cli = Cli(tmp_path, devserver.url)
    kill_when(cli, list(originals), lambda: COUNT - len(devserver.store.list_snapshots(VIEW)) >= COUNT // 4)

    deleted = set(originals) - left(devserver)
    assert COUNT // 4 <= len(deleted) < COUNT, "the kill should land partway through"
    entries = Trash(cli.trash_path).read().entries
    assert {e.id for e in entries} == set(originals)  # the batch was journaled whole, at once
    assert {e.id for e in entries if e.confirmed} <= deleted  # answers written in groups: maybe not all

    devserver.faults.latency_ms = 0
    restore = cli.api("trash", "restore", "--last", "--json")
    assert restore.code == 0, restore
    assert {r["id"] for r in restore.json["restored"]} == deleted
    assert {s["id"] for s in restore.json["skipped"]} == set(originals) - deleted
    after = devserver.store.list_snapshots(VIEW)
    assert sorted(s.name for s in after) == sorted(originals.values())  # each one back exactly once


def test_a_finished_batch_has_every_answer_on_disk(devserver: DevServer, tmp_path) -> None:
    originals = make(devserver)
    devserver.faults.fail_next(403, count=3, method="DELETE", path_prefix=PATH)
    cli = Cli(tmp_path, devserver.url)
    done = cli.api("snapshots", "delete", *originals, "--view", VIEW, "--yes")
    assert done.code == 1, done  # three were refused
    assert len(records(cli, "trashed")) == COUNT
    assert len(records(cli, "deleted")) == COUNT - 3 and len(records(cli, "failed")) == 3
    states = {e.id: e.state.value for e in Trash(cli.trash_path).read().entries}
    assert sorted(states.values()).count("deleted") == COUNT - 3


def _rules_left(devserver: DevServer) -> int:
    """How many of the hung DELETEs the server has not seen yet."""
    return sum(rule["remaining"] for rule in devserver.faults.describe()["pending"])
