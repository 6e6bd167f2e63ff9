"""One connected site: the client, the services that share it, and the org's RUM applications.

The TUI builds one through a `ConnectionFactory` it is given (tests hand it one bound to the
embedded server); the CLI opens one per command (commands/connect.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from pathlib import Path

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import AmbiguousApplication, UnknownApplication
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import DEFAULT_PAGE_LIMIT, SnapshotPage, SnapshotService

ListArgs = tuple[str, str | None, str | None]  # view name, device type, application id


@dataclass
class Connection:
    """The services of one (profile, site) pair, sharing one DatadogClient."""

    profile: str
    site: Site
    client: DatadogClient
    page_limit: InitVar[int] = DEFAULT_PAGE_LIMIT  # the snapshots' page size
    # The local view registry (core/view_registry.py) this connection keeps its views in; None is
    # the person's, under the data dir. The demo keeps its own, beside its trash.
    views_path: Path | None = None
    snapshots: SnapshotService = field(init=False)
    rum: RumService = field(init=False)
    # Application id -> name, listed once: the org's applications seldom change within a run.
    _applications: dict[str, str] | None = field(default=None, init=False, repr=False)
    # A list sent before anybody asked for it (`list_early`), with what it lists.
    _early: tuple[ListArgs, asyncio.Task[SnapshotPage]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self, page_limit: int) -> None:
        self.snapshots = SnapshotService(self.client, page_limit=page_limit)
        self.rum = RumService(self.client)

    @classmethod
    def open(cls, profile: str, site: Site, auth: ApiAuth) -> Connection:
        return cls(profile=profile, site=site, client=DatadogClient(site, auth))

    @property
    def target(self) -> str:
        """Where a write or a restore goes, in the status line's words: `US5 · profile work`."""
        return f"{self.site.short_label} · profile {self.profile}"

    async def close(self) -> None:
        self.drop_early()
        await self.client.aclose()

    def list_early(self, view_name: str, device_type: str | None, application_id: str) -> None:
        """Send the list of one view now, before anything asks for it: the next `list_snapshots`
        of the same view, device and application is answered by it. A resumed start sends the
        view's list this way as soon as it knows the keys, and builds its screen meanwhile."""
        self.drop_early()
        task = asyncio.ensure_future(self.snapshots.list(view_name, device_type, application_id))
        task.add_done_callback(_retrieve)  # a failure nobody awaits is not logged as lost
        self._early = ((view_name, device_type, application_id), task)

    async def list_snapshots(
        self, view_name: str, device_type: str | None = None, application_id: str | None = None
    ) -> SnapshotPage:
        """SnapshotService.list, answered by the early list when it is of the same arguments
        (once: the next asks again). Raises ApiError as the service does."""
        early, self._early = self._early, None
        if early is not None:
            args, task = early
            if args == (view_name, device_type, application_id):
                return await task
            task.cancel()
        return await self.snapshots.list(view_name, device_type, application_id)

    def drop_early(self) -> None:
        """Forget the early list (cancelled if still on its way)."""
        if self._early is not None:
            self._early[1].cancel()
            self._early = None

    async def applications(self) -> dict[str, str]:
        """Each RUM application's id and name (ApiError when they cannot be listed)."""
        if self._applications is None:
            self._applications = {a.application_id: a.name for a in await self.rum.list_applications()}
        return self._applications

    async def application_name(self, app_id: str) -> str | None:
        """What the org's list calls the application; None when the list does not hold it."""
        return (await self.applications()).get(app_id)

    async def application_id(self, wanted: str) -> str:
        """An id as given; a name (case-insensitive) looked up among the applications.

        Raises UnknownApplication or AmbiguousApplication when the name matches none or several.
        """
        if _looks_like_id(wanted):
            return wanted
        folded = wanted.casefold()
        matches = [i for i, name in (await self.applications()).items() if name.casefold() == folded]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnknownApplication(wanted, self.site.label)
        raise AmbiguousApplication(wanted, self.site.label)

    async def application_ids(self, wanted: str | None) -> list[str]:
        """[the application `wanted` names], or, for None, every application's id."""
        if wanted is None:
            return list(await self.applications())
        return [await self.application_id(wanted)]


def _retrieve(task: asyncio.Task[SnapshotPage]) -> None:
    if not task.cancelled():
        task.exception()


def _looks_like_id(text: str) -> bool:
    return len(text) >= 32 and all(c in "0123456789abcdefABCDEF-" for c in text)


ConnectionFactory = Callable[[str, Site, ApiAuth], Connection]
