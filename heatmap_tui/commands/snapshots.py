"""`heatmap-tui snapshots list|create|update|delete|cleanup|export|import`: scripting commands.

This module wires the actions (in the order `--help` shows them) and holds the two that only
read: `list` and `export`. The others live beside it: snapshot_write (create, update, delete),
snapshot_cleanup, snapshot_import; the shared plumbing is in connect (target options,
connection, `--app` by id or name), snapshot_lookup (finding snapshots by view or id), output
(tables, CSV, progress) and common (errors, `emit`, prompts).

Every delete goes through the trash, so `heatmap-tui trash restore --last` undoes it. Results go
to stdout (a table, or `--json` in the API's own shape for jq, or `--csv`); messages and progress
go to stderr.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from heatmap_tui.commands import (
    snapshot_cleanup,
    snapshot_import,
    snapshot_reframe,
    snapshot_stale,
    snapshot_write,
)
from heatmap_tui.commands.argtypes import positive_int
from heatmap_tui.commands.common import command, emit, print_json, say
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_OK
from heatmap_tui.commands.output import (
    SNAPSHOT_HEADERS,
    add_output_options,
    print_snapshots_csv,
    print_table,
    snapshot_rows,
)
from heatmap_tui.commands.snapshot_lookup import Collected, add_view_options, collect
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.transfer import dumps_snapshots, export_snapshots, snapshot_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "snapshots", help="list, create, update, delete, clean up, export and import snapshots"
    )
    actions = parser.add_subparsers(dest="snapshots_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the snapshots of views")
    add_target_options(listing)
    add_view_options(listing, required=True)
    listing.add_argument("--device", metavar="TYPE", help="only this device type (desktop, mobile, tablet)")
    listing.add_argument(
        "--limit", type=positive_int, metavar="N", help="page limit per view (default: the config's, 1000)"
    )
    add_output_options(listing, csv_too=True)
    listing.set_defaults(func=list_command)

    snapshot_write.register(actions)  # create, update, delete
    snapshot_cleanup.register(actions)
    snapshot_stale.register(actions)
    snapshot_reframe.register(actions)

    export = actions.add_parser("export", help="write snapshots to a JSON file in the API's shape")
    add_target_options(export)
    add_view_options(export)
    export.add_argument("file", metavar="FILE", help="where to write (- for stdout)")
    export.add_argument("--device", metavar="TYPE", help="only this device type")
    export.set_defaults(func=export_command)

    snapshot_import.register(actions)


@command
def list_command(ns: argparse.Namespace) -> int:
    async def body() -> Collected:
        async with connect(ns) as conn:
            return await collect(
                conn, views=None if ns.all_views else ns.view, app=ns.app, device=ns.device, limit=ns.limit
            )

    collected = run(body)
    snapshots = collected.snapshots
    if ns.json:
        print_json({"data": [snapshot_json(s) for s in snapshots], "meta": collected.meta()})
    elif ns.csv:
        print_snapshots_csv(snapshots)
    elif snapshots:
        print_table(SNAPSHOT_HEADERS, snapshot_rows(snapshots))
    else:
        say("No snapshots.")
    return EXIT_OK


@command
def export_command(ns: argparse.Namespace) -> int:
    async def body() -> list[Snapshot]:
        async with connect(ns) as conn:
            return (await collect(conn, views=ns.view, app=ns.app, device=ns.device)).snapshots

    snapshots = run(body)
    if ns.file == "-":
        emit(dumps_snapshots(snapshots))
    else:
        export_snapshots(snapshots, Path(ns.file))
        say(f"Exported {len(snapshots)} snapshot(s) to {ns.file}.")
    return EXIT_OK
