"""What the App is handed instead of importing globals: config, state, keys, connections, clock, flags.

`heatmap-tui` builds `Services.from_environment(...)`; `heatmap-tui demo` builds one with an
in-memory config and state and its keys held as flags; tests build one bound to the embedded
server and a temporary config file. Screens reach these only through the App.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from pydantic import SecretStr

from heatmap_tui.core import config as config_file
from heatmap_tui.core import state as app_state
from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.config import Config, ConfigError
from heatmap_tui.core.connection import Connection, ConnectionFactory
from heatmap_tui.core.credentials import (
    ResolvedCredentials,
    SavedCredentials,
    resolve_credentials,
    save_validated,
    validate_credentials,
)
from heatmap_tui.core.keyring_access import KeyringStatus, KeyringStore
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.sites import Site, SiteError, needs_confirmation
from heatmap_tui.core.state import Position, State

if TYPE_CHECKING:
    # The trash and what it brings (restore, reframe, stale...) load with the browser, after
    # a resumed start has sent its first request.
    from heatmap_tui.core.trash import Trash

TransportFactory = Callable[[], httpx.AsyncBaseTransport]


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line says; it wins over the config for this run and is never saved."""

    profile: str | None = None
    site: str | None = None
    api_url: str | None = None
    application_id: str | None = None
    view: str | None = None
    device: str | None = None  # with `view`, where the first application opened shows (ui/left_off.py)
    api_key: SecretStr | None = None  # the demo's keys: held in memory, source "flag"
    app_key: SecretStr | None = None
    # The person confirmed that the keys may go to the custom host of `api_url`, for this run.
    trust_host: bool = False

    @property
    def names_a_site(self) -> bool:
        return bool(self.site or self.api_url)


