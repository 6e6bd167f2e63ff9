"""The CLI's clean-up: a dry run deletes nothing, and --apply deletes exactly what it previewed."""

from __future__ import annotations

from scripts.cli_runner import Cli

from heatmap_tui.core.trash import EntryState, Trash


def test_cli_dry_run_deletes_nothing_and_apply_deletes_exactly_the_preview(devserver, tmp_path) -> None:
    cli = Cli(tmp_path, devserver.url)
    before = dict(devserver.store.snapshots)
    args = ("snapshots", "cleanup", "--all-views", "--duplicates", "--older-than", "2d")

    dry = cli.api(*args, "--json")
    assert dry.code == 0, dry
    preview = {s["id"] for s in dry.json["data"]}
    assert preview and set(dry.json["meta"]["reasons"]) == preview
    assert devserver.store.snapshots == before
    assert devserver.count(method="DELETE") == 0
    assert "would be deleted" in dry.stderr and "--apply" in dry.stderr

    applied = cli.api(*args, "--apply")
    assert applied.code == 0, applied
    assert set(before) - set(devserver.store.snapshots) == preview
    assert f"{len(preview)} deleted, 0 failed" in applied.stderr and "Deleting" in applied.stderr
    entries = Trash(cli.trash_path).entries()
    assert {e.id for e in entries} == preview and {e.state for e in entries} == {EntryState.DELETED}
