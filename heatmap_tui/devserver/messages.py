"""The request and response values that flow between the HTTP layer and the endpoint handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from heatmap_tui.devserver.auth import User
from heatmap_tui.devserver.errors import bad_request


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""
    path_params: dict[str, str] = field(default_factory=dict)
    user: User | None = None
    target: str = ""  # the raw request-target, as received

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The parsed body; a 400 naming the problem when it is not JSON."""
        if not self.body.strip():
            raise bad_request("request body is empty; expected a JSON object")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"request body is not valid JSON: {exc}") from None

    def json_object(self) -> dict[str, Any]:
        payload = self.json()
        if not isinstance(payload, dict):
            raise bad_request("request body must be a JSON object")
        return payload


@dataclass
class Response:
    status: int
    payload: Any = None  # serialized as JSON unless `raw` is set
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"
    trickle: float = 0.0  # seconds between the bytes of the body (a fault); 0: all at once

    def body(self) -> bytes:
        if self.status == 204:
            return b""
        if self.raw is not None:
            return self.raw
        if self.payload is None:
            return b""
        return json.dumps(self.payload, separators=(",", ":")).encode()
