"""The local view registry: every view name the tool has met, per profile and application.

The snapshots list needs a view name, and discovery finds only views with RUM traffic in its
window: a view removed or renamed drops out of it, and so would its snapshots. So every name the
tool meets is kept here: discovered in traffic, listed with `--view` and answered, typed in the
TUI, found in the trash, imported, or added by hand (`views add`), with where it came from and
when discovery last saw traffic on it (if it did).

Like the state (core/state.py) this is the app's memory, not a setting: `views.json` under the
data dir, never the config. Every change is a read-modify-write under the file's lock
(fileio.exclusive_lock), written atomically, so two processes recording at once lose nothing. A
file that cannot be read is treated as empty, and replaced at the next write.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heatmap_tui.core.clock import utc_now
from heatmap_tui.core.fileio import FileError, exclusive_lock, write_atomic
from heatmap_tui.core.paths import data_dir
from heatmap_tui.core.rum import WIDEST_WINDOW

if TYPE_CHECKING:
    from heatmap_tui.core.connection import Connection
    from heatmap_tui.core.rum_models import ViewCount
    from heatmap_tui.core.trash_entries import TrashEntry
    from heatmap_tui.core.trash_journal import Trash

REGISTRY_FILE = "views.json"
# The window discovery looks back over: as far as any org keeps RUM events (the server clips it to
# its retention), so a view whose traffic stopped weeks ago is still found.
TRAFFIC_WINDOW = WIDEST_WINDOW
TRAFFIC_WINDOW_DAYS = int(WIDEST_WINDOW.removeprefix("now-").removesuffix("d"))
# What discovery's view counts count, in words (the view picker's and `views list`'s).
TRAFFIC_WINDOW_WORDS = f"over the org's RUM retention (at most {TRAFFIC_WINDOW_DAYS} days)"


class RegistryError(FileError):
    """The registry file cannot be locked or written; str() names the file."""


class Source(StrEnum):
    """Where a view name came from."""

    TRAFFIC = "traffic"  # discovery saw RUM view events of it
    LISTED = "listed"  # a `--view` that answered snapshots
    TYPED = "typed"  # typed or picked in the TUI
    TRASH = "trash"  # the view of a snapshot in the trash
    IMPORT = "import"  # the view of an imported snapshot
    ADDED = "added"  # `views add`


class KnownView(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sources: list[str] = Field(default_factory=list)
    recorded_at: datetime | None = None  # when first recorded
    last_traffic: datetime | None = None  # when discovery last saw traffic on it (None: never)


AppViews = dict[str, KnownView]  # view name -> what is known of it


class Registry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = 1
    # profile -> application id -> view name -> KnownView
    profiles: dict[str, dict[str, AppViews]] = Field(default_factory=dict)


def registry_path() -> Path:
    return data_dir() / REGISTRY_FILE


def load_registry(path: Path | None = None) -> Registry:
    """The registry in the file; a missing, unreadable or broken file gives an empty one."""
    path = path or registry_path()
    try:
        return Registry.model_validate(json.loads(path.read_bytes()))
    except (OSError, ValueError, ValidationError):
        return Registry()


@contextlib.contextmanager
def editing_registry(path: Path | None = None) -> Iterator[Registry]:
    """Read the registry, let the caller change it, write it back if changed, under the lock."""
    path = path or registry_path()
    with exclusive_lock(path, error=RegistryError):
        registry = load_registry(path)
        before = registry.model_copy(deep=True)
        yield registry
        if registry != before:
            text = json.dumps(registry.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=True)
            write_atomic(path, text + "\n", error=RegistryError)


def _storable(name: str) -> bool:
    """A name with a UTF-8 form (server text may hold a lone surrogate: no file can keep it)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(name.strip())


def record(
    profile: str,
    application_id: str,
    names: Iterable[str],
    source: Source,
    *,
    seen_at: datetime | None = None,
    path: Path | None = None,
) -> list[str]:
    """Know `names` of the application, from `source`; `seen_at`: traffic was seen then.
    Returns the names that were new. Raises RegistryError when the file cannot be written."""
    return record_pairs(profile, ((application_id, n) for n in names), source, seen_at=seen_at, path=path)


def record_pairs(
    profile: str,
    pairs: Iterable[tuple[str, str]],
    source: Source,
    *,
    seen_at: datetime | None = None,
    path: Path | None = None,
) -> list[str]:
    """`record` for (application id, view name) pairs of several applications at once."""
    wanted = [(a, n) for a, n in dict.fromkeys(pairs) if a and _storable(n) and _storable(a)]
    if not wanted:
        return []
    now = utc_now()
    new: list[str] = []
    with editing_registry(path) as registry:
        apps = registry.profiles.setdefault(profile, {})
        for app_id, name in wanted:
            views = apps.setdefault(app_id, {})
            known = views.get(name)
            if known is None:
                known = views[name] = KnownView(recorded_at=now)
                new.append(name)
            if source not in known.sources:
                known.sources.append(source)
            if seen_at is not None and (known.last_traffic is None or seen_at > known.last_traffic):
                known.last_traffic = seen_at
    return new


