"""`heatmap-tui snapshots reframe`: preview, or `--apply` (journaled in the trash), new frames
for outdated or expired snapshots (core/reframe.py)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from heatmap_tui.commands.common import command, print_json, say
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK
from heatmap_tui.commands.output import Progress, add_output_options, print_table
from heatmap_tui.commands.snapshot_lookup import Collected, add_view_options, collect
from heatmap_tui.commands.snapshot_stale import stale_settings
from heatmap_tui.commands.snapshot_write import add_concurrency_option
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.reframe import ReframePlan, apply_reframes, plan_reframes
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash import Trash, new_batch_id


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reframe = actions.add_parser(
        "reframe",
        help="preview (default) or --apply new frames for outdated or expired snapshots",
        description="A snapshot is outdated when its frame comes from an app version older than "
        "the newest seen on its view, expired when its frame's replay is no longer kept. The new "
        "frame is the newest replay view of the same view and device on the current version; the "
        "name is kept. Without --apply nothing changes. With it, each old frame is journaled in "
        "the trash first: `heatmap-tui trash restore --last` puts them back.",
    )
    add_target_options(reframe)
    add_view_options(reframe)
    reframe.add_argument("--device", metavar="TYPE", help="only this device type")
    reframe.add_argument("--apply", action="store_true", help="re-frame them (journaled in the trash)")
    add_concurrency_option(reframe)
    add_output_options(reframe)
    reframe.set_defaults(func=reframe_command)


@command
def reframe_command(ns: argparse.Namespace) -> int:
    async def body() -> int:
        async with connect(ns) as conn:
            collected = await collect(conn, views=ns.view, app=ns.app, device=ns.device)
            plans = await plan_reframes(
                conn.rum, collected.snapshots, concurrency=ns.concurrency, settings=stale_settings(ns)
            )
            _show_plans(ns, plans, collected)
            ready = [p for p in plans if p.new is not None]
            if not ns.apply:
                if ready:
                    say("Dry run: nothing was changed. Add --apply to re-frame them (undo: trash restore).")
                return EXIT_OK
            if not ready:
                return EXIT_OK
            return await _apply(conn, ready, ns.concurrency)

    return run(body)


def _show_plans(ns: argparse.Namespace, plans: Sequence[ReframePlan], collected: Collected) -> None:
    if ns.json:
        print_json({"data": [p.to_json() for p in plans], "meta": collected.meta()})
    elif plans:
        rows = [
            [
                p.snapshot.name,
                p.snapshot.view_name,
                p.snapshot.device_type,
                p.reason,
                p.old.label(),
                p.new.label() if p.new is not None else f"none: {p.note}",
                p.snapshot.id,
            ]
            for p in plans
        ]
        print_table(("NAME", "VIEW", "DEVICE", "WHY", "FRAME NOW", "NEW FRAME", "ID"), rows)
        for p in plans:
            say(visible(f"{p.snapshot.id}: {p.reason}: {p.evidence}"))
    ready = sum(1 for p in plans if p.new is not None)
    verb = "to re-frame" if ns.apply else "would be re-framed"
    say(f"{len(plans)} of {len(collected.snapshots)} snapshots are outdated or expired; {ready} {verb}.")


async def _apply(conn: Connection, plans: Sequence[ReframePlan], workers: int) -> int:
    """Journal each old frame, PATCH the new one; progress on stderr, summary and undo at the end."""
    batch = new_batch_id()
    progress = Progress(len(plans), "Re-framing")
    try:
        result = await apply_reframes(
            conn.snapshots,
            plans,
            Trash(),
            site=conn.site,
            profile=conn.profile,
            batch_id=batch,
            concurrency=workers,
            on_progress=progress,
        )
    finally:
        progress.close()
    say(f"{result.summary()} (trash batch {batch}).")
    if result.done:
        say(f"Undo with `heatmap-tui trash restore --batch {batch}`.")
    return EXIT_OK if not result.failed else EXIT_ERROR
