"""Which keys and site to use, and where each came from; storing keys only once they are valid.

Resolution order, per key: command-line flags, then the environment (DD_API_KEY, DD_APP_KEY;
DD_SITE for the site, a bare domain as Datadog's own tools read it), then the OS keyring (the
config file's profile, for the site). Keys stay pydantic SecretStr in memory, and nothing here
puts a key in a repr, a message or a log: only `fingerprint` (the last 4 characters).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import httpx
from pydantic import SecretStr

from heatmap_tui.core.auth import ApiAuth, fingerprint
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.config import Config, check_profile_name
from heatmap_tui.core.errors import ApiError, AuthError, HeatmapError
from heatmap_tui.core.keyring_access import (
    KeyKind,
    KeyringProblem,
    KeyringStore,
    KeyringUnavailable,
)
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import DEFAULT_SITE, Site, get_site, resolve_site

ENV_API_KEY = "DD_API_KEY"
ENV_APP_KEY = "DD_APP_KEY"
ENV_SITE = "DD_SITE"
_ENV_FOR = {KeyKind.API_KEY: ENV_API_KEY, KeyKind.APP_KEY: ENV_APP_KEY}
_FLAG_FOR = {
    KeyKind.API_KEY: "the --api-key flag",
    KeyKind.APP_KEY: "the --app-key flag",
    KeyKind.BEARER_TOKEN: "the command line",
}


class Source(StrEnum):
    FLAG = "flag"
    ENV = "env"
    KEYRING = "keyring"
    CONFIG = "config"  # the site only: the profile in the config file
    DEFAULT = "default"  # the site only: US1
    MISSING = "missing"


_RANK = {Source.FLAG: 0, Source.ENV: 1, Source.KEYRING: 2, Source.MISSING: 3}


class CredentialsError(HeatmapError):
    """Keys that cannot be used or stored; str() is a plain sentence without the key."""


class KeyRejected(CredentialsError):
    def __init__(self, kind: KeyKind, site: Site, note: str = "") -> None:
        self.kind = kind
        self.site = site
        super().__init__(f"The {kind.label} was rejected by {site.label}.{note}")


# Datadog API keys are 32 hex characters and application keys 40; access tokens are longer.
# The check at resolution is looser than those formats on purpose: the embedded server's demo
# keys and the tests' canary keys are 30 to 40 printable characters that are not all hex, and a
# new key format must not lock anyone out. It refuses what cannot be a key of any format: spaces,
# control or non-ASCII characters (which an HTTP header cannot carry as they are), and lengths
# that can only be a truncated paste (under 16) or something else pasted (over 256).
KEY_MIN_LENGTH = 16
KEY_MAX_LENGTH = 256


class InvalidKey(CredentialsError):
    """A key found at resolution that cannot be a key; str() names where it came from, not it."""

    def __init__(self, kind: KeyKind, where: str) -> None:
        self.kind = kind
        self.where = where
        super().__init__(
            f"The {kind.label} from {where} is not a usable key: a key is {KEY_MIN_LENGTH} to "
            f"{KEY_MAX_LENGTH} printable ASCII characters without spaces (Datadog's API keys are 32 "
            f"hex characters, application keys 40). Check {where}."
        )


class CheckFailed(CredentialsError):
    """The keys could not be checked (network, server error...); `error` is the ApiError."""

    def __init__(self, error: ApiError, note: str = "") -> None:
        self.error = error
        super().__init__(f"{error}{note}")


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    kind: KeyKind
    value: SecretStr | None
    source: Source

    @property
    def present(self) -> bool:
        return self.value is not None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.value)

    def __repr__(self) -> str:
        return f"ResolvedKey({self.kind.value}, {self.fingerprint}, source={self.source.value})"


@dataclass(frozen=True, slots=True)
class ResolvedCredentials:
    profile: str
    site: Site
    site_source: Source
    api_key: ResolvedKey
    app_key: ResolvedKey
    bearer_token: ResolvedKey
    # Why the keyring could not be asked, when it could not: shown, not raised.
    keyring_problem: KeyringProblem | None = field(default=None, compare=False)

    @property
    def keys(self) -> tuple[ResolvedKey, ResolvedKey, ResolvedKey]:
        return self.api_key, self.app_key, self.bearer_token

    @property
    def uses_bearer_token(self) -> bool:
        """A token wins over a pair found no earlier in the resolution order."""
        if not self.bearer_token.present:
            return False
        if not (self.api_key.present and self.app_key.present):
            return True
        pair_rank = min(_RANK[self.api_key.source], _RANK[self.app_key.source])
        return _RANK[self.bearer_token.source] <= pair_rank

    @property
    def auth(self) -> ApiAuth:
        if self.uses_bearer_token:
            return ApiAuth(bearer_token=self.bearer_token.value)
        return ApiAuth(api_key=self.api_key.value, app_key=self.app_key.value)

    @property
    def is_complete(self) -> bool:
        return self.auth.is_complete

    def missing_message(self) -> str | None:
        """A plain sentence saying what is missing and how to provide it; None when complete."""
        if self.is_complete:
            return None
        missing = [k.kind.label for k in (self.api_key, self.app_key) if not k.present]
        text = (
            f"No {' or '.join(missing)} for profile {self.profile!r}: run `heatmap-tui auth login"
            f" --profile {self.profile}` or set {ENV_API_KEY} and {ENV_APP_KEY}."
        )
        if self.keyring_problem is not None:
            text = f"{text} {self.keyring_problem}"
        return text


def site_from_env(env: Mapping[str, str]) -> Site | None:
    """DD_SITE as Datadog's tools read it; raises SiteError for an unknown one."""
    value = env.get(ENV_SITE, "").strip()
    return get_site(value) if value else None


