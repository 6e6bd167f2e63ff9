"""SIGKILL a bulk delete halfway: everything the server deleted must come back from the trash."""

from __future__ import annotations

import os
import signal
import time

from scripts.cli_runner import Cli
from scripts.quiet import when_quiet

from heatmap_tui.core.trash import Trash

VIEW = "/kill-me"
COUNT = 60


def ids_in_view(devserver) -> set[str]:
    return {s.id for s in devserver.store.list_snapshots(VIEW)}


def settled(devserver, quiet: float = 0.3, timeout: float = 10) -> set[str]:
    """The view's ids once the server has finished the requests still in flight."""
    return when_quiet(lambda: ids_in_view(devserver), quiet, timeout)


def test_every_snapshot_deleted_before_the_kill_is_restorable(devserver, tmp_path) -> None:
    app_id = next(iter(devserver.store.applications))
    originals = {
        s.id: s
        for s in (
            devserver.store.new_snapshot(
                application_id=app_id,
                view_name=VIEW,
                device_type="desktop",
                snapshot_name=f"frame {i:02d}",
                start=i,
                session_id=f"s{i}",
            )
            for i in range(COUNT)
        )
    }
    devserver.faults.latency_ms = 50
    cli = Cli(tmp_path, devserver.url)
    process = cli.start("snapshots", "delete", *originals, "--view", VIEW, "--yes", "--concurrency", "2")
    try:
        deadline = time.monotonic() + 30
        while COUNT - len(ids_in_view(devserver)) < COUNT // 3:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the delete never got going"
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    remaining = settled(devserver)
    deleted = set(originals) - remaining
    assert COUNT // 3 <= len(deleted) < COUNT, "the kill should land partway through"

    contents = Trash(cli.trash_path).read()
    trashed = {e.id for e in contents.entries}
    assert deleted <= trashed  # a copy before every DELETE the server carried out
    confirmed = {e.id for e in contents.entries if e.confirmed}
    assert confirmed <= deleted  # a confirmation only for what the server really deleted

    devserver.faults.latency_ms = 0
    restore = cli.run("trash", "restore", "--last", "--json")
    assert restore.code == 0, restore
    report = restore.json
    assert {r["id"] for r in report["restored"]} == deleted
    assert {s["id"] for s in report["skipped"]} == trashed - deleted  # copied, but never deleted
    assert all(r["new_id"] not in originals for r in report["restored"])

    after = devserver.store.list_snapshots(VIEW)
    assert len(after) == COUNT  # each one back exactly once
    assert sorted(s.name for s in after) == sorted(s.name for s in originals.values())
    by_name = {s.name: s for s in originals.values()}
    for snapshot in after:
        original = by_name[snapshot.name]
        assert (snapshot.attributes.start, snapshot.attributes.session_id) == (
            original.attributes.start,
            original.attributes.session_id,
        )
        assert (snapshot.id == original.id) == (original.id not in deleted)
