"""The demo org: RUM apps, replay sessions of the last 30 days, a few hundred snapshots.

Everything comes from one `random.Random(SEED)`, and every time is an integer offset from `now`,
so ids and names never change and the same `now` gives the very same org. Older sessions (30 to
90 days ago, their replays past retention) come from a second generator seeded after it, so
adding them changed none of the ids above. Every event carries the version its application ran
then (seed_data.AppSpec.releases), so snapshots saved before a deploy point at older versions.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import defaultdict
from datetime import datetime

from heatmap_tui.core.models import (
    RumApplication,
    RumApplicationAttributes,
    Snapshot,
    SnapshotAttributes,
)
from heatmap_tui.devserver.clock import epoch_ms, from_epoch_ms
from heatmap_tui.devserver.events import ViewEvent
from heatmap_tui.devserver.seed_data import (
    APPS,
    AUTHORS,
    NAME_SUFFIXES,
    SEED,
    WEB_URL,
    AppSpec,
    View,
    version_at,
)
from heatmap_tui.devserver.store import Store

MINUTE_MS = 60_000
DAY_MS = 24 * 60 * MINUTE_MS
DEVICE_WEIGHTS = {"desktop": 55, "mobile": 35, "tablet": 10}
DUPLICATES = 6
SLUGS = ("spring-sale", "shipping-faq", "gift-guide", "new-arrivals", "size-guide")

EventIndex = dict[tuple[str, str], list[ViewEvent]]


def seed_store(store: Store, now: datetime) -> None:
    """Fill `store` with the demo org as it looks at `now`."""
    rng = random.Random(SEED)
    now_ms = epoch_ms(now)
    apps: list[RumApplication] = []
    events: list[ViewEvent] = []
    snapshots: list[Snapshot] = []
    for spec in APPS:
        app_id = _uuid(rng)
        apps.append(_application(rng, spec, app_id, now_ms))
        app_events = _sessions(rng, spec, app_id, now_ms)
        events.extend(app_events)
        snapshots.extend(_snapshots(rng, spec, app_id, app_events, now_ms))
    snapshots.extend(_duplicates(rng, snapshots, now_ms))
    old = random.Random(SEED + 1)
    for spec, app in zip(APPS, apps, strict=True):
        events.extend(_sessions(old, spec, app.id, now_ms, old=True))
    store.add_applications(apps)
    store.add_events(events)
    store.add_snapshots(snapshots)


def _uuid(rng: random.Random) -> str:
    """What `str(uuid.UUID(int=rng.getrandbits(128), version=4))` gives, at a third of the cost."""
    n = rng.getrandbits(128)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # the RFC 4122 variant
    n = (n & ~(0xF000 << 64)) | (4 << 76)  # version 4
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _application(rng: random.Random, spec: AppSpec, app_id: str, now_ms: int) -> RumApplication:
    created = now_ms - rng.randint(200, 900) * DAY_MS
    updated = created + rng.randint(0, 150) * DAY_MS
    return RumApplication(
        id=app_id,
        attributes=RumApplicationAttributes(
            application_id=app_id,
            name=spec.name,
            type=spec.type,
            created_at=created,
            updated_at=updated,
            created_by_handle=rng.choice(AUTHORS).handle,
            updated_by_handle=rng.choice(AUTHORS).handle,
            org_id=AUTHORS[0].org_id,
            is_active=spec.active,
            hash=f"{rng.getrandbits(128):032x}",
        ),
    )


@functools.cache
def _cum_weights(views: tuple[View, ...]) -> list[int]:
    return list(itertools.accumulate(v.weight for v in views))


def _pick_view(rng: random.Random, views: tuple[View, ...]) -> View:
    return rng.choices(views, cum_weights=_cum_weights(views))[0]


def _url(rng: random.Random, spec: AppSpec, view: View) -> str:
    if spec.type != "browser":
        return view.name
    path = view.name.replace(":id", str(rng.randint(1000, 99999)))
    return WEB_URL + path.replace(":slug", rng.choice(SLUGS))


def _sessions(
    rng: random.Random, spec: AppSpec, app_id: str, now_ms: int, *, old: bool = False
) -> list[ViewEvent]:
    """Sessions whose views follow one another, so `date - session_start` is an offset.

    Recent ones (the last 30 days) are mostly replays; `old` ones are 31 to 89 days old, and
    their replays are gone (replay retention is 30 days).
    """
    events = []
    weights = [DEVICE_WEIGHTS[d] for d in spec.devices]
    earliest, latest = (31 * DAY_MS, 89 * DAY_MS) if old else (45 * MINUTE_MS, 30 * DAY_MS - MINUTE_MS)
    for _ in range(spec.old_sessions if old else spec.sessions):
        session_id = _uuid(rng)
        device = rng.choices(spec.devices, weights=weights)[0]
        has_replay = rng.random() < 0.85 and not old
        start = now_ms - rng.randint(earliest, latest)
        at = start
        view = spec.views[0] if rng.random() < 0.6 else _pick_view(rng, spec.views)
        for _ in range(rng.randint(2, 7)):
            spent = rng.randint(1_500, 150_000)
            events.append(
                ViewEvent(
                    id=_uuid(rng),
                    date=at,
                    application_id=app_id,
                    session_id=session_id,
                    has_replay=has_replay,
                    view_id=_uuid(rng),
                    view_name=view.name,
                    url=_url(rng, spec, view),
                    time_spent_ms=spent,
                    device_type=device,
                    session_start=start,
                    version=version_at(spec, (now_ms - at) / DAY_MS),
                )
            )
            at += spent + rng.randint(100, 3_000)
            view = _pick_view(rng, spec.views)
    return events


def _age_ms(rng: random.Random, spec: AppSpec) -> int:
    r = rng.random()
    if not spec.active:
        days = rng.uniform(120, 700)
    elif r < 0.18:
        days = rng.uniform(91, 600)
    elif r < 0.5:
        days = rng.uniform(30, 90)
    else:
        days = rng.uniform(0.02, 30)
    return int(days * DAY_MS)


def _modified_ms(rng: random.Random, created: int, now_ms: int) -> int:
    r = rng.random()
    age = now_ms - created
    if r < 0.25:  # touched in the last few days
        return now_ms - int(rng.uniform(0.001, 1.0) * min(age, 3 * DAY_MS))
    if r < 0.5:
        return created + int(rng.random() * age)
    return created


def _snapshots(
    rng: random.Random, spec: AppSpec, app_id: str, events: list[ViewEvent], now_ms: int
) -> list[Snapshot]:
    index: EventIndex = defaultdict(list)
    for event in events:
        if event.has_replay:
            index[(event.view_name, event.device_type)].append(event)
    plan: list[tuple[View, str, int | None]] = []
    if spec.type == "browser" and spec.active:
        # /home has snapshots on every device type, all fairly recent.
        plan += [(spec.views[0], device, rng.randint(1, 10) * DAY_MS) for device in spec.devices]
    while len(plan) < spec.snapshots:
        plan.append((_pick_view(rng, spec.views), rng.choice(spec.devices), None))
    return [
        _snapshot(rng, app_id, view, device, age if age is not None else _age_ms(rng, spec), index, now_ms)
        for view, device, age in plan
    ]


def _snapshot(
    rng: random.Random,
    app_id: str,
    view: View,
    device: str,
    age_ms: int,
    index: EventIndex,
    now_ms: int,
) -> Snapshot:
    created = now_ms - age_ms
    author = rng.choice(AUTHORS)
    candidates = [e for e in index.get((view.name, device), ()) if e.date <= created]
    if candidates:  # a replay still kept: point at a real view event
        event = rng.choice(candidates)
        event_id = event.id
        session_id: str | None = event.session_id
        view_id: str | None = event.view_id
        start = event.date - event.session_start + rng.randint(0, event.time_spent_ms)
    else:  # the replay is gone (or never seeded); the ids are all that is left of it
        event_id, session_id, view_id = _uuid(rng), _uuid(rng), _uuid(rng)
        start = rng.randint(0, 900_000)
    if rng.random() < 0.1:
        session_id = view_id = None
    return Snapshot(
        id=_uuid(rng),
        attributes=SnapshotAttributes(
            application_id=app_id,
            view_name=view.name,
            device_type=device,
            snapshot_name=f"{view.title} {device} - {rng.choice(NAME_SUFFIXES)}",
            event_id=event_id,
            start=start,
            is_device_type_selected_by_user=rng.random() < 0.25,
            session_id=session_id,
            view_id=view_id,
            created_at=from_epoch_ms(created),
            modified_at=from_epoch_ms(_modified_ms(rng, created, now_ms)),
            created_by=author.name,
            created_by_handle=author.handle,
            created_by_user_id=author.user_id,
            org_id=author.org_id,
        ),
    )


def _duplicates(rng: random.Random, snapshots: list[Snapshot], now_ms: int) -> list[Snapshot]:
    """Copies of a few snapshots (same app, view, device and event), as careless saves leave."""
    copies = []
    for original in rng.sample(snapshots, DUPLICATES):
        a = original.attributes
        assert a.created_at is not None  # every seeded snapshot has one
        created = epoch_ms(a.created_at) + rng.randint(1, 60) * MINUTE_MS
        created = min(created, now_ms)
        author = rng.choice(AUTHORS)
        copies.append(
            Snapshot(
                id=_uuid(rng),
                attributes=a.model_copy(
                    update={
                        "snapshot_name": f"{a.snapshot_name} (copy)",
                        "created_at": from_epoch_ms(created),
                        "modified_at": from_epoch_ms(created),
                        "created_by": author.name,
                        "created_by_handle": author.handle,
                        "created_by_user_id": author.user_id,
                    }
                ),
            )
        )
    return copies
