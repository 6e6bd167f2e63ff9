"""The RUM facts the stale reasons need (core/stale.py), looked up concurrently.

Per application, at once: one aggregate for the views with traffic in the orphan window, one for
each view's newest version over the widest window retention allows, and the snapshots' own frames
batched by view id (`VIEW_IDS_PER_SEARCH` to a search, the batches concurrent). Then, only where a
verdict uses the answer: one search per quiet view holding snapshots for its last view event, and
one per view holding a frame older than its newest version for when that version reached it.
Every look-up waits on one shared gate, so no more run at once than the client's other bulk work
(DEFAULT_CONCURRENCY).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from typing import TypeVar

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.rum import VIEW_IDS_PER_SEARCH, RumService
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY
from heatmap_tui.core.stale import AppFacts, StaleSettings, ViewFacts
from heatmap_tui.core.versions import version_key

T = TypeVar("T")


async def app_facts(
    rum: RumService,
    app_id: str,
    views: Iterable[str],
    snapshots: Sequence[Snapshot],
    settings: StaleSettings,
    gate: asyncio.Semaphore | None = None,
) -> AppFacts:
    """What RUM says of `views` of the application and of the frames of `snapshots`.

    Every view gets whether it had recent traffic and its newest version; the last traffic and
    when the newest version arrived are looked up only for the views of `snapshots` whose
    verdicts use them (orphaned and outdated evidence), and are None elsewhere.
    """
    gate = gate or asyncio.Semaphore(DEFAULT_CONCURRENCY)

    async def gated(work: Awaitable[T]) -> T:
        async with gate:
            return await work

    names = list(dict.fromkeys([*views, *(s.attributes.view_name for s in snapshots)]))
    window = f"now-{max(1, settings.orphan_after.days)}d"
    view_ids = list(dict.fromkeys(s.attributes.view_id for s in snapshots if s.attributes.view_id))
    batches = [view_ids[i : i + VIEW_IDS_PER_SEARCH] for i in range(0, len(view_ids), VIEW_IDS_PER_SEARCH)]
    recent_counts, newest, frame_batches = await asyncio.gather(
        gated(rum.discover_views(app_id, since=window)),
        gated(rum.newest_versions(app_id)),
        asyncio.gather(*(gated(rum.events_by_view_id(app_id, batch)) for batch in batches)),
    )
    frames: dict[str, ViewEvent] = {k: v for batch in frame_batches for k, v in batch.items()}
    recent = {v.name for v in recent_counts}
    quiet = list(
        dict.fromkeys(s.attributes.view_name for s in snapshots if s.attributes.view_name not in recent)
    )
    behind = list(dict.fromkeys(_views_behind(snapshots, frames, newest)))
    lasts, sinces = await asyncio.gather(
        asyncio.gather(*(gated(rum.last_traffic(app_id, n)) for n in quiet)),
        asyncio.gather(*(gated(rum.first_seen(app_id, n, newest[n])) for n in behind)),
    )
    last_of = dict(zip(quiet, lasts, strict=True))
    since_of = dict(zip(behind, sinces, strict=True))
    facts = AppFacts(versioned=bool(newest), frames=frames)
    for name in names:
        facts.views[name] = ViewFacts(
            recent=name in recent,
            last_traffic=last_of.get(name),
            newest_version=newest.get(name),
            newest_since=since_of.get(name),
        )
    return facts


def _views_behind(
    snapshots: Sequence[Snapshot], frames: dict[str, ViewEvent], newest: dict[str, str]
) -> Iterable[str]:
    """The views holding a snapshot whose frame is from an older version than the view's newest:
    the only ones whose `outdated` evidence says since when that version runs."""
    for snapshot in snapshots:
        a = snapshot.attributes
        frame = frames.get(a.view_id or "")
        latest = newest.get(a.view_name)
        if (
            frame is not None
            and frame.version
            and latest
            and version_key(frame.version) < version_key(latest)
        ):
            yield a.view_name
