"""Key material for one request: a key pair or a bearer token, always held as SecretStr."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr


def fingerprint(secret: SecretStr | None) -> str:
    """At most the last 4 characters, the only part of a key ever shown."""
    if secret is None:
        return "-"
    value = secret.get_secret_value()
    return f"…{value[-4:]}" if len(value) > 8 else "…"


@dataclass(frozen=True, slots=True)
class ApiAuth:
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

    def headers(self) -> dict[str, str]:
        if self.bearer_token is not None:
            return {"Authorization": f"Bearer {self.bearer_token.get_secret_value()}"}
        headers: dict[str, str] = {}
        if self.api_key is not None:
            headers["DD-API-KEY"] = self.api_key.get_secret_value()
        if self.app_key is not None:
            headers["DD-APPLICATION-KEY"] = self.app_key.get_secret_value()
        return headers

    def secrets(self) -> list[str]:
        """Plain values, only to scrub them from text that might echo them."""
        return [
            s.get_secret_value()
            for s in (self.api_key, self.app_key, self.bearer_token)
            if s is not None and s.get_secret_value()
        ]

    def __repr__(self) -> str:
        return (
            f"ApiAuth(api_key={fingerprint(self.api_key)}, app_key={fingerprint(self.app_key)}, "
            f"bearer_token={fingerprint(self.bearer_token)})"
        )