@dataclass
class Services:
    """`config_path=None` keeps the config in memory only: nothing is written (the demo).
    `state_path=None` likewise keeps where the app left off in memory only."""

    config_path: Path | None
    # Where the app left off (core/state.py); the user's is under the data dir.
    state_path: Path | None = None
    memory_state: State = field(default_factory=State)
    store: KeyringStore = field(default_factory=KeyringStore)
    connect: ConnectionFactory = Connection.open
    clock: Clock = utc_now
    read_only: bool = False
    overrides: Overrides = field(default_factory=Overrides)
    env: Mapping[str, str] | None = None  # None: the process environment
    # How key checks reach the site; None is plain HTTPS (tests route a named site to the server).
    transport: TransportFactory | None = None
    # Where deleted snapshots are kept; None is the user's trash (the data dir, as the CLI uses).
    trash: Trash | None = None
    # The local view registry; None is the user's (the data dir, as the CLI uses).
    views_path: Path | None = None
    # Where a run that dies leaves a note, so the next start offers a clean start (ui/crash.py);
    # None keeps none (the demo, tests that do not ask for one).
    crash_marker: Path | None = None
    memory_config: Config = field(default_factory=Config)
    # Keys typed when no keyring could store them: used for this run only, never written.
    session_keys: dict[str, ApiAuth] = field(default_factory=dict)
    # `heatmap-tui demo`: the site and keys are the embedded server's, so the app offers no
    # other site, profile or keys (they would lead away from the demo data).
    demo: bool = False

    @classmethod
    def from_environment(cls, *, read_only: bool = False, overrides: Overrides | None = None) -> Services:
        from heatmap_tui.ui.crash import crash_marker_path

        return cls(
            config_file.config_path(),
            state_path=app_state.state_path(),
            read_only=read_only,
            overrides=overrides or Overrides(),
            crash_marker=crash_marker_path(),
        )

    # --- the config file ---------------------------------------------------------

    @property
    def config_label(self) -> str:
        return str(self.config_path) if self.config_path is not None else "the in-memory config"

    def load_config(self) -> tuple[Config, ConfigError | None]:
        if self.config_path is None:
            return self.memory_config.model_copy(deep=True), None
        return config_file.load_config_or_default(self.config_path)

    def edit_config(self, change: Callable[[Config], object]) -> None:
        """Apply `change` to the config file, read again under its lock (a change another
        process made meanwhile stays). Only for what the person asked for: the app's own memory
        goes to the state (`remember`). Raises ConfigError (which names the file)."""
        if self.config_path is None:
            change(self.memory_config)
            return
        with config_file.editing_config(self.config_path, state_path=self.state_path) as config:
            change(config)

    # --- the state file: where the app left off --------------------------------------

    def load_state(self, config: Config) -> State:
        """The state; an old config's `last_*` keys are adopted first, for the profiles the
        state knows nothing of (the config keeps them until the person's next write of it)."""
        legacy = config_file.legacy_positions(config)
        if self.state_path is None:
            for profile, position in legacy.items():
                self.memory_state.profiles.setdefault(profile, position)
            return self.memory_state.model_copy(deep=True)
        try:
            app_state.adopt(legacy, self.state_path)
        except app_state.StateError:
            state = app_state.load_state(self.state_path)
            for profile, position in legacy.items():  # this run resumes from them all the same
                state.profiles.setdefault(profile, position)
            return state
        return app_state.load_state(self.state_path)

    def remember(self, profile: str, position: Position | None) -> None:
        """Where the app left off with `profile` (None: forget it). Raises StateError."""
        if self.state_path is None:
            if position is None:
                self.memory_state.profiles.pop(profile, None)
            else:
                self.memory_state.profiles[profile] = position.model_copy()
            return
        app_state.remember(profile, position, self.state_path)

    # --- keys ----------------------------------------------------------------------

    async def resolve(self, profile: str, config: Config, site: Site | None = None) -> ResolvedCredentials:
        """Flags (and keys kept for this run), env, keyring; on a thread, as the keyring may hang.

        `site` is the one chosen in the UI; None falls back to the overrides, then the config.
        Raises SiteError for a site that cannot be used, and for a custom host the keys of the
        profile may not go to: not loopback, not Datadog's, and confirmed neither in the site
        picker (`site.trusted`), nor for the profile, nor for this run (`Overrides.trust_host`).
        """
        o = self.overrides
        if site is not None:
            site_name, api_url = (None, site.custom_url) if site.is_custom else (site.name, None)
            confirmed = site.trusted
        else:
            site_name, api_url = o.site, o.api_url
            confirmed = o.trust_host and bool(o.api_url)
        kept = self.session_keys.get(profile)
        api_key = o.api_key or (kept.api_key if kept else None)
        app_key = o.app_key or (kept.app_key if kept else None)

        def resolve() -> ResolvedCredentials:
            return resolve_credentials(
                profile,
                config=config,
                site=site_name,
                api_url=api_url,
                api_key=api_key,
                app_key=app_key,
                env=self.env,
                store=self.store,
            )

        creds = await asyncio.to_thread(resolve)
        stored = config.profiles.get(profile)
        if (
            needs_confirmation(creds.site)
            and not confirmed  # the site resolved is the confirmed one: flags come first
            and not (stored is not None and stored.trusts(creds.site))
        ):
            raise SiteError(
                f"{creds.site.domain} is not a Datadog site, and nobody confirmed that the keys of "
                f"profile {profile!r} may be sent there. Choose it as the custom URL in the site "
                "picker to confirm it."
            )
        return creds

    async def keyring_status(self) -> KeyringStatus:
        return await asyncio.to_thread(self.store.status)

    async def validate(self, site: Site, auth: ApiAuth) -> None:
        """Raises KeyRejected naming the rejected key, or ApiError when the check itself failed."""
        await validate_credentials(site, auth, transport=self._transport())

    async def save_keys(self, profile: str, site: Site, api_key: str, app_key: str) -> SavedCredentials:
        """Check, then store in the keyring; see core.credentials.save_validated for what it raises."""
        return await save_validated(
            profile, site, api_key, app_key, store=self.store, transport=self._transport()
        )

    def keep_for_session(self, profile: str, auth: ApiAuth) -> None:
        self.session_keys[profile] = auth

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        return self.transport() if self.transport is not None else None

    # --- connections -----------------------------------------------------------------

    def open_connection(self, profile: str, site: Site, auth: ApiAuth, page_limit: int) -> Connection:
        connection = self.connect(profile, site, auth)
        connection.snapshots.page_limit = page_limit
        connection.views_path = self.views_path
        return connection


class RedirectTransport(httpx.AsyncBaseTransport):
    """Sends every request to `base_url` whatever its host: a named site played by the embedded server.

    The screenshots and UI tests use it so that screens show "US5", not a random loopback port.
    """

    def __init__(self, base_url: str) -> None:
        self._target = httpx.URL(base_url)
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self._target
        request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def routed_connections(base_url: str, retry: RetryPolicy | None = None) -> ConnectionFactory:
    """Connections whose every request goes to `base_url`, whatever site they are for."""

    def connect(profile: str, site: Site, auth: ApiAuth) -> Connection:
        client = DatadogClient(site, auth, retry=retry, transport=RedirectTransport(base_url))
        return Connection(profile=profile, site=site, client=client)

    return connect
