"""StreamTransport: HTTP/1.1 with keep-alive straight on asyncio, what DatadogClient sends through.

Why not httpx's own transport: httpcore (on anyio, with h11) costs about 1 ms of CPU per request
on a small machine, and its pool walks every connection, for every one, each time a request
starts or ends: quadratic in the pool, so 1,000 deletes 64 at a time spent seconds of CPU there.
With this transport, and `send` in place of httpx.AsyncClient.send (whose cookies, event hooks
and redirect handling the app never uses), a request through DatadogClient costs about a fifth
of the CPU it did; httpcore, anyio and h11 are not even imported.

What it does
    - Keep-alive connections per origin, the most recently used first, at most `max_connections`
      requests in flight (each on a connection of its own); a connection idle longer than
      `keepalive_expiry`, or one that became readable while idle (the server closed it, or sent
      something unasked), is closed rather than used. `open_idle` opens connections ahead of a
      burst of requests (a bulk delete's, while its look-up travels).
    - TLS with httpx's own context (its CA bundle, SSL_CERT_FILE, SSL_CERT_DIR), made when the
      first https connection is; the host name is sent (SNI) and checked.
    - Requests and answers on the wire as core/http11.py reads and writes them; httpx's timeouts
      (connect, read: each wait for data, write, pool) and exceptions, so that DatadogClient tells
      failures apart as before: ConnectError, ConnectTimeout (TLS failures are ConnectErrors
      caused by the ssl error), PoolTimeout, and those of http11.py.
    - Nothing is ever sent twice: a request that fails is DatadogClient's to retry or not.

Not done: HTTP/2, upgrades, Expect: 100-continue, proxies. `default_transport` returns None when
the environment names a proxy, and DatadogClient then keeps httpx's transport, which honours it;
HEATMAP_TUI_HTTP=httpx does the same whatever the environment says.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Callable

import httpx

from heatmap_tui.core.http11 import Body, HttpConnection, read_head, request_head

Origin = tuple[str, str, int]  # scheme, host, port


HTTP_ENV = "HEATMAP_TUI_HTTP"  # "httpx": always httpx's own transport (a way out, should ours fail)


def default_transport(verify: ssl.SSLContext | bool, max_connections: int) -> StreamTransport | None:
    """The transport DatadogClient uses, or None (httpx's own) when the environment names a proxy
    (httpx honours HTTP(S)_PROXY, ALL_PROXY and NO_PROXY only with its own transport) or when
    HEATMAP_TUI_HTTP=httpx asks for it."""
    from urllib.request import getproxies

    if os.environ.get(HTTP_ENV, "").strip().lower() == "httpx":
        return None
    if any(scheme in ("http", "https", "all") for scheme in getproxies()):
        return None
    return StreamTransport(verify=verify, max_connections=max_connections)


class StreamTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        max_connections: int = 64,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._verify = verify
        self._tls: ssl.SSLContext | None = None
        self._slots = asyncio.Semaphore(max_connections)
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._idle: dict[Origin, list[HttpConnection]] = {}
        self._open: set[HttpConnection] = set()
        self._closed = False

    async def send(self, request: httpx.Request, auth: httpx.Auth | None) -> httpx.Response:
        """What httpx.AsyncClient.send does for the app's requests (the auth flow puts the keys on
        the request, then this transport sends it), without what they never use: cookies, event
        hooks, redirects (DatadogClient follows none). That halves the CPU a request costs.
        One-step auth flows only, as ApiAuth's is. The answer's body is a stream, as with
        `send(..., stream=True)`: close it."""
        if self._closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        if auth is None:
            response = await self.handle_async_request(request)
        else:
            flow = auth.async_auth_flow(request)
            try:
                request = await flow.__anext__()
                response = await self.handle_async_request(request)
            finally:
                await flow.aclose()
        response.request = request
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        head = request_head(request)  # LocalProtocolError before anything is sent
        body = await request.aread()
        origin = _origin(request)
        await self._take_slot(request, timeouts.get("pool"))
        connection: HttpConnection | None = None
        try:
            connection = self._reusable(origin) or await self._connect(
                origin, request, timeouts.get("connect")
            )
            connection.send(head + body, request)
            await connection.drained(request, timeouts.get("write"))
            answer = await read_head(connection, request, timeouts.get("read"))
        except BaseException:
            if connection is not None:
                self._discard(connection)
            self._slots.release()
            raise
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=Body(
                connection, request, answer, timeouts.get("read"), self._releaser(connection, origin)
            ),
            extensions={"http_version": answer.version, "reason_phrase": answer.reason},
        )

    async def open_idle(self, url: str, count: int, timeout: float | None = None) -> int:
        """Open connections to the origin of `url`, all at once, until `count` are idle there (as
        many as the pool has room for), ahead of a burst of requests; returns how many it opened.
        Best effort: a connection that cannot be opened now is left to the request that needs it."""
        request = httpx.Request("GET", url)
        origin = _origin(request)
        wanted = min(count - len(self._idle.get(origin, ())), self._max_connections - len(self._open))
        if wanted <= 0:
            return 0

        async def one() -> HttpConnection | None:
            try:
                return await self._connect(origin, request, timeout)
            except httpx.TransportError:
                return None

        opened = [c for c in await asyncio.gather(*(one() for _ in range(wanted))) if c is not None]
        now = time.monotonic()
        for connection in opened:
            connection.idle_since = now
        self._idle.setdefault(origin, []).extend(opened)
        return len(opened)

    async def aclose(self) -> None:
        self._closed = True
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    # --- the pool ---------------------------------------------------------------

    async def _take_slot(self, request: httpx.Request, timeout: float | None) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no connection became free in time", request=request) from None

    def _reusable(self, origin: Origin) -> HttpConnection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if now - connection.idle_since <= self._keepalive_expiry and not connection.stale():
                return connection
            self._discard(connection)
        return None

    async def _connect(self, origin: Origin, request: httpx.Request, timeout: float | None) -> HttpConnection:
        if len(self._open) >= self._max_connections:  # an idle one (of another origin) makes room
            for idle in self._idle.values():
                if idle:
                    self._discard(idle.pop(0))
                    break
        scheme, host, port = origin
        tls = self._tls_context() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    HttpConnection, host, port, ssl=tls, server_hostname=host if tls is not None else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}", request=request) from None
        except OSError as exc:  # ssl.SSLError is one
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        self._open.add(connection)
        return connection

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            context = httpx.create_ssl_context(verify=self._verify)
            context.set_alpn_protocols(["http/1.1"])
            self._tls = context
        return self._tls

    def _releaser(self, connection: HttpConnection, origin: Origin) -> Callable[[bool], None]:
        """What an answer's body calls once read (or abandoned): the connection back to the pool
        (`reusable`), or closed; its request's slot free."""

        def release(reusable: bool) -> None:
            if reusable and not self._closed and not connection.stale():
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, []).append(connection)
            else:
                self._discard(connection)
            self._slots.release()

        return release

    def _discard(self, connection: HttpConnection) -> None:
        connection.close()
        self._open.discard(connection)


def _origin(request: httpx.Request) -> Origin:
    url = request.url
    scheme = url.scheme
    if scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(f"the scheme {scheme!r} is not supported", request=request)
    return scheme, url.host, url.port or (443 if scheme == "https" else 80)
