"""Finding snapshots: by view (`--view`/`--all-views`), and by id for `update` and `delete`.

The API has no GET by id and its list needs a view name, so an id is looked up in the views named
with `--view` (repeatable), or else in every known view (of `--app`, or of every application):
those RUM reports activity for in the last 30 days, and those the local view registry
(core/view_registry.py) knows. A `--view` that answered snapshots is kept in the registry.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from heatmap_tui.commands.common import say
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY
from heatmap_tui.core.trash_journal import Trash
from heatmap_tui.core.view_registry import (
    TRAFFIC_WINDOW_WORDS,
    Coverage,
    RegistryError,
    Source,
    discover,
    known_views,
    learn_from_trash,
    record_pairs,
)


def add_view_options(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(
        "--view", action="append", metavar="VIEW", help="a view name, e.g. /home (repeat for more)"
    )
    group.add_argument(
        "--all-views",
        action="store_true",
        help="every known view: with RUM activity in the last 30 days, or in the local registry",
    )


@dataclass(slots=True)
class Collected:
    """The snapshots found, and the views whose list came back full (cut at `limit`, perhaps)."""

    snapshots: list[Snapshot]
    limit: int
    cut: list[str] = field(default_factory=list)
    coverage: Coverage | None = None  # all views: how many, and from where (None: views named)
    named: list[tuple[str, str]] = field(default_factory=list)  # (application id, view) named that answered

    def keep_views(self, profile: str) -> None:
        """Keep the views named that answered snapshots in the registry (one write; a registry
        that cannot be written is no reason to fail: they are not kept this time)."""
        if self.named:
            with contextlib.suppress(RegistryError):
                record_pairs(profile, self.named, Source.LISTED)

    def meta(self) -> dict[str, object]:
        """The `meta` member of a --json answer: whether, and where, the list may be cut, and
        (all views) how many views it covered and from where."""
        meta: dict[str, object] = {
            "may_be_truncated": bool(self.cut),
            "page_limit": self.limit,
            "views": self.cut,
        }
        if self.coverage is not None:
            meta["coverage"] = self.coverage.json()
        return meta

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
    gate: asyncio.Semaphore | None = None,
    keep: bool = True,
) -> Collected:
    """The snapshots of `views` (all known views when None: see `all_views`), warning on
    stderr for each view whose list came back full, since the API cannot say what was cut.
    `gate` bounds the list requests together with the caller's others (one per call else).
    The views named that answered are kept in the registry, unless `keep` is False: then the
    caller does it (Collected.keep_views) once its own work is done."""
    limit = limit or conn.snapshots.page_limit
    pairs: list[tuple[str | None, str]]
    coverage: Coverage | None = None
    if views is not None:
        app_id = await conn.application_id(app) if app else None
        pairs = [(app_id, v) for v in dict.fromkeys(views)]
    else:
        pairs, coverage = await all_views(conn, app)
        if not pairs:
            say(
                f"No views with RUM activity {TRAFFIC_WINDOW_WORDS}, nor known locally: name one with --view."
            )
        else:
            say(f"Covering {coverage.describe()}.")
    gate = gate or asyncio.Semaphore(DEFAULT_CONCURRENCY)
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
    named: dict[tuple[str, str], None] = {}
    for items in await asyncio.gather(*(one(a, v) for a, v in pairs)):
        found.update((s.id, s) for s in items)
        if views is not None:  # a view named that answered
            named.update(((s.application_id, items[0].view_name), None) for s in items)
    order = {v: i for i, (_, v) in enumerate(pairs)}
    cut_views = sorted(set(cut), key=lambda v: order.get(v, 0))
    collected = Collected(list(found.values()), limit, cut_views, coverage, list(named))
    if keep:
        collected.keep_views(conn.profile)
    return collected


async def all_views(conn: Connection, app: str | None) -> tuple[list[tuple[str | None, str]], Coverage]:
    """Every known view of `app` (of every application when None): those discovered in traffic,
    then those the local registry knows (the trash's views learnt first), with the coverage."""
    learn_from_trash(Trash())
    app_ids = await conn.application_ids(app)
    discovered = await asyncio.gather(*(discover(conn, a) for a in app_ids))
    pairs: list[tuple[str | None, str]] = []
    coverage = Coverage((), ())
    for app_id, found in zip(app_ids, discovered, strict=True):
        covered = Coverage.of([v.name for v in found], known_views(conn.profile, app_id))
        pairs += [(app_id, v) for v in covered.views]
        coverage += covered
    return pairs, coverage


async def locate(
    conn: Connection, ids: Sequence[str], ns: argparse.Namespace, *, keep: bool = True
) -> tuple[list[Snapshot], list[str], Collected]:
    """The snapshots with these ids, in the order given, the ids not found, and what was looked
    in (`keep`: as `collect`'s)."""
    collected = await collect(conn, views=ns.view, app=ns.app, keep=keep)
    everything = {s.id: s for s in collected.snapshots}
    wanted = list(dict.fromkeys(ids))
    found = [everything[i] for i in wanted if i in everything]
    return found, [i for i in wanted if i not in everything], collected


def not_found_message(missing: Sequence[str], ns: argparse.Namespace, collected: Collected) -> str:
    where = ", ".join(ns.view) if ns.view else "the known views (RUM activity in 30 days, the local registry)"
    hint = "" if ns.view else " (name its view with --view)"
    return f"no snapshot {', '.join(missing)} in {where}{hint}{collected.past_the_cut()}"
