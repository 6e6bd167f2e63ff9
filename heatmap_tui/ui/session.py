"""What a screen needs to talk to Datadog: the services of one connected site, injected.

The App builds a `Connection` through a factory it is given, so tests hand it one
bound to the embedded server and the real app one bound to a Datadog site.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import SnapshotService


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Connection:
    """The services of one (profile, site) pair, sharing one DatadogClient."""

    profile: str
    site: Site
    client: DatadogClient
    snapshots: SnapshotService = field(init=False)
    rum: RumService = field(init=False)

    def __post_init__(self) -> None:
        self.snapshots = SnapshotService(self.client)
        self.rum = RumService(self.client)

    @classmethod
    def open(cls, profile: str, site: Site, auth: ApiAuth) -> Connection:
        return cls(profile=profile, site=site, client=DatadogClient(site, auth))

    async def close(self) -> None:
        await self.client.aclose()


ConnectionFactory = Callable[[str, Site, ApiAuth], Connection]
Clock = Callable[[], datetime]
