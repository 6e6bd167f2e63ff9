"""DatadogClient: one shared httpx.AsyncClient with auth, retries, rate limits and plain errors."""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from heatmap_tui import __version__
from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.errors import (
    ApiError,
    InvalidId,
    InvalidResponse,
    NetworkError,
    RateLimited,
    error_for_status,
)
from heatmap_tui.core.models import ErrorBody
from heatmap_tui.core.ratelimit import RateLimitInfo, RateLimitTracker
from heatmap_tui.core.retry import Outcome, RetryPolicy
from heatmap_tui.core.safe_text import has_control
from heatmap_tui.core.sites import Site, check_transport_url

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=15.0, pool=30.0)
USER_AGENT = f"heatmap-tui/{__version__}"
MAX_MESSAGE = 300  # characters of one server message kept for a person to read


def _tls_for(api_url: str) -> ssl.SSLContext | bool:
    """TLS settings for a client of `api_url` alone (redirects are never followed).

    Plain http, which check_transport_url allows on loopback only, never uses TLS: its client
    gets a context that still verifies but trusts no certificate, rather than the CA bundle
    httpx would load (~2 MB and ~20 ms at start-up). Every https site gets httpx's default.
    """
    if api_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


class DatadogClient:
    """Every request of the app goes through `request`, which applies the whole policy."""

    def __init__(
        self,
        site: Site,
        auth: ApiAuth,
        *,
        timeout: httpx.Timeout | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_connections: int = 32,
    ) -> None:
        check_transport_url(site.api_url)
        self.site = site
        self.auth = auth
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.rate_limit = RateLimitTracker(sleep=sleep)
        self._http = httpx.AsyncClient(
            base_url=site.api_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=timeout or DEFAULT_TIMEOUT,
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            follow_redirects=False,
            verify=_tls_for(site.api_url),
        )
        self.requests_sent = 0

    async def __aenter__(self) -> DatadogClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def rate_limit_info(self) -> RateLimitInfo | None:
        return self.rate_limit.latest

    def id_path(self, op: str, base: str, item_id: str) -> str:
        """`base/<item_id>`, the id percent-encoded as one path segment.

        Ids come from the server, files and people: unencoded, `../../v1/x` would reach another
        path, `a#b` another snapshot and `x?y=1` carry a query. An id with control characters, and
        `.` or `..` (which every URL library folds into the path, encoded or not), is refused
        before anything is sent.
        """
        problem = None
        if not item_id:
            problem = "the id is empty"
        elif has_control(item_id):
            problem = "the id holds control characters, which no Datadog id has"
        elif item_id in (".", ".."):
            problem = f"the id {item_id!r} would be read as a step in the path, not as an id"
        if problem is not None:
            raise InvalidId(op, self.site.label, detail=problem)
        return f"{base}/{quote(item_id, safe='')}"

    async def request(
        self,
        op: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        ok: tuple[int, ...] = (200,),
        auth: bool = True,
    ) -> httpx.Response:
        """Send with retries; return the response when its status is in `ok`, else raise."""
        method = method.upper()
        headers = self.auth.headers() if auth else {}
        tries = 0
        maybe_applied = False  # an earlier try may have reached the server (lost answer, 5xx)
        while True:
            tries += 1
            await self.rate_limit.acquire()
            try:
                self.requests_sent += 1
                response = await self._http.request(
                    method, path, params=params, json=json_body, headers=headers
                )
            except httpx.TransportError as exc:
                maybe_applied = maybe_applied or not isinstance(exc, httpx.ConnectError)
                network_error = self._network_error(op, exc)
                delay = self.retry.delay_before_retry(method, tries, Outcome(network_error=True))
                if delay is None:
                    raise network_error from None
                log.info("%s: %s; retrying in %.2fs", op, type(exc).__name__, delay)
                await self._sleep(delay)
                continue
            self.rate_limit.update(response.headers)
            if response.status_code in ok:
                return response
            if method == "DELETE" and response.status_code == 404 and maybe_applied:
                # An earlier try went through before its answer was lost: the delete is done.
                return response
            maybe_applied = maybe_applied or response.status_code >= 500
            error = self._status_error(op, response)
            reset = error.retry_after if isinstance(error, RateLimited) else None
            outcome = Outcome(status=response.status_code, reset_seconds=reset)
            delay = self.retry.delay_before_retry(method, tries, outcome)
            if delay is None:
                raise error
            log.info("%s: HTTP %s; retrying in %.2fs", op, response.status_code, delay)
            await self._sleep(delay)
            if response.status_code == 429:
                self.rate_limit.window_waited()

    async def request_model(self, op: str, method: str, path: str, model: type[M], **kw: Any) -> M:
        response = await self.request(op, method, path, **kw)
        return self.parse(op, response, model)

    def parse(self, op: str, response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise InvalidResponse(
                op, self.site.label, status=response.status_code, detail=_describe_invalid(response, exc)
            ) from None

    def _network_error(self, op: str, exc: httpx.TransportError) -> NetworkError:
        kinds = {
            httpx.ConnectError: f"could not connect to {self.site.api_url}",
            httpx.ConnectTimeout: f"timed out connecting to {self.site.api_url}",
            httpx.ReadTimeout: "the server took too long to answer",
            httpx.WriteTimeout: "timed out sending the request",
            httpx.PoolTimeout: "too many requests were waiting for a connection",
            httpx.RemoteProtocolError: "the connection was closed before the answer arrived",
            httpx.ReadError: "the connection broke while reading the answer",
        }
        detail = next((text for cls, text in kinds.items() if type(exc) is cls), None)
        detail = detail or f"network failure ({type(exc).__name__})"
        return NetworkError(op, self.site.label, detail=detail)

    def _status_error(self, op: str, response: httpx.Response) -> ApiError:
        cls = error_for_status(response.status_code)
        messages = self._scrub(_error_messages(response))
        if cls is RateLimited:
            info = self.rate_limit.latest
            reset = info.reset if info is not None else None
            return RateLimited(op, self.site.label, retry_after=reset, status=429, messages=messages)
        return cls(op, self.site.label, status=response.status_code, messages=messages)

    def _scrub(self, messages: list[str]) -> list[str]:
        """A server may echo what it was sent; keys must never reach an error message."""
        secrets = self.auth.secrets()
        out = []
        for message in messages:
            for secret in secrets:
                message = message.replace(secret, "[redacted]")
            message = " ".join(message.split())  # one line, whatever the server sent
            if len(message) > MAX_MESSAGE:
                message = message[: MAX_MESSAGE - 1] + "…"
            if message:
                out.append(message)
        return out


def _error_messages(response: httpx.Response) -> list[str]:
    content_type = response.headers.get("content-type", "")
    if not response.content:
        return []
    try:
        return ErrorBody.model_validate_json(response.content).messages()
    except ValidationError:
        pass
    if "html" in content_type or response.content.lstrip()[:1] == b"<":
        return ["the server answered with an HTML page instead of JSON"]
    try:
        json.loads(response.content)
        return ["the error body had an unexpected shape"]
    except (ValueError, RecursionError):
        return ["the error body was not JSON"]


def _describe_invalid(response: httpx.Response, exc: ValidationError) -> str:
    if not response.content:
        return "the server's answer was empty"
    try:
        json.loads(response.content)
    except (ValueError, RecursionError):
        if response.content.lstrip()[:1] == b"<":
            return "the server answered with an HTML page instead of JSON"
        return "the server's answer was not valid JSON"
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the body"
    return f"the server's answer did not have the expected shape ({where}: {first['msg']})"