def note(
    profile: str,
    application_id: str,
    names: Iterable[str],
    source: Source,
    *,
    seen_at: datetime | None = None,
    path: Path | None = None,
) -> None:
    """`record`, for callers whose work must not fail because the registry cannot be written
    (a discovery, a load): the names are simply not kept this time."""
    with contextlib.suppress(RegistryError):
        record(profile, application_id, names, source, seen_at=seen_at, path=path)


def forget(profile: str, application_id: str, names: Iterable[str], *, path: Path | None = None) -> list[str]:
    """Forget `names` of the application; returns those that were known."""
    wanted = list(dict.fromkeys(names))
    gone: list[str] = []
    with editing_registry(path) as registry:
        apps = registry.profiles.get(profile, {})
        views = apps.get(application_id, {})
        for name in wanted:
            if views.pop(name, None) is not None:
                gone.append(name)
        if application_id in apps and not views:
            del apps[application_id]
        if profile in registry.profiles and not apps:
            del registry.profiles[profile]
    return gone


def entries(profile: str, application_id: str, *, path: Path | None = None) -> AppViews:
    """What is known of each view of the application (a copy)."""
    views = load_registry(path).profiles.get(profile, {}).get(application_id, {})
    return {name: known.model_copy(deep=True) for name, known in views.items()}


def known_views(profile: str, application_id: str, *, path: Path | None = None) -> list[str]:
    """Every view name known of the application: the most recently seen in traffic first, then
    the never seen ones by name."""
    views = entries(profile, application_id, path=path)
    seen = [(known.last_traffic, name) for name, known in views.items() if known.last_traffic is not None]
    never = sorted(name for name, known in views.items() if known.last_traffic is None)
    return [name for _, name in sorted(seen, key=lambda s: s[0], reverse=True)] + never


def record_trash(entries_: Iterable[TrashEntry], *, path: Path | None = None) -> None:
    """Know the views of the snapshots in the trash (quietly: see `note`)."""
    by_profile: dict[str, list[tuple[str, str]]] = {}
    for entry in entries_:
        by_profile.setdefault(entry.profile, []).append((entry.application_id, entry.view_name))
    for profile, pairs in by_profile.items():
        with contextlib.suppress(RegistryError):
            record_pairs(profile, pairs, Source.TRASH, path=path)


def learn_from_trash(trash: Trash, *, path: Path | None = None) -> None:
    """Know the views of the snapshots in `trash`; a trash that cannot be read teaches nothing."""
    with contextlib.suppress(FileError):
        record_trash(trash.entries(), path=path)


async def discover(conn: Connection, application_id: str) -> list[ViewCount]:
    """The application's views with traffic over TRAFFIC_WINDOW (RumService.discover_views),
    busiest first, kept in the registry."""
    found = await conn.rum.discover_views(application_id, since=TRAFFIC_WINDOW)
    names = (v.name for v in found)
    note(conn.profile, application_id, names, Source.TRAFFIC, seen_at=utc_now(), path=conn.views_path)
    return found


@dataclass(frozen=True, slots=True)
class Coverage:
    """The views an "all views" listing covers: those with traffic, then those known only here."""

    from_traffic: tuple[str, ...]
    known_locally: tuple[str, ...]

    @classmethod
    def of(cls, traffic: Sequence[str], known: Iterable[str]) -> Coverage:
        seen = tuple(dict.fromkeys(traffic))
        return cls(seen, tuple(v for v in dict.fromkeys(known) if v not in seen))

    def __add__(self, other: Coverage) -> Coverage:
        """The coverage of two applications' views together (counts add up)."""
        return Coverage(self.from_traffic + other.from_traffic, self.known_locally + other.known_locally)

    @property
    def views(self) -> list[str]:
        return [*self.from_traffic, *self.known_locally]

    def describe(self) -> str:
        """`14 views: 9 from traffic, 5 known locally`."""
        total = len(self.from_traffic) + len(self.known_locally)
        noun = "view" if total == 1 else "views"
        return (
            f"{total} {noun}: {len(self.from_traffic)} from traffic, {len(self.known_locally)} known locally"
        )

    def json(self) -> dict[str, int]:
        return {
            "views": len(self.from_traffic) + len(self.known_locally),
            "from_traffic": len(self.from_traffic),
            "known_locally": len(self.known_locally),
        }
