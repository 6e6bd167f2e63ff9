"""`heatmap-tui snapshots cleanup`: preview, or `--apply` (through the trash), rule-based removal."""

from __future__ import annotations

import argparse

from heatmap_tui.commands.argtypes import age
from heatmap_tui.commands.common import CliError, command, print_json, say
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from heatmap_tui.commands.output import add_output_options, print_table, snapshot_rows
from heatmap_tui.commands.snapshot_lookup import Collected, add_view_options, collect
from heatmap_tui.commands.snapshot_write import add_concurrency_option, delete_through_trash
from heatmap_tui.core.cleanup import CleanupPlan, CleanupRules, plan_cleanup
from heatmap_tui.core.transfer import snapshot_json


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cleanup = actions.add_parser(
        "cleanup",
        help="preview (default) or --apply the removal of old, duplicate or unwanted snapshots",
        description="Rules combine with AND; --duplicates keeps the newest of each group of "
        "snapshots with the same application, view, device and event id. Without --apply nothing "
        "is deleted: the command lists what would go and why.",
    )
    add_target_options(cleanup)
    add_view_options(cleanup)
    cleanup.add_argument("--older-than", type=age, metavar="AGE", help="not modified for AGE: 90d, 12h, 2w")
    cleanup.add_argument("--author", help="created by this name or email (case-insensitive)")
    cleanup.add_argument("--device", metavar="TYPE", help="only this device type")
    cleanup.add_argument("--duplicates", action="store_true", help="duplicates, keeping the newest of each")
    cleanup.add_argument("--apply", action="store_true", help="delete them (through the trash)")
    add_concurrency_option(cleanup)
    add_output_options(cleanup)
    cleanup.set_defaults(func=cleanup_command)


@command
def cleanup_command(ns: argparse.Namespace) -> int:
    rules = CleanupRules(
        older_than=ns.older_than, author=ns.author, device=ns.device, duplicates=ns.duplicates
    )
    if rules.empty:
        raise CliError("give at least one rule: --older-than, --author, --device or --duplicates", EXIT_USAGE)

    async def body() -> int:
        async with connect(ns) as conn:
            collected = await collect(conn, views=ns.view, app=ns.app)
            plan = plan_cleanup(collected.snapshots, rules)
            _show_plan(ns, plan, collected)
            if not ns.apply:
                if plan.selected:
                    say(
                        "Dry run: nothing was deleted. Add --apply to delete them (a copy goes to the trash)."
                    )
                return EXIT_OK
            if not plan.selected:
                return EXIT_OK
            return await delete_through_trash(conn, plan.snapshots, ns.concurrency)

    return run(body)


def _show_plan(ns: argparse.Namespace, plan: CleanupPlan, collected: Collected) -> None:
    if ns.json:
        meta = {"reasons": plan.reasons, **collected.meta()}
        document = {"data": [snapshot_json(s) for s in plan.snapshots], "meta": meta}
        print_json(document)
    elif plan.selected:
        rows = [
            [*row[:2], row[2], row[4], row[5], row[6], "; ".join(item.reasons)]
            for row, item in zip(snapshot_rows(plan.snapshots), plan.selected, strict=True)
        ]
        print_table(("NAME", "VIEW", "DEVICE", "AUTHOR", "MODIFIED", "ID", "WHY"), rows)
    verb = "selected for deletion" if ns.apply else "would be deleted"
    say(f"{len(plan)} of {plan.considered} snapshots {verb} ({plan.rules.describe()}).")
    if collected.cut:
        say(
            f"Not covered: whatever lies past the first {collected.limit} snapshots (the page limit) "
            f"of {len(collected.cut)} view(s): {', '.join(collected.cut)}. The API lists no further."
        )
