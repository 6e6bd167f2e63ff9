"""`heatmap-tui snapshots stale`: which snapshots are stale, why, and the evidence (core/stale.py).

Without `--view` it covers every application (or `--app`'s) and every known view: those RUM
reports over the widest window the org's retention allows, and those the local view registry
knows (core/view_registry.py), so the views traffic no longer shows are covered too.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from heatmap_tui.commands.common import command, print_json, profile_name, read_config, say
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_OK
from heatmap_tui.commands.output import add_output_options, print_table
from heatmap_tui.commands.snapshot_lookup import add_view_options, collect
from heatmap_tui.core.clock import utc_now
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.rum import WIDEST_WINDOW
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY
from heatmap_tui.core.stale import BADGES, REASONS, StaleSettings, Verdict, judge
from heatmap_tui.core.stale_lookup import app_facts
from heatmap_tui.core.view_registry import known_views


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stale = actions.add_parser(
        "stale",
        help="list stale snapshots with the reasons and their evidence",
        description="Reasons: orphaned (no view events for 30 days), outdated (frame from an older "
        "app version than its view runs), expired (frame's replay past replay retention), "
        "duplicate, old (not modified for 90 days). Nothing is changed.",
    )
    add_target_options(stale)
    add_view_options(stale)
    stale.add_argument(
        "--reason",
        action="append",
        choices=REASONS,
        metavar="REASON",
        help=f"only snapshots stale for this reason (repeat for more): {', '.join(REASONS)}",
    )
    add_output_options(stale)
    stale.set_defaults(func=stale_command)


def stale_settings(ns: argparse.Namespace) -> StaleSettings:
    """The profile's replay retention (`replay_retention_days`), as stale and reframe judge by it."""
    config = read_config()
    profile = config.profiles.get(profile_name(ns, config))
    days = profile.replay_retention_days if profile is not None else 30
    return StaleSettings(replay_retention=timedelta(days=days))


async def _app_verdicts(
    conn: Connection, app_id: str, views: list[str] | None, settings: StaleSettings, gate: asyncio.Semaphore
) -> tuple[list[Verdict], int]:
    if views is None:
        async with gate:
            seen = await conn.rum.discover_views(app_id, since=WIDEST_WINDOW)
        views = list(dict.fromkeys([*(v.name for v in seen), *known_views(conn.profile, app_id)]))
    collected = await collect(conn, views=views, app=app_id, gate=gate)  # one limit for all apps
    facts = await app_facts(conn.rum, app_id, views, collected.snapshots, settings, gate)
    return judge(collected.snapshots, {app_id: facts}, utc_now(), settings), len(views)


@command
def stale_command(ns: argparse.Namespace) -> int:
    settings = stale_settings(ns)
    wanted = set(ns.reason or REASONS)

    async def body() -> tuple[list[Verdict], int]:
        async with connect(ns) as conn:
            gate = asyncio.Semaphore(DEFAULT_CONCURRENCY)
            app_ids = await conn.application_ids(ns.app)
            views = list(dict.fromkeys(ns.view)) if ns.view else None
            found = await asyncio.gather(*(_app_verdicts(conn, a, views, settings, gate) for a in app_ids))
        return [v for verdicts, _ in found for v in verdicts], sum(n for _, n in found)

    verdicts, view_count = run(body)
    stale = [v for v in verdicts if wanted & set(v.reasons)]
    if ns.json:
        print_json({"data": [_verdict_json(v) for v in stale]})
    elif stale:
        print_table(("NAME", "VIEW", "DEVICE", "STALE", "EVIDENCE", "ID"), [_row(v) for v in stale])
    say(f"{len(stale)} of {len(verdicts)} snapshots stale, over {view_count} view(s).")
    return EXIT_OK


def _verdict_json(verdict: Verdict) -> dict[str, object]:
    a = verdict.snapshot.attributes
    return {
        "id": verdict.snapshot.id,
        "application_id": a.application_id,
        "view_name": a.view_name,
        "device_type": a.device_type,
        "snapshot_name": a.snapshot_name,
        "reasons": verdict.reasons,
        "evidence": verdict.evidence,
    }


def _row(verdict: Verdict) -> list[str]:
    a = verdict.snapshot.attributes
    badges = " ".join(BADGES[r] for r in verdict.reasons)
    evidence = "; ".join(f"{r}: {text}" for r, text in verdict.evidence.items())
    return [a.snapshot_name, a.view_name, a.device_type, badges, evidence, verdict.snapshot.id]
