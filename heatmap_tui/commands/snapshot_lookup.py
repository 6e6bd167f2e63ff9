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
from dataclasses import dataclass, field

from heatmap_tui.commands.common import say
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
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


@dataclass(slots=True)
class Collected:
    """The snapshots found, and the views whose list came back full (cut at `limit`, perhaps)."""

    snapshots: list[Snapshot]
    limit: int
    cut: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, object]:
        """The `meta` member of a --json answer: whether, and where, the list may be cut."""
        return {"may_be_truncated": bool(self.cut), "page_limit": self.limit, "views": self.cut}

    def past_the_cut(self) -> str:
        """Why an id not found may still exist, or "" when every list was whole."""
        if not self.cut:
            return ""
        views = ", ".join(visible(v) for v in self.cut)
        return (
            f"; it may lie past the first {self.limit} snapshots of {views}, the most one answer "
            "holds, so it may still exist"
        )


async def collect(
    conn: Connection,
    *,
    views: Sequence[str] | None,
    app: str | None,
    device: str | None = None,
    limit: int | None = None,
) -> Collected:
    """The snapshots of `views` (all views with recent activity when None), warning on stderr
    for each view whose list came back full, since the API cannot say what was cut."""
    limit = limit or conn.snapshots.page_limit
    pairs: list[tuple[str | None, str]]
    if views is not None:
        app_id = await conn.application_id(app) if app else None
        pairs = [(app_id, v) for v in dict.fromkeys(views)]
    else:
        pairs = []
        for app_id in await conn.application_ids(app):
            pairs += [(app_id, v.name) for v in await conn.rum.discover_views(app_id)]
        if not pairs:
            say("No views with RUM activity in the last 30 days: name one with --view.")
    gate = asyncio.Semaphore(DEFAULT_CONCURRENCY)
    cut: list[str] = []

    async def one(app_id: str | None, view: str) -> list[Snapshot]:
        async with gate:
            page = await conn.snapshots.list(view, device_type=device, application_id=app_id, limit=limit)
        if (note := page.cut_note(view)) is not None:
            cut.append(view)
            say(f"Warning: {note}")
        if (unreadable := page.skipped_message(view)) is not None:
            say(f"Warning: {unreadable}")
        return page.items

    found: dict[str, Snapshot] = {}
    for items in await asyncio.gather(*(one(a, v) for a, v in pairs)):
        found.update((s.id, s) for s in items)
    order = {v: i for i, (_, v) in enumerate(pairs)}
    return Collected(list(found.values()), limit, sorted(set(cut), key=lambda v: order.get(v, 0)))


async def locate(
    conn: Connection, ids: Sequence[str], ns: argparse.Namespace
) -> tuple[list[Snapshot], list[str], Collected]:
    """The snapshots with these ids, in the order given, the ids not found, and what was looked in."""
    collected = await collect(conn, views=ns.view, app=ns.app)
    everything = {s.id: s for s in collected.snapshots}
    wanted = list(dict.fromkeys(ids))
    found = [everything[i] for i in wanted if i in everything]
    return found, [i for i in wanted if i not in everything], collected


def not_found_message(missing: Sequence[str], ns: argparse.Namespace, collected: Collected) -> str:
    where = ", ".join(ns.view) if ns.view else "the views with RUM activity in the last 30 days"
    hint = "" if ns.view else " (name its view with --view)"
    return f"no snapshot {', '.join(missing)} in {where}{hint}{collected.past_the_cut()}"
