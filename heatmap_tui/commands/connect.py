"""The target of a command that talks to Datadog: its options, the connection, the application.

`add_target_options` adds `--profile`, `--site`/`--api-url`, the key flags and `--app`; `connect`
turns them into a Connection (credentials, client, SnapshotService, RumService) that also resolves
`--app` given by id or by name. Used by `snapshots`, `trash restore`, `views` and `events`.

`--site` and `--api-url` are for the run they are given to: nothing here writes them to the
profile. Before any key is sent to a custom host that is not a Datadog one, `confirm_host` wants
`--trust-host` or a yes on the terminal; for the profile's own custom URL that answer is kept in
the profile, so it is asked once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from heatmap_tui.commands.common import (
    CliError,
    add_account_options,
    profile_name,
    read_config,
    resolve_from_args,
)
from heatmap_tui.commands.exit_codes import EXIT_USAGE
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.config import Config, editing_config
from heatmap_tui.core.credentials import ResolvedCredentials, Source, resolve_profile_site
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import Site, SiteError, confirmation_question, needs_confirmation
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


def confirm_host(
    ns: argparse.Namespace, config: Config, profile: str, site: Site, *, remember: bool, run_only: bool
) -> Site:
    """`site`, marked trusted when the keys of `profile` may go to it; raises CliError otherwise.

    A custom host that is neither loopback nor a Datadog one needs `--trust-host` or a yes on
    the terminal, unless the profile already trusts it. `remember`: the host is the profile's own
    site, and the yes is written to the profile at once, so it is asked once. `run_only`: the
    host is one from --api-url, trusted for this run only (the refusal says how to keep it).
    """
    stored = config.profiles.get(profile)
    if not needs_confirmation(site) or (stored is not None and stored.trusts(site)):
        return site
    if not (getattr(ns, "trust_host", False) or ask_yes(confirmation_question(site, profile))):
        how = "Add --trust-host to trust it"
        if run_only:
            how += (
                " for this run (`heatmap-tui auth login --api-url URL --trust-host` makes it the "
                "profile's site)"
            )
        raise CliError(
            f"{site.domain} is not a Datadog site, and nobody confirmed that the keys of profile "
            f"{profile!r} may be sent there, so nothing was sent. {how}.",
            EXIT_USAGE,
        )
    trusted = dataclasses.replace(site, trusted=True)
    if remember:
        with editing_config() as edited:  # under the config lock: only this profile's trust changes
            profile_now = edited.profiles.get(profile)
            with contextlib.suppress(SiteError):
                if profile_now is not None and profile_now.resolve_site() == site:
                    profile_now.trusted_host = site.domain
    return trusted


def ask_yes(question: str) -> bool:
    """A y/N question on the terminal (stderr); False at once when stdin is not a terminal."""
    if not sys.stdin.isatty():
        return False
    print(f"{visible(question)} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def confirm_target(ns: argparse.Namespace, config: Config) -> None:
    """`confirm_host` for the site the account options name (flags, DD_SITE or the profile)."""
    profile = profile_name(ns, config)
    site, source = resolve_profile_site(
        config, profile, site=getattr(ns, "site", None), api_url=getattr(ns, "api_url", None)
    )
    from_profile = source is Source.CONFIG
    confirm_host(ns, config, profile, site, remember=from_profile, run_only=not from_profile)


@contextlib.asynccontextmanager
async def connect(ns: argparse.Namespace) -> AsyncIterator[Connection]:
    config = read_config()
    confirm_target(ns, config)  # before the keyring is asked: no key goes to an unconfirmed host
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