def resolve_profile_site(
    config: Config | None,
    profile: str,
    *,
    site: str | None = None,
    api_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[Site, Source]:
    """Flags, then DD_SITE, then the profile in the config, then US1. Raises SiteError."""
    env = os.environ if env is None else env
    if site or api_url:
        return resolve_site(site, api_url), Source.FLAG
    from_env = site_from_env(env)
    if from_env is not None:
        return from_env, Source.ENV
    stored = config.profiles.get(profile) if config is not None else None
    if stored is not None:
        return stored.resolve_site(), Source.CONFIG
    return DEFAULT_SITE, Source.DEFAULT


def resolve_credentials(
    profile: str,
    *,
    config: Config | None = None,
    site: str | None = None,
    api_url: str | None = None,
    api_key: str | SecretStr | None = None,
    app_key: str | SecretStr | None = None,
    bearer_token: str | SecretStr | None = None,
    env: Mapping[str, str] | None = None,
    store: KeyringStore | None = None,
) -> ResolvedCredentials:
    """Blocks on the keyring for up to its timeout: call from a thread (see aresolve_credentials).

    `store=None` uses the default keyring. A keyring that cannot be asked does not raise: its
    keys are missing and `keyring_problem` says why. Raises SiteError for an unusable site, and
    InvalidKey for a key that cannot be one (see KEY_MIN_LENGTH), naming where it was found.
    """
    env = os.environ if env is None else env
    resolved_site, site_source = resolve_profile_site(config, profile, site=site, api_url=api_url, env=env)
    flags = {KeyKind.API_KEY: api_key, KeyKind.APP_KEY: app_key, KeyKind.BEARER_TOKEN: bearer_token}
    found: dict[KeyKind, ResolvedKey] = {}
    for kind, flag_value in flags.items():
        value = _secret(flag_value)
        if value is not None:
            found[kind] = ResolvedKey(kind, _usable(kind, value, _FLAG_FOR[kind]), Source.FLAG)
            continue
        value = _secret(env.get(_ENV_FOR[kind])) if kind in _ENV_FOR else None
        if value is not None:
            found[kind] = ResolvedKey(kind, _usable(kind, value, _ENV_FOR[kind]), Source.ENV)

    problem: KeyringProblem | None = None
    pair_given = KeyKind.API_KEY in found and KeyKind.APP_KEY in found
    if not pair_given and KeyKind.BEARER_TOKEN not in found:
        # Only ask the keyring when flags and environment leave something to find.
        store = store or KeyringStore()
        wanted = tuple(kind for kind in KeyKind if kind not in found)
        try:
            from_keyring = store.get_all(profile, wanted)
        except KeyringProblem as exc:
            problem = exc
        else:
            where = f"the OS keyring (profile {profile!r})"
            for kind, value in from_keyring.items():
                found[kind] = ResolvedKey(kind, _usable(kind, value, where), Source.KEYRING)
    keys = {kind: found.get(kind) or ResolvedKey(kind, None, Source.MISSING) for kind in KeyKind}
    return ResolvedCredentials(
        profile=profile,
        site=resolved_site,
        site_source=site_source,
        api_key=keys[KeyKind.API_KEY],
        app_key=keys[KeyKind.APP_KEY],
        bearer_token=keys[KeyKind.BEARER_TOKEN],
        keyring_problem=problem,
    )


async def aresolve_credentials(profile: str, **kwargs: object) -> ResolvedCredentials:
    """resolve_credentials on a worker thread, for async callers."""
    return await asyncio.to_thread(lambda: resolve_credentials(profile, **kwargs))  # type: ignore[arg-type]


async def validate_credentials(
    site: Site,
    auth: ApiAuth,
    *,
    timeout: httpx.Timeout | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Raises KeyRejected naming the rejected key, or ApiError when the check itself failed.

    /api/v2/validate_keys checks the pair (or a token); when it refuses a pair, /api/v1/validate
    checks the API key alone, which tells which of the two was rejected.
    """
    async with DatadogClient(site, auth, timeout=timeout, transport=transport) as client:
        try:
            await RumService(client).validate_keys()
            return
        except AuthError:
            if auth.bearer_token is not None:
                raise KeyRejected(KeyKind.BEARER_TOKEN, site) from None
    api_key_only = ApiAuth(api_key=auth.api_key)
    async with DatadogClient(site, api_key_only, timeout=timeout, transport=transport) as client:
        try:
            await RumService(client).validate_api_key()
        except AuthError:
            raise KeyRejected(KeyKind.API_KEY, site) from None
    raise KeyRejected(KeyKind.APP_KEY, site)


@dataclass(frozen=True, slots=True)
class SavedCredentials:
    profile: str
    site: Site
    backend: str
    kinds: tuple[KeyKind, ...]

    @property
    def message(self) -> str:
        what = "access token" if self.kinds == (KeyKind.BEARER_TOKEN,) else "keys"
        return (
            f"Stored the {what} of profile {self.profile!r} ({self.site.label}) in the OS keyring "
            f"({self.backend})."
        )


async def save_validated(
    profile: str,
    site: Site,
    api_key: str | SecretStr | None = None,
    app_key: str | SecretStr | None = None,
    *,
    bearer_token: str | SecretStr | None = None,
    store: KeyringStore | None = None,
    timeout: httpx.Timeout | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SavedCredentials:
    """Check the keys against the site and store them only if they are valid.

    Give the pair, or a bearer token alone. Raises CredentialsError (KeyRejected, CheckFailed)
    or KeyringProblem, and then nothing new is stored (should the keyring fail halfway through
    storing, the profile's entries of those kinds are removed rather than left as half a pair).
    Storing the pair removes a stored token of the profile, and the other way round.
    """
    check_profile_name(profile)
    store = store or KeyringStore()
    token = _checked(KeyKind.BEARER_TOKEN, bearer_token)
    if token is not None:
        if api_key or app_key:
            raise CredentialsError("Give either the key pair or an access token, not both.")
        new = {KeyKind.BEARER_TOKEN: token}
    else:
        new = {
            KeyKind.API_KEY: _required(KeyKind.API_KEY, api_key),
            KeyKind.APP_KEY: _required(KeyKind.APP_KEY, app_key),
        }
    status = await asyncio.to_thread(store.status)
    if not status.available:
        message = status.message or "The OS keyring is not available."
        raise KeyringUnavailable(message, backend=status.backend)

    auth = ApiAuth(
        api_key=new.get(KeyKind.API_KEY),
        app_key=new.get(KeyKind.APP_KEY),
        bearer_token=new.get(KeyKind.BEARER_TOKEN),
    )
    try:
        await validate_credentials(site, auth, timeout=timeout, transport=transport)
    except KeyRejected as exc:
        raise KeyRejected(exc.kind, site, " Nothing was stored.") from None
    except ApiError as exc:
        raise CheckFailed(exc, " The keys were not checked, so nothing was stored.") from None

    def store_all() -> None:
        try:
            for kind, value in new.items():
                store.set(profile, kind, value)
        except KeyringProblem:
            # Never leave half a pair behind: drop what this call may have written.
            for kind in new:
                with contextlib.suppress(KeyringProblem):
                    store.delete(profile, kind)
            raise
        for kind in KeyKind:
            if kind not in new:
                store.delete(profile, kind)

    await asyncio.to_thread(store_all)
    return SavedCredentials(profile, site, status.backend, tuple(new))


def _secret(value: str | SecretStr | None) -> SecretStr | None:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    value = (value or "").strip()
    return SecretStr(value) if value else None


def _usable(kind: KeyKind, secret: SecretStr, where: str) -> SecretStr:
    """`secret` when it can be a key; InvalidKey naming `where` (never the value) when not."""
    # The plain value lives only in _can_be_key's frame, gone before the raise: a traceback
    # printed with its frames' locals shows `secret` masked.
    if not _can_be_key(secret):
        raise InvalidKey(kind, where)
    return secret


def _can_be_key(secret: SecretStr) -> bool:
    text = secret.get_secret_value()
    return KEY_MIN_LENGTH <= len(text) <= KEY_MAX_LENGTH and _key_characters(text)


def _key_characters(text: str) -> bool:
    return text.isascii() and text.isprintable() and not any(c.isspace() for c in text)


def _checked(kind: KeyKind, value: str | SecretStr | None) -> SecretStr | None:
    secret = _secret(value)
    if secret is not None:
        text = secret.get_secret_value()
        if not _key_characters(text):
            raise CredentialsError(f"The {kind.label} contains spaces or characters a key never has.")
    return secret


def _required(kind: KeyKind, value: str | SecretStr | None) -> SecretStr:
    secret = _checked(kind, value)
    if secret is None:
        raise CredentialsError(f"No {kind.label} was given.")
    return secret
