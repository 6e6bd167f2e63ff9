"""The target of a command that talks to Datadog: its options, the connection, the application.

`add_target_options` adds `--profile`, `--site`/`--api-url`, the key flags and `--app`; `connect`
turns them into a Connection (credentials, client, SnapshotService, RumService) that also resolves
`--app` given by id or by name. Used by `snapshots`, `trash restore`, `views` and `events`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from heatmap_tui.commands.common import CliError, add_account_options, read_config, resolve_from_args
from heatmap_tui.commands.exit_codes import EXIT_USAGE
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.config import Config
from heatmap_tui.core.credentials import ResolvedCredentials
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.snapshots import SnapshotService

T = TypeVar("T")


def add_target_options(parser: argparse.ArgumentParser, *, app_flags: Sequence[str] = ("--app",)) -> None:
    """--profile, --site/--api-url, the key flags, and the RUM application."""
    add_account_options(parser)
    parser.add_argument(
        *app_flags,
        dest="app",
        metavar="APP",
        help="RUM application id or name (default: every application)",
    )


@dataclass(slots=True)
class Connection:
    creds: ResolvedCredentials
    config: Config
    client: DatadogClient
    snapshots: SnapshotService
    rum: RumService
    _apps: dict[str, str] | None = None  # application id -> name

    @property
    def site_label(self) -> str:
        return self.creds.site.label

    @property
    def profile(self) -> str:
        return self.creds.profile

    async def applications(self) -> dict[str, str]:
        if self._apps is None:
            self._apps = {a.application_id: a.name for a in await self.rum.list_applications()}
        return self._apps

    async def app_ids(self, wanted: str | None) -> list[str]:
        """[the application named by --app], or every application's id."""
        if wanted is None:
            return list(await self.applications())
        return [await self.app_id(wanted)]

    async def app_id(self, wanted: str) -> str:
        """An id as given; a name (case-insensitive) looked up among the applications."""
        if _looks_like_id(wanted):
            return wanted
        matches = [
            i for i, name in (await self.applications()).items() if name.casefold() == wanted.casefold()
        ]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise CliError(
                f"no RUM application is named {wanted!r} on {self.site_label}; "
                "give its id, see `heatmap-tui views list`",
                EXIT_USAGE,
            )
        raise CliError(f"several RUM applications are named {wanted!r}: give the id", EXIT_USAGE)


def _looks_like_id(text: str) -> bool:
    return len(text) >= 32 and all(c in "0123456789abcdefABCDEF-" for c in text)


@contextlib.asynccontextmanager
async def connect(ns: argparse.Namespace) -> AsyncIterator[Connection]:
    config = read_config()
    # Resolving may ask the OS keyring, which can block: keep it off the event loop.
    creds = await asyncio.to_thread(resolve_from_args, ns, config)
    async with DatadogClient(creds.site, creds.auth) as client:
        yield Connection(
            creds=creds,
            config=config,
            client=client,
            snapshots=SnapshotService(client, page_limit=config.preferences.page_limit),
            rum=RumService(client),
        )


def run(body: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a command's async body (one event loop per call)."""
    return asyncio.run(body())
