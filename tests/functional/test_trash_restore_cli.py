"""Restores from the CLI as real processes: whose batch `--last` is, `--batch`, two restores of
one batch at once, and a restore killed mid-flight then run again. Nothing is ever duplicated:
the snapshots are counted on the dev server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter

from scripts.cli_runner import Cli, Result
from scripts.quiet import when_quiet

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DevServer


def make(devserver: DevServer, view: str, count: int, tag: str = "shot") -> list[Snapshot]:
    app_id = next(iter(devserver.store.applications))
    return [
        devserver.store.new_snapshot(
            application_id=app_id,
            view_name=view,
            device_type="desktop",
            snapshot_name=f"{tag} {i:02d}",
            start=i,
            session_id=f"s{i}",
        )
        for i in range(count)
    ]


def names_in(devserver: DevServer, view: str) -> Counter[str]:
    return Counter(s.name for s in devserver.store.list_snapshots(view))


def as_user(cli: Cli, user: str) -> Cli:
    """The same sandbox (one trash), run by another login name."""
    other = Cli(cli.root, cli.url)
    other.env = {**cli.env, "LOGNAME": user, "USER": user}
    return other


def delete(cli: Cli, view: str, snapshots: list[Snapshot], *extra: str) -> str:
    """Delete through the CLI; the batch id it printed."""
    done = cli.api("snapshots", "delete", *(s.id for s in snapshots), "--view", view, "--yes", *extra)
    assert done.code == 0, done
    (line,) = [line for line in done.stderr.splitlines() if "trash batch" in line]
    batch = line.split("trash batch ")[1].rstrip(").")
    assert f"Undo with `heatmap-tui trash restore --batch {batch}`." in done.stderr
    return batch


def journal_records(text: str) -> list[dict[str, object]]:
    """The journal's records as the trash reads them: blank lines skipped, and a last line torn by
    a kill (the process died mid-write) left out."""
    lines = [line for line in text.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines[:-1]]
    try:
        records.extend(json.loads(line) for line in lines[-1:])
    except ValueError:
        pass
    return records


def settled(devserver: DevServer, view: str, quiet: float = 0.5, timeout: float = 15) -> Counter[str]:
    """The view's names once the server has finished the requests still in flight."""
    return when_quiet(lambda: names_in(devserver, view), quiet, timeout)


def test_last_is_the_last_batch_of_this_user_and_profile_and_batch_names_any(devserver, tmp_path) -> None:
    view = "/whose"
    shots = make(devserver, view, 4)
    ann, bob = as_user(Cli(tmp_path, devserver.url), "ann"), as_user(Cli(tmp_path, devserver.url), "bob")
    mine = delete(ann, view, shots[:2])
    bobs = delete(bob, view, shots[2:3])  # later, by another user
    work = delete(ann, view, shots[3:4], "--profile", "work")  # later, by her, with another profile
    assert len({mine, bobs, work}) == 3

    restored = ann.run("trash", "restore", "--last", "--json")
    assert restored.code == 0, restored
    assert f"The last batch {mine}: 2 snapshots deleted" in restored.stderr
    assert "by ann@" in restored.stderr and "(profile default on " in restored.stderr
    assert {r["id"] for r in restored.json["restored"]} == {s.id for s in shots[:2]}
    assert names_in(devserver, view) == Counter(s.name for s in shots[:2])  # bob's and work's stay gone

    nothing = bob.run("trash", "restore", "--last", "--profile", "work")
    assert nothing.code == 1 and "holds no batch of profile 'work' deleted by bob@" in nothing.stderr

    named = ann.run("trash", "restore", "--batch", bobs, "--json")  # named, anybody's batch
    assert named.code == 0, named
    assert f"The batch {bobs}: 1 snapshot deleted" in named.stderr and "by bob@" in named.stderr
    assert [r["id"] for r in named.json["restored"]] == [shots[2].id]
    unknown = ann.run("trash", "restore", "--batch", "no-such-batch")
    assert unknown.code == 1 and "holds no batch 'no-such-batch'" in unknown.stderr
    both = ann.run("trash", "restore", "--batch", bobs, "--last")
    assert both.code == 2 and "one of them" in both.stderr


def test_two_processes_restoring_one_batch_at_once_restore_each_snapshot_once(devserver, tmp_path) -> None:
    view = "/race"
    count = 30
    shots = make(devserver, view, count)
    cli = Cli(tmp_path, devserver.url)
    batch = delete(cli, view, shots)
    assert not names_in(devserver, view)

    devserver.faults.latency_ms = 60  # each restore takes a while: they overlap
    argv = [("trash", "restore", "--last", "--json"), ("trash", "restore", "--batch", batch, "--json")]
    processes = [
        subprocess.Popen(cli.command(*args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=cli.env)
        for args in argv
    ]  # fmt: skip
    results = []
    for args, process in zip(argv, processes, strict=True):
        out, err = process.communicate(timeout=120)
        results.append(Result(args, process.returncode, out, err))
    devserver.faults.latency_ms = 0
    for result in results:
        assert result.code == 0, result
        assert "Traceback" not in result.stderr

    restored = [r["id"] for result in results for r in result.json["restored"]]
    assert sorted(restored) == sorted(s.id for s in shots)  # each once, by one or the other
    skipped = [s for result in results for s in result.json["skipped"]]
    assert len(skipped) == count and all(s["reason"].startswith("already restored as") for s in skipped)
    assert names_in(devserver, view) == Counter(s.name for s in shots)  # no duplicate on the server
    assert any("Waiting: another restore of batch" in result.stderr for result in results)


def test_a_restore_killed_mid_flight_then_run_again_duplicates_nothing(
    devserver, tmp_path, monkeypatch
) -> None:
    view = "/killed"
    count = 40
    shots = make(devserver, view, count)
    cli = Cli(tmp_path, devserver.url)
    delete(cli, view, shots)
    journal = cli.trash_path
    arrived: list[str] = []  # creates the server has received (it answers them after its latency)
    handle = devserver.app.handle

    def counting(request):  # type: ignore[no-untyped-def]
        if request.method == "POST":
            arrived.append(request.path)
        return handle(request)

    monkeypatch.setattr(devserver.app, "handle", counting)

    devserver.faults.latency_ms = 600  # the creates in flight land on the server after the kill
    process = subprocess.Popen(cli.command("trash", "restore", "--last"), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(arrived) < 8:  # every slot of the restore busy
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the restore never got going"
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    in_flight = settled(devserver, view, quiet=1.5)  # longer than the latency
    devserver.faults.latency_ms = 0
    recorded = journal_records(journal.read_text())
    assert sum(in_flight.values()) > 0 and not any(r["kind"] == "restored" for r in recorded), (
        "the kill should land while creates are in flight, before any answer"
    )
    entries = Trash(journal).entries()
    assert sum(e.intent for e in entries) >= sum(in_flight.values())

    again = cli.run("trash", "restore", "--last", "--json")
    assert again.code == 0, again
    report = again.json
    assert len(report["restored"]) == count and not report["failed"]
    assert sum(r["found"] for r in report["restored"]) == sum(in_flight.values())
    assert names_in(devserver, view) == Counter(s.name for s in shots)  # each back exactly once
    assert all(e.restored_as is not None for e in Trash(journal).entries())
