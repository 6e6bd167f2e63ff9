"""DatadogClient: one shared httpx.AsyncClient with auth, retries, rate limits and plain errors.

Whatever goes wrong inside a request (the network, TLS, httpx, a codec, a server that lies
about its body) comes out as one of the errors of core.errors, raised outside the handler of the
original exception: no chained traceback keeps httpx's frames, which hold the request and its
headers. Waits and sizes are bounded: a try has a total deadline however slowly the server
sends, a body has a size cap however it is encoded, and a rate-limit reset longer than the
retry policy's cap is not waited out in full (the error names it when the server refuses).
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from heatmap_tui import __version__
from heatmap_tui.core.auth import ApiAuth, KeyNotSendable
from heatmap_tui.core.errors import (
    ApiError,
    InvalidId,
    InvalidResponse,
    NetworkError,
    RateLimited,
    RequestNotSent,
    error_for_status,
)
from heatmap_tui.core.models import ErrorBody
from heatmap_tui.core.ratelimit import RateLimitInfo, RateLimitTracker
from heatmap_tui.core.retry import Outcome, RetryPolicy
from heatmap_tui.core.safe_text import has_control, visible
from heatmap_tui.core.sites import Site, check_transport_url
from heatmap_tui.core.transport import StreamTransport, default_transport

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=15.0, pool=30.0)
# httpx's timeouts are per read: a server that sends a byte every few seconds never trips them.
# The deadline bounds one try as a whole, from connecting to the last byte of the answer.
DEFAULT_DEADLINE = 60.0
# The biggest answer the API gives (1000 snapshots) is well under 1 MiB; counted after
# decompression, so a small gzip body cannot unpack into gigabytes.
MAX_BODY_BYTES = 32 * 1024 * 1024
USER_AGENT = f"heatmap-tui/{__version__}"
MAX_MESSAGE = 300  # characters of one server message kept for a person to read


class Readable(Protocol):
    """What parsing needs of an answer: an httpx.Response, or the client's own Answer."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> httpx.Headers: ...

    @property
    def content(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Answer:
    """One response, read in full within the size cap and the deadline."""

    status_code: int
    headers: httpx.Headers
    content: bytes


@dataclass(frozen=True, slots=True)
class _Failed:
    """A try that got no usable answer; `error` is what to raise when it is not tried again."""

    error: ApiError
    retryable: bool = False  # a transient network failure: another try may work
    reached: bool = True  # the request may have reached the server (and been applied)


class _TooLarge(Exception):
    pass


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
        max_connections: int = 64,
        deadline: float = DEFAULT_DEADLINE,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        check_transport_url(site.api_url)
        self.site = site
        self.auth = auth
        self.deadline = deadline
        self.max_body_bytes = max_body_bytes
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.rate_limit = RateLimitTracker(sleep=sleep)
        verify = _tls_for(site.api_url)
        if transport is None:  # ours (core/transport.py), unless the environment names a proxy
            transport = default_transport(verify, max_connections)
        self._transport = transport
        self._http = httpx.AsyncClient(
            base_url=site.api_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            auth=auth,  # the only way keys reach a request
            timeout=timeout or DEFAULT_TIMEOUT,
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            follow_redirects=False,
            verify=verify,
        )
        # What every request through our transport carries, worked out once (see _exchange).
        self._base = str(self._http.base_url).rstrip("/")
        self._timeouts = {"timeout": self._http.timeout.as_dict()}
        self.requests_sent = 0

    async def __aenter__(self) -> DatadogClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def open_connections(self, count: int) -> None:
        """Open up to `count` connections now, ahead of that many requests at once (a bulk delete
        while its look-up travels): their set-up (TCP, TLS) is then off the requests' way. Best
        effort, and only with the app's own transport (core/transport.py)."""
        if isinstance(self._transport, StreamTransport):
            await self._transport.open_idle(self.site.api_url, count, DEFAULT_TIMEOUT.connect)

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
    ) -> Answer:
        """Send with retries; return the answer when its status is in `ok`, else raise ApiError."""
        method = method.upper()
        tries = 0
        maybe_applied = False  # an earlier try may have reached the server (lost answer, 5xx)
        while True:
            tries += 1
            # A used-up window is waited out, capped like a 429's reset.
            await self.rate_limit.acquire(max_wait=self.retry.max_rate_limit_wait)
            self.requests_sent += 1
            try:
                answer = await self._try(op, method, path, params, json_body, auth)
            finally:
                self.rate_limit.release()
            if isinstance(answer, _Failed):
                maybe_applied = maybe_applied or answer.reached
                outcome = Outcome(network_error=True)
                delay = self.retry.delay_before_retry(method, tries, outcome) if answer.retryable else None
                if delay is None:
                    answer.error.maybe_applied = maybe_applied
                    raise answer.error from None
                log.info("%s: %s; retrying in %.2fs", op, answer.error.detail, delay)
                await self._sleep(delay)
                continue
            self.rate_limit.update(answer.headers)
            if answer.status_code in ok:
                return answer
            if method == "DELETE" and answer.status_code == 404 and maybe_applied:
                # An earlier try went through before its answer was lost: the delete is done.
                return answer
            maybe_applied = maybe_applied or answer.status_code >= 500
            error = self._status_error(op, answer)
            reset = error.retry_after if isinstance(error, RateLimited) else None
            outcome = Outcome(status=answer.status_code, reset_seconds=reset)
            delay = self.retry.delay_before_retry(method, tries, outcome)
            if delay is None:
                error.maybe_applied = maybe_applied
                raise error
            log.info("%s: HTTP %s; retrying in %.2fs", op, answer.status_code, delay)
            await self._sleep(delay)
            if answer.status_code == 429:
                self.rate_limit.window_waited()

    async def request_model(self, op: str, method: str, path: str, model: type[M], **kw: Any) -> M:
        answer = await self.request(op, method, path, **kw)
        try:
            return self.parse(op, answer, model)
        except InvalidResponse as exc:
            exc.maybe_applied = True  # the request succeeded: only its answer cannot be read
            raise

    def parse(self, op: str, response: Readable, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            detail = _describe_invalid(response, exc)
        except (ValueError, RecursionError):  # pydantic turns most of these into ValidationError
            detail = "the server's answer could not be read as JSON"
        raise InvalidResponse(op, self.site.label, status=response.status_code, detail=detail) from None

    def _too_long_wait(self, seconds: float) -> str:
        return (
            f"Datadog's rate limit was reached and resets in {seconds:.0f} s, longer than the "
            f"{self.retry.max_rate_limit_wait:g} s this app waits; try again later"
        )

    async def _try(
        self,
        op: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        use_auth: bool,
    ) -> Answer | _Failed:
        """One try, whatever happens inside it turned into an Answer or a _Failed."""
        label = self.site.label
        try:
            async with asyncio.timeout(self.deadline):
                return await self._exchange(method, path, params, json_body, use_auth)
        except TimeoutError:
            detail = f"the server did not finish answering within {self.deadline:g} s"
            return _Failed(NetworkError(op, label, detail=detail))
        except _TooLarge:
            detail = f"the server's answer was larger than {_size(self.max_body_bytes)}"
            return _Failed(InvalidResponse(op, label, detail=detail))
        except KeyNotSendable as exc:
            return _Failed(RequestNotSent(op, label, detail=str(exc).rstrip(".")), reached=False)
        except httpx.LocalProtocolError:
            detail = "a header or the path holds characters HTTP does not allow; nothing was sent"
            return _Failed(RequestNotSent(op, label, detail=detail), reached=False)
        except httpx.TransportError as exc:
            return self._network_failure(op, exc)
        except httpx.DecodingError:
            detail = "the server's answer could not be decoded (its encoding did not match its body)"
            return _Failed(InvalidResponse(op, label, detail=detail))
        except (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError) as exc:
            detail = f"the HTTP library refused it ({type(exc).__name__})"
            return _Failed(RequestNotSent(op, label, detail=detail), reached=False)
        except (UnicodeError, LookupError) as exc:
            detail = f"a text encoding failed ({type(exc).__name__})"
            return _Failed(RequestNotSent(op, label, detail=detail), reached=False)

    async def _exchange(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        use_auth: bool,
    ) -> Answer:
        """Send, then read the body as a stream, never past the size cap."""
        if isinstance(self._transport, StreamTransport):  # the app's own: straight to it
            request = httpx.Request(
                method,
                self._base + "/" + path.lstrip("/"),  # as build_request joins them, at half its cost
                params=params,
                json=json_body,
                headers=self._http.headers,
                extensions=self._timeouts,
            )
            response = await self._transport.send(request, self.auth if use_auth else None)
        else:
            response = await self._http.send(
                self._http.build_request(method, path, params=params, json=json_body),
                auth=httpx.USE_CLIENT_DEFAULT if use_auth else None,
                stream=True,
            )
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise _TooLarge
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():  # decoded: the cap counts unpacked bytes
                size += len(chunk)
                if size > self.max_body_bytes:
                    raise _TooLarge
                chunks.append(chunk)
        finally:
            await response.aclose()
        return Answer(response.status_code, response.headers, b"".join(chunks))

    def _network_failure(self, op: str, exc: httpx.TransportError) -> _Failed:
        label = self.site.label
        certificate = _find_cause(exc, ssl.SSLCertVerificationError)
        if certificate is not None:
            reason = visible(certificate.verify_message or certificate.reason or "no reason given")
            detail = (
                f"the server's TLS certificate could not be verified ({reason}); check the API URL, "
                "and any proxy that intercepts TLS"
            )
            return _Failed(NetworkError(op, label, detail=detail), reached=False)
        if _find_cause(exc, ssl.SSLError) is not None:
            detail = f"the TLS handshake with {self.site.api_url} failed"
            return _Failed(NetworkError(op, label, detail=detail), reached=False)
        kinds = {
            httpx.ConnectError: f"could not connect to {self.site.api_url}",
            httpx.ConnectTimeout: f"timed out connecting to {self.site.api_url}",
            httpx.ReadTimeout: "the server took too long to answer",
            httpx.WriteTimeout: "timed out sending the request",
            httpx.PoolTimeout: "too many requests were waiting for a connection",
            httpx.RemoteProtocolError: "the connection was closed before the answer arrived",
            httpx.ReadError: "the connection broke while reading the answer",
        }
        fallback = f"network failure ({type(exc).__name__})"
        detail = next((text for cls, text in kinds.items() if type(exc) is cls), fallback)
        reached = not isinstance(exc, httpx.ConnectError)
        return _Failed(NetworkError(op, label, detail=detail), retryable=True, reached=reached)

    def _status_error(self, op: str, response: Readable) -> ApiError:
        cls = error_for_status(response.status_code)
        messages = self._scrub(_error_messages(response))
        if cls is RateLimited:
            info = self.rate_limit.latest
            reset = info.reset if info is not None else None
            detail = None
            if reset is not None and reset > self.retry.max_rate_limit_wait:
                detail = self._too_long_wait(reset)
            return RateLimited(
                op, self.site.label, retry_after=reset, status=429, messages=messages, detail=detail
            )
        return cls(op, self.site.label, status=response.status_code, messages=messages)

    def _scrub(self, messages: list[str]) -> list[str]:
        """A server may echo what it was sent; no piece of a key may reach an error message."""
        out = []
        for message in messages:
            # Cut first (a message can be megabytes), then scrub, then cut to the shown length.
            message = " ".join(message[: MAX_MESSAGE * 4].split())  # one line, whatever was sent
            message = self.auth.scrub(message)
            if len(message) > MAX_MESSAGE:
                message = message[: MAX_MESSAGE - 1] + "…"
            if message:
                out.append(message)
        return out


def _find_cause(exc: BaseException, kind: type[BaseException]) -> Any:
    """The first exception of `kind` in the chain of causes behind `exc`, or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _error_messages(response: Readable) -> list[str]:
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


def _describe_invalid(response: Readable, exc: ValidationError) -> str:
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
