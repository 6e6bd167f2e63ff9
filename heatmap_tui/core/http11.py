"""HTTP/1.1 on the wire, for core/transport.py: a connection, the request's head, the answer's.

`HttpConnection` is one socket's protocol: what arrived and is not read yet, and whether the peer
is gone. `request_head` writes a request's line and headers, checked as h11 checks them (method
and header names are tokens, no CR, LF or NUL in a header value, a target of visible
characters): httpx.LocalProtocolError, and nothing is sent. `read_head` reads an answer's status
line and headers (interim 1xx answers skipped) and decides its framing: Content-Length, chunks,
or the end of the connection; no body for HEAD, 204 and 304. `Body` hands the body over as it
came (httpx decodes gzip and deflate). What goes wrong is one of httpx's exceptions: ReadTimeout,
WriteTimeout, ReadError, WriteError, RemoteProtocolError (closed before or within the answer, or
an answer HTTP/1.1 forbids).
"""

from __future__ import annotations

import asyncio
import re
import select
import socket
from collections.abc import AsyncIterator, Callable

import httpx

_MAX_HEAD = 64 * 1024  # bytes of a status line and headers (h11 allows 16 KiB)
_MAX_LINE = 4 * 1024  # bytes of a chunk-size line
_PAUSE_AT = 1024 * 1024  # buffered and unread bytes at which reading from the socket pauses
_TOKEN = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")
_FIELD_VALUE = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")
_TARGET = re.compile(rb"[\x21-\x7e]+")
_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?: ([^\r\n]*))?")
_NO_BODY = (204, 304)


class HttpConnection(asyncio.Protocol):
    """One socket: what arrived and is not read yet, and whether the peer is gone."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.idle_since = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self._can_write: asyncio.Future[None] | None = None
        self._reading_paused = False

    # --- asyncio.Protocol ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _PAUSE_AT and self.transport is not None and not self._reading_paused:
            self.transport.pause_reading()
            self._reading_paused = True
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        if self._can_write is not None and not self._can_write.done():
            self._can_write.set_result(None)

    def pause_writing(self) -> None:
        self._can_write = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._can_write is not None and not self._can_write.done():
            self._can_write.set_result(None)
        self._can_write = None

    # --- used by the transport ---

    def stale(self) -> bool:
        """Not to be used for a request: closed, or something arrived while nobody asked."""
        transport = self.transport
        if transport is None or transport.is_closing() or self.eof or self.buffer:
            return True
        sock = transport.get_extra_info("socket")
        try:
            return sock is None or readable(sock)  # a FIN the loop has not seen yet
        except (OSError, ValueError):
            return True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        self.eof = True

    def send(self, data: bytes, request: httpx.Request) -> None:
        if self.transport is None or self.transport.is_closing():
            raise httpx.WriteError("the connection was closed", request=request)
        self.transport.write(data)

    async def drained(self, request: httpx.Request, timeout: float | None) -> None:
        if self._can_write is None:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._can_write
        except TimeoutError:
            raise httpx.WriteTimeout("timed out sending the request", request=request) from None

    async def more(self, request: httpx.Request, timeout: float | None, started: bool) -> None:
        """Wait until more bytes arrived; raise when the connection ended first."""
        if self.eof:
            self.ended(request, started)
        if self._reading_paused and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from None
        finally:
            self._waiter = None
        if not self.buffer and self.eof:
            self.ended(request, started)

    def take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def ended(self, request: httpx.Request, started: bool) -> None:
        if isinstance(self.error, OSError):
            raise httpx.ReadError(str(self.error) or type(self.error).__name__, request=request) from None
        if not started:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        raise httpx.RemoteProtocolError("the connection closed in the middle of the answer", request=request)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Head:
    __slots__ = ("chunked", "headers", "keep_alive", "length", "reason", "status", "version")

    def __init__(
        self, version: bytes, status: int, reason: bytes, headers: list[tuple[bytes, bytes]]
    ) -> None:
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.length: int | None = None
        self.chunked = False
        self.keep_alive = version == b"HTTP/1.1"


async def read_head(connection: HttpConnection, request: httpx.Request, timeout: float | None) -> Head:
    """The answer's status line and headers, interim (1xx) answers skipped; framing decided."""
    while True:
        head = await _read_block(connection, request, timeout)
        answer = _parse_head(head, request)
        if not 100 <= answer.status < 200:
            break
    connection_tokens = b""
    lengths: set[bytes] = set()
    for name, value in answer.headers:
        lower = name.lower()
        if lower == b"content-length":
            lengths.update(v.strip() for v in value.split(b","))
        elif lower == b"transfer-encoding":
            codings = [c.strip().lower() for c in value.split(b",")]
            if codings[-1] != b"chunked":
                raise httpx.RemoteProtocolError(
                    "an answer with a transfer coding other than chunked", request=request
                )
            answer.chunked = True
        elif lower == b"connection":
            connection_tokens += b"," + value.lower()
    tokens = {t.strip() for t in connection_tokens.split(b",")}
    if b"close" in tokens:
        answer.keep_alive = False
    elif answer.version == b"HTTP/1.0" and b"keep-alive" in tokens:
        answer.keep_alive = True
    if request.method == "HEAD" or answer.status in _NO_BODY:
        answer.length = 0
        answer.chunked = False
    elif not answer.chunked and lengths:
        if len(lengths) != 1 or not next(iter(lengths)).isdigit():
            raise httpx.RemoteProtocolError("an answer with an unreadable Content-Length", request=request)
        answer.length = int(next(iter(lengths)))
    elif not answer.chunked:
        answer.keep_alive = False  # its body runs to the end of the connection
    return answer


