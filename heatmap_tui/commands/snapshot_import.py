"""`heatmap-tui snapshots import`: create the snapshots of an export file, skipping those already there.

The target is `--profile`/`--site`/`--api-url` (or `--to-profile`) and `--to-app`; the file is one
that `snapshots export` wrote, in the API's shape.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from heatmap_tui.commands.common import command, emit_lines, print_json, say, target_args
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK
from heatmap_tui.commands.output import add_output_options
from heatmap_tui.core.transfer import ImportReport, import_snapshots, parse_snapshots, read_snapshots


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importing = actions.add_parser(
        "import",
        help="create the snapshots of an export file, skipping those already there",
        description="The target is --profile/--site/--api-url (or --to-profile). A snapshot with "
        "the same view, device, event id and name already in the target application is skipped "
        "unless --allow-duplicates.",
    )
    add_target_options(importing, app_flags=("--to-app", "--app"))
    importing.add_argument("file", metavar="FILE", help="an export file (- for stdin)")
    importing.add_argument(
        "--to-profile", metavar="NAME", help="the profile to import into (same as --profile)"
    )
    importing.add_argument(
        "--allow-duplicates", action="store_true", help="create them even if already there"
    )
    add_output_options(importing)
    importing.set_defaults(func=import_command)


@command
def import_command(ns: argparse.Namespace) -> int:
    if ns.file == "-":
        snapshots = parse_snapshots(sys.stdin.read(), "standard input")
    else:
        snapshots = read_snapshots(Path(ns.file))
    if ns.to_profile:
        ns = target_args(ns, profile=ns.to_profile)

    async def body() -> ImportReport:
        async with connect(ns) as conn:
            app_id = await conn.application_id(ns.app) if ns.app else None
            return await import_snapshots(
                conn.snapshots,
                snapshots,
                application_id=app_id,
                allow_duplicates=ns.allow_duplicates,
                profile=conn.profile,
            )

    report = run(body)
    for warning in report.warnings:
        say(f"Warning: {warning}")
    if ns.json:
        print_json(
            {
                "created": [
                    {"from": old.id, "id": new.id, "snapshot_name": new.name} for old, new in report.created
                ],
                "skipped": [{"from": s.id, "reason": why} for s, why in report.skipped],
                "failed": [{"from": s.id, "error": str(err)} for s, err in report.failed],
            }
        )
    else:
        lines = [f"created  {old.id} -> {new.id}  {new.name}" for old, new in report.created]
        lines += [f"skipped  {s.id}  {s.name}: {why}" for s, why in report.skipped]
        lines += [f"failed   {s.id}  {s.name}: {err}" for s, err in report.failed]
        emit_lines(lines)
    say(f"Import: {report.summary()}.")
    return EXIT_OK if report.ok else EXIT_ERROR
