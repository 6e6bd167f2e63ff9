"""Finding snapshots: by view (`--view`/`--all-views`), and by id for `update` and `delete`.

The API has no GET by id and its list needs a view name, so an id is looked up in the views named
with `--view` (repeatable), or else in every view that RUM reports activity for in the last 30
days (of `--app`, or of every application). A snapshot of a view without recent activity needs
its `--view`.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from heatmap_tui.commands.common import say
from heatmap_tui.commands.connect import Connection
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY


def add_view_options(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(
        "--view", action="append", metavar="VIEW", help="a view name, e.g. /home (repeat for more)"
    )
    group.add_argument(
        "--all-views",
        action="store_true",
        help="every view with RUM activity in the last 30 days",
    )


async def collect(
    conn: Connection,
    *,
    views: Sequence[str] | None,
    app: str | None,
    device: str | None = None,
    limit: int | None = None,
) -> list[Snapshot]:
    """The snapshots of `views` (all views with recent activity when None), warning on stderr
    for each view whose list came back full, since the API cannot say what was cut."""
    pairs: list[tuple[str | None, str]]
    if views is not None:
        app_id = await conn.app_id(app) if app else None
        pairs = [(app_id, v) for v in dict.fromkeys(views)]
    else:
        pairs = []
        for app_id in await conn.app_ids(app):
            pairs += [(app_id, v.name) for v in await conn.rum.discover_views(app_id)]
        if not pairs:
            say("No views with RUM activity in the last 30 days: name one with --view.")
    gate = asyncio.Semaphore(DEFAULT_CONCURRENCY)

    async def one(app_id: str | None, view: str) -> list[Snapshot]:
        async with gate:
            page = await conn.snapshots.list(view, device_type=device, application_id=app_id, limit=limit)
        if page.may_be_truncated:
            say(
                f"Warning: {view} has {len(page.items)} snapshots listed, the page limit: "
                "there may be more that the API did not return."
            )
        if (unreadable := page.skipped_message(view)) is not None:
            say(f"Warning: {unreadable}")
        return page.items

    found: dict[str, Snapshot] = {}
    for items in await asyncio.gather(*(one(a, v) for a, v in pairs)):
        found.update((s.id, s) for s in items)
    return list(found.values())


async def locate(
    conn: Connection, ids: Sequence[str], ns: argparse.Namespace
) -> tuple[list[Snapshot], list[str]]:
    """The snapshots with these ids, in the order given, and the ids not found."""
    everything = {s.id: s for s in await collect(conn, views=ns.view, app=ns.app)}
    wanted = list(dict.fromkeys(ids))
    return [everything[i] for i in wanted if i in everything], [i for i in wanted if i not in everything]


def not_found_message(missing: Sequence[str], ns: argparse.Namespace) -> str:
    where = ", ".join(ns.view) if ns.view else "the views with RUM activity in the last 30 days"
    hint = "" if ns.view else " (name its view with --view)"
    return f"no snapshot {', '.join(missing)} in {where}{hint}"
