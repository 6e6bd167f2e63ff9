"""Key material for one client: a key pair or a bearer token, masked, and put on requests in one place.

`ApiAuth` is the httpx auth hook the client is built with: keys meet a request only inside
`auth_flow`, written straight onto the request's headers, so no frame of the client holds them
in a plain dict or string that a crash report printing frame locals could show. Its repr and str
show at most the last 4 characters of each key, and the keys themselves stay pydantic SecretStr.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from heatmap_tui.core.errors import HeatmapError

# A server that repeats part of a key back is scrubbed of every piece this long: enough to tell
# a key apart from ordinary words, short enough that no useful part of a 32-character key shows.
SCRUB_WINDOW = 8
REDACTED = "[redacted]"


def fingerprint(secret: SecretStr | None) -> str:
    """At most the last 4 characters, the only part of a key ever shown."""
    if secret is None:
        return "-"
    value = secret.get_secret_value()
    return f"…{value[-4:]}" if len(value) > 8 else "…"


class KeyNotSendable(HeatmapError):
    """A key holds characters no HTTP header may carry; str() names the key, never its value."""


@dataclass(frozen=True, slots=True, repr=False)
class ApiAuth(httpx.Auth):
    api_key: SecretStr | None = None
    app_key: SecretStr | None = None
    bearer_token: SecretStr | None = None

    def __post_init__(self) -> None:
        for name in ("api_key", "app_key", "bearer_token"):
            value = getattr(self, name)
            if isinstance(value, str):  # accept plain strings, never keep them plain
                object.__setattr__(self, name, SecretStr(value))

    @property
    def is_complete(self) -> bool:
        return self.bearer_token is not None or (self.api_key is not None and self.app_key is not None)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The one place keys are put on a request (httpx calls it for every request it sends)."""
        if self.bearer_token is not None:
            _set(request, "Authorization", self.bearer_token, "access token", prefix="Bearer ")
        else:
            if self.api_key is not None:
                _set(request, "DD-API-KEY", self.api_key, "API key")
            if self.app_key is not None:
                _set(request, "DD-APPLICATION-KEY", self.app_key, "application key")
        yield request

    def scrub(self, text: str) -> str:
        """`text` with every piece of SCRUB_WINDOW characters of any key replaced by [redacted].

        A server may echo what it was sent, whole or in part (cut, quoted, wrapped).
        """
        pieces: set[str] = set()
        exact: list[str] = []
        for secret in (self.api_key, self.app_key, self.bearer_token):
            if secret is None or not secret.get_secret_value():
                continue
            if len(secret.get_secret_value()) < SCRUB_WINDOW:
                exact.append(secret.get_secret_value())
            else:
                value = secret.get_secret_value()
                pieces.update(value[i : i + SCRUB_WINDOW] for i in range(len(value) - SCRUB_WINDOW + 1))
        for value in exact:
            text = text.replace(value, REDACTED)
        if not pieces or len(text) < SCRUB_WINDOW:
            return text
        covered = [False] * len(text)
        for i in range(len(text) - SCRUB_WINDOW + 1):
            if text[i : i + SCRUB_WINDOW] in pieces:
                covered[i : i + SCRUB_WINDOW] = [True] * SCRUB_WINDOW
        if not any(covered):
            return text
        out: list[str] = []
        for i, char in enumerate(text):
            if not covered[i]:
                out.append(char)
            elif i == 0 or not covered[i - 1]:
                out.append(REDACTED)
        return "".join(out)

    def __repr__(self) -> str:
        return (
            f"ApiAuth(api_key={fingerprint(self.api_key)}, app_key={fingerprint(self.app_key)}, "
            f"bearer_token={fingerprint(self.bearer_token)})"
        )

    __str__ = __repr__


def _set(request: httpx.Request, header: str, secret: SecretStr, label: str, prefix: str = "") -> None:
    # Checked here as well as when keys are resolved: a key handed straight to the client with a
    # newline would split the header, and a non-ASCII one would be sent as bytes no server reads.
    if not _sendable(secret):
        raise KeyNotSendable(f"The {label} holds spaces or characters a key never has; it was not sent.")
    request.headers[header] = prefix + secret.get_secret_value()


def _sendable(secret: SecretStr) -> bool:
    value = secret.get_secret_value()
    return value.isascii() and value.isprintable() and " " not in value
