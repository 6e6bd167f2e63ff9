"""The target of a command that talks to Datadog: its options, the connection, the application.

`add_target_options` adds `--profile`, `--site`/`--api-url`, the key flags and `--app`; `connect`
turns them into a core Connection (client, SnapshotService, RumService), which also resolves
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
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.credentials import Source, resolve_profile_site
from heatmap_tui.core.errors import ApplicationLookupError, UnknownApplication
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import Site, SiteError, confirmation_question, needs_confirmation

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
    """The connection a command's body runs with; an --app that names no single application
    ends the command as a usage error."""
    config = read_config()
    confirm_target(ns, config)  # before the keyring is asked: no key goes to an unconfirmed host
    # Resolving may ask the OS keyring, which can block: keep it off the event loop.
    creds = await asyncio.to_thread(resolve_from_args, ns, config)
    async with DatadogClient(creds.site, creds.auth) as client:
        try:
            yield Connection(
                profile=creds.profile,
                site=creds.site,
                client=client,
                page_limit=config.preferences.page_limit,
            )
        except ApplicationLookupError as exc:
            hint = (
                "; give its id, see `heatmap-tui views list`" if isinstance(exc, UnknownApplication) else ""
            )
            raise CliError(f"{exc}{hint}", EXIT_USAGE) from None


def run(body: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a command's async body (one event loop per call)."""
    return asyncio.run(body())
