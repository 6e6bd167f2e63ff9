"""Issue 15, bug 8, in the CLI: `trash list` and `trash restore` say each snapshot's original
author and dates beside its new id (text and --json), and that a restore cannot keep them. Real
processes against the dev server; the trash in the sandbox."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scripts.cli_runner import Cli

from heatmap_tui.commands.trash import RESTORE_TRUTH
from heatmap_tui.core.models import Snapshot
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.auth import DEMO_USER
from heatmap_tui.devserver.seed_data import AUTHORS
from tests.functional.test_trash_restore_cli import delete

VIEW = "/original"
MADE = datetime(2025, 1, 5, 10, 0, tzinfo=UTC)
CHANGED = MADE + timedelta(days=30)
ADA = AUTHORS[1]


def made_by_ada(devserver: DevServer, count: int) -> list[Snapshot]:
    app_id = next(iter(devserver.store.applications))
    return [
        devserver.store.new_snapshot(application_id=app_id, view_name=VIEW, snapshot_name=f"kept {i}", start=i,
                                     user=ADA, created_at=MADE, modified_at=CHANGED)
        for i in range(count)
    ]  # fmt: skip


def columns(stdout: str) -> list[dict[str, str]]:
    """The rows of the table, each cell by its header (cells start where their header starts)."""
    header, *lines = stdout.splitlines()
    spans = [(m.group(), m.start()) for m in re.finditer(r"\S+(?: \S+)*", header)]
    ends = [start for _, start in spans[1:]] + [None]
    return [
        {label: line[start:end].strip() for (label, start), end in zip(spans, ends, strict=True)}
        for line in lines
    ]


def test_list_and_restore_say_the_original_author_and_dates_beside_the_new_id(
    devserver: DevServer, tmp_path: Path
) -> None:
    shots = made_by_ada(devserver, 2)
    cli = Cli(tmp_path, devserver.url)
    delete(cli, VIEW, shots)

    listed = cli.run("trash", "list")
    assert listed.code == 0, listed
    rows = {row["ID"]: row for row in columns(listed.stdout)}
    for shot in shots:
        row = rows[shot.id]
        assert (row["AUTHOR"], row["CREATED (UTC)"], row["MODIFIED (UTC)"]) == (
            ADA.name,
            "2025-01-05 10:00",
            "2025-02-04 10:00",
        )
        assert row["RESTORED AS"] == "" and row["STATE"] == "deleted"
    as_json = {e["id"]: e for e in cli.run("trash", "list", "--json").json["data"]}
    original = {
        "created_by": ADA.name,
        "created_by_handle": ADA.handle,
        "created_at": "2025-01-05T10:00:00Z",
        "modified_at": "2025-02-04T10:00:00Z",
    }
    assert all(as_json[s.id]["original"] == original for s in shots)
    assert all(as_json[s.id]["restored_as"] is None for s in shots)  # the keys there before stay

    # Restore one as text, the other as JSON.
    text = cli.run("trash", "restore", shots[0].id)
    assert text.code == 0, text
    (line,) = [line for line in text.stdout.splitlines() if line.startswith("restored")]
    new_text = line.split(" -> ")[1].split()[0]
    assert line.endswith(f"; originally by {ADA.name}, created 2025-01-05")
    assert RESTORE_TRUTH in text.stderr
    as_json_restore = cli.run("trash", "restore", shots[1].id, "--json")
    assert as_json_restore.code == 0, as_json_restore
    (item,) = as_json_restore.json["restored"]
    assert item["id"] == shots[1].id and item["original"] == original and item["found"] is False
    new_json = item["new_id"]

    # What the server holds is what was said: new ids, the demo user as author, a new date.
    for new_id in (new_text, new_json):
        back = devserver.store.snapshots[new_id].attributes
        assert back.created_by == DEMO_USER.name and back.created_at is not None and back.created_at > CHANGED
    # And the list now names each new id beside the original's author and dates.
    listed = cli.run("trash", "list")
    rows = {row["ID"]: row for row in columns(listed.stdout)}
    assert [rows[s.id]["RESTORED AS"] for s in shots] == [new_text, new_json]
    assert all(rows[s.id]["AUTHOR"] == ADA.name for s in shots)
    assert RESTORE_TRUTH in listed.stderr
    as_json = {e["id"]: e for e in cli.run("trash", "list", "--json").json["data"]}
    assert [as_json[s.id]["restored_as"] for s in shots] == [new_text, new_json]
    assert all(as_json[s.id]["original"] == original for s in shots)


def test_a_record_without_the_originals_lists_and_restores(devserver: DevServer, tmp_path: Path) -> None:
    """A trash written before the copies held them (or from a server that sends none)."""
    (shot,) = made_by_ada(devserver, 1)
    cli = Cli(tmp_path, devserver.url)
    document = shot.model_dump(mode="json", exclude={"attributes": {"created_by", "created_by_handle",
                                                                    "created_at", "modified_at"}})  # fmt: skip
    record = {"v": 1, "kind": "trashed", "at": "2025-03-01T00:00:00Z", "batch_id": "old", "id": shot.id,
              "site": devserver.url, "profile": "default", "application_id": shot.application_id,
              "snapshot": document}  # fmt: skip
    cli.trash_path.parent.mkdir(parents=True, exist_ok=True)
    cli.trash_path.write_text(json.dumps(record) + "\n")
    devserver.store.delete_snapshot(shot.id)

    listed = cli.run("trash", "list")
    assert listed.code == 0, listed
    (row,) = columns(listed.stdout)
    assert (row["ID"], row["AUTHOR"], row["CREATED (UTC)"], row["MODIFIED (UTC)"]) == (shot.id, "", "", "")
    (entry,) = cli.run("trash", "list", "--json").json["data"]
    assert entry["original"] == dict.fromkeys(
        ("created_by", "created_by_handle", "created_at", "modified_at")
    )

    restored = cli.run("trash", "restore", shot.id)
    assert restored.code == 0, restored
    (line,) = [line for line in restored.stdout.splitlines() if line.startswith("restored")]
    assert line.endswith("; its original author and date were not recorded")
