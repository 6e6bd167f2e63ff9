"""Who may call the server: key pairs and bearer tokens, each owned by a user."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

# Hex-looking like real keys (32 hex chars for an API key, 40 for an application key), so any
# format check the app does on typed keys accepts them.
DEMO_API_KEY = "dec0de00000000000000000000000a91"
DEMO_APP_KEY = "dec0de000000000000000000000000000000a99e"
DEMO_BEARER_TOKEN = "ddpat_dec0de0000000000000000000000000000"
DEMO_ORG_ID = 321813


@dataclass(frozen=True, slots=True)
class User:
    """The owner of a key: what the server stamps on the snapshots it creates."""

    name: str
    handle: str
    user_id: int
    org_id: int = DEMO_ORG_ID


DEMO_USER = User("Demo User", "demo@shop.example", 1000001)


class KeyRing:
    """Valid API/application key pairs and bearer tokens, each mapped to its user."""

    def __init__(
        self,
        pairs: Mapping[tuple[str, str], User] | None = None,
        tokens: Mapping[str, User] | None = None,
    ) -> None:
        self._pairs: dict[tuple[str, str], User] = dict(pairs or {})
        self._tokens: dict[str, User] = dict(tokens or {})

    @classmethod
    def demo(cls) -> KeyRing:
        return cls({(DEMO_API_KEY, DEMO_APP_KEY): DEMO_USER}, {DEMO_BEARER_TOKEN: DEMO_USER})

    def add_pair(self, api_key: str, app_key: str, user: User = DEMO_USER) -> None:
        self._pairs[(api_key, app_key)] = user

    def add_token(self, token: str, user: User = DEMO_USER) -> None:
        self._tokens[token] = user

    def api_key_valid(self, api_key: str | None) -> bool:
        return bool(api_key) and any(api == api_key for api, _ in self._pairs)

    def user_for_pair(self, api_key: str | None, app_key: str | None) -> User | None:
        if not api_key or not app_key:
            return None
        return self._pairs.get((api_key, app_key))

    def user_for_token(self, token: str | None) -> User | None:
        return self._tokens.get(token) if token else None

    def authenticate(self, headers: Message) -> User | None:
        """The caller's user, from the key pair or else a bearer token; None when neither is valid."""
        user = self.user_for_pair(headers.get("DD-API-KEY"), headers.get("DD-APPLICATION-KEY"))
        if user is not None:
            return user
        return self.user_for_token(bearer_token(headers))


def bearer_token(headers: Message) -> str | None:
    scheme, _, token = (headers.get("Authorization") or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