async def _read_block(connection: HttpConnection, request: httpx.Request, timeout: float | None) -> bytes:
    started = False
    while True:
        end = connection.buffer.find(b"\r\n\r\n")
        if end >= 0:
            return connection.take(end + 4)[:-4]
        if len(connection.buffer) > _MAX_HEAD:
            raise httpx.RemoteProtocolError("the answer's headers are too long", request=request)
        started = started or bool(connection.buffer)
        await connection.more(request, timeout, started)


def _parse_head(head: bytes, request: httpx.Request) -> Head:
    lines = head.split(b"\r\n")
    status = _STATUS_LINE.fullmatch(lines[0])
    if status is None:
        raise httpx.RemoteProtocolError(
            "the answer does not start with an HTTP/1.1 status line", request=request
        )
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or _TOKEN.fullmatch(name) is None:
            raise httpx.RemoteProtocolError("the answer holds a malformed header line", request=request)
        headers.append((name, value.strip(b" \t")))
    version = b"HTTP/1." + status.group(1)
    return Head(version, int(status.group(2)), status.group(3) or b"", headers)


class Body(httpx.AsyncByteStream):
    """The answer's body as it arrives; closing it calls `release` with whether the connection
    can carry another request (the whole body was read, and keep-alive holds)."""

    def __init__(
        self,
        connection: HttpConnection,
        request: httpx.Request,
        head: Head,
        timeout: float | None,
        release: Callable[[bool], None],
    ) -> None:
        self._connection = connection
        self._release = release
        self._request = request
        self._head = head
        self._timeout = timeout
        self._done = head.length == 0
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._done:
            return
        if self._head.chunked:
            chunks = self._chunked()
        elif self._head.length is not None:
            chunks = self._sized(self._head.length)
        else:
            chunks = self._to_the_end()
        async for chunk in chunks:
            yield chunk
        self._done = True

    async def aclose(self) -> None:
        if not self._released:
            self._released = True
            self._release(self._done and self._head.keep_alive)  # reusable?

    async def _sized(self, length: int) -> AsyncIterator[bytes]:
        connection, left = self._connection, length
        while left:
            if not connection.buffer:
                await connection.more(self._request, self._timeout, True)
            chunk = connection.take(left)
            left -= len(chunk)
            yield chunk

    async def _to_the_end(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while True:
            if connection.buffer:
                yield connection.take(len(connection.buffer))
            if connection.eof:  # the end of the connection is the end of this body
                if isinstance(connection.error, OSError):
                    connection.ended(self._request, True)  # unless it broke
                return
            try:
                await connection.more(self._request, self._timeout, True)
            except httpx.RemoteProtocolError:
                return  # it ended cleanly while waiting: the body is whole

    async def _chunked(self) -> AsyncIterator[bytes]:
        while True:
            line = await self._line()
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise httpx.RemoteProtocolError("a malformed chunk size", request=self._request) from None
            if size < 0:
                raise httpx.RemoteProtocolError("a malformed chunk size", request=self._request)
            if size == 0:
                while await self._line():  # trailers, up to the blank line
                    pass
                return
            async for piece in self._sized(size):
                yield piece
            if await self._line():
                raise httpx.RemoteProtocolError("a chunk longer than its size", request=self._request)

    async def _line(self) -> bytes:
        connection = self._connection
        while True:
            end = connection.buffer.find(b"\r\n")
            if end >= 0:
                return connection.take(end + 2)[:-2]
            if len(connection.buffer) > _MAX_LINE:
                raise httpx.RemoteProtocolError("a chunk line is too long", request=self._request)
            await connection.more(self._request, self._timeout, True)


def readable(sock: socket.socket) -> bool:
    """Whether data (or the end) waits on `sock`, without reading it (poll where there is one:
    select cannot watch a descriptor past 1024)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


def request_head(request: httpx.Request) -> bytes:
    """The request line and headers, checked as h11 checks them."""
    method = request.method.encode("ascii")
    target = request.url.raw_path
    if _TOKEN.fullmatch(method) is None:
        raise httpx.LocalProtocolError("the method is not a token")
    if _TARGET.fullmatch(target) is None:
        raise httpx.LocalProtocolError("the request target holds characters HTTP does not allow")
    parts: list[bytes] = [method, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if _TOKEN.fullmatch(name) is None or _FIELD_VALUE.fullmatch(value) is None:
            raise httpx.LocalProtocolError("a header holds characters HTTP does not allow")
        parts += (name, b": ", value, b"\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)
