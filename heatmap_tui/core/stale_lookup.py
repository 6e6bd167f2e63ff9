"""The RUM facts the stale reasons need (core/stale.py), looked up concurrently.

Per application: one aggregate for the views with traffic in the orphan window, one for each
view's newest version over the widest window retention allows, one search per view for when that
version reached it, one per view without recent traffic for its last view event, and the
snapshots' own frames batched by view id (RumService.events_by_view_id). Every look-up waits on
one shared gate, so no more run at once than the client's other bulk work (DEFAULT_CONCURRENCY).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from typing import TypeVar

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY
from heatmap_tui.core.stale import AppFacts, StaleSettings, ViewFacts

T = TypeVar("T")


async def app_facts(
    rum: RumService,
    app_id: str,
    views: Iterable[str],
    snapshots: Sequence[Snapshot],
    settings: StaleSettings,
    gate: asyncio.Semaphore | None = None,
) -> AppFacts:
    """What RUM says of `views` of the application and of the frames of `snapshots`."""
    gate = gate or asyncio.Semaphore(DEFAULT_CONCURRENCY)

    async def gated(work: Awaitable[T]) -> T:
        async with gate:
            return await work

    names = list(dict.fromkeys([*views, *(s.attributes.view_name for s in snapshots)]))
    window = f"now-{max(1, settings.orphan_after.days)}d"
    recent_counts, newest, frames = await asyncio.gather(
        gated(rum.discover_views(app_id, since=window)),
        gated(rum.newest_versions(app_id)),
        gated(rum.events_by_view_id(app_id, (s.attributes.view_id or "" for s in snapshots))),
    )
    recent = {v.name for v in recent_counts}
    quiet = [n for n in names if n not in recent]
    with_version = [n for n in names if n in newest]
    lasts, sinces = await asyncio.gather(
        asyncio.gather(*(gated(rum.last_traffic(app_id, n)) for n in quiet)),
        asyncio.gather(*(gated(rum.first_seen(app_id, n, newest[n])) for n in with_version)),
    )
    last_of = dict(zip(quiet, lasts, strict=True))
    since_of = dict(zip(with_version, sinces, strict=True))
    facts = AppFacts(versioned=bool(newest), frames=frames)
    for name in names:
        facts.views[name] = ViewFacts(
            recent=name in recent,
            last_traffic=last_of.get(name),
            newest_version=newest.get(name),
            newest_since=since_of.get(name),
        )
    return facts
