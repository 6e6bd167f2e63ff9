"""The app's HTTP transport (core/transport.py) against a loopback server that answers byte for byte.

The dev server speaks one well-behaved HTTP/1.1; these answers are the other shapes a server or
a proxy may give: chunks with extensions and trailers, a body that runs to the end of the
connection, an interim 100, a keep-alive connection closed while idle, a cut or a malformed
answer. Each goes through DatadogClient, as every request of the app does, or through an
httpx.AsyncClient on the transport where only the transport is in question.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from faults import DEMO_AUTH, RecordingSleep

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import NetworkError
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.transport import StreamTransport
from heatmap_tui.devserver import DEMO_API_KEY

# (the request's head and body, its number on its connection) -> bytes to send back, and
# whether to close the connection after them.
Script = Callable[[bytes, int], tuple[bytes, bool]]


@dataclass
class RawServer:
    url: str
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[Callable[[Script], RawServer]]:
    """Start a loopback server that answers each request with what a Script says."""
    listeners: list[socket.socket] = []

    def start(script: Script) -> RawServer:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        server = RawServer(f"http://127.0.0.1:{listener.getsockname()[1]}")

        def serve_one(conn: socket.socket) -> None:
            with conn:
                pending = b""
                for number in range(1_000):
                    while b"\r\n\r\n" not in pending:
                        data = conn.recv(65536)
                        if not data:
                            return
                        pending += data
                    head, _, pending = pending.partition(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":")[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(pending) < length:
                        pending += conn.recv(65536)
                    body, pending = pending[:length], pending[length:]
                    server.requests.append(head + b"\r\n\r\n" + body)
                    answer, close = script(head, number)
                    conn.sendall(answer)
                    if close:
                        return

        def accept() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                server.connections += 1
                threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return server

    yield start
    for listener in listeners:
        listener.close()


def ok(body: bytes = b'{"data": []}', *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode()
        + body
    )


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """The server's threads count what they saw a moment after the client is done: wait for it."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server never got there")


def client_for(server: RawServer, **kw: object) -> DatadogClient:
    return DatadogClient(custom_site(server.url), DEMO_AUTH, sleep=RecordingSleep(), **kw)


async def test_the_client_uses_this_transport_by_default_and_keeps_one_connection_alive(raw_server) -> None:
    server = raw_server(lambda head, n: (ok(), False))
    async with client_for(server) as client:
        assert isinstance(client._transport, StreamTransport)
        for _ in range(3):
            answer = await client.request("list", "GET", "/api/v2/x")
            assert answer.content == b'{"data": []}'
    assert server.connections == 1 and len(server.requests) == 3
    head = server.requests[0].split(b"\r\n")
    assert head[0] == b"GET /api/v2/x HTTP/1.1"
    assert b"DD-API-KEY: " + DEMO_API_KEY.encode() in head  # put on by the auth hook


@pytest.mark.parametrize(
    "env", [{"HEATMAP_TUI_HTTP": "httpx"}, {"HTTPS_PROXY": "http://127.0.0.1:9"}], ids=["asked", "proxy"]
)
async def test_httpx_transport_when_asked_or_with_a_proxy(raw_server, monkeypatch, env) -> None:
    """HEATMAP_TUI_HTTP=httpx (a way out, should ours misbehave) and a proxy in the environment
    (which only httpx's transport honours) both leave the requests to httpx."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    server = raw_server(lambda head, n: (ok(), False))
    async with client_for(server) as client:
        assert client._transport is None  # httpx.AsyncClient's own
        if "HEATMAP_TUI_HTTP" in env:  # with no proxy in the way, it still talks to the server
            answer = await client.request("list", "GET", "/api/v2/x")
            assert answer.content == b'{"data": []}' and len(server.requests) == 1


async def test_a_chunked_answer_with_extensions_and_trailers_is_read_whole(raw_server) -> None:
    chunks = b'4;name=x\r\n{"da\r\n8\r\nta": []}\r\n0\r\nX-Trailer: 1\r\n\r\n'
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    server = raw_server(lambda head, n: (answer, False))
    async with client_for(server) as client:
        for _ in range(2):
            assert (await client.request("list", "GET", "/api/v2/x")).content == b'{"data": []}'
    assert server.connections == 1  # the trailers were read: the connection was clean for reuse


async def test_a_gzip_body_is_decoded_and_an_interim_100_is_skipped(raw_server) -> None:
    body = gzip.compress(b'{"data": [1, 2, 3]}')
    answer = b"HTTP/1.1 100 Continue\r\n\r\n" + ok(body, "Content-Encoding: gzip")
    server = raw_server(lambda head, n: (answer, False))
    async with client_for(server) as client:
        assert (await client.request("list", "GET", "/api/v2/x")).content == b'{"data": [1, 2, 3]}'


async def test_a_body_to_the_end_of_the_connection_and_connection_close(raw_server) -> None:
    def script(head: bytes, n: int) -> tuple[bytes, bool]:
        if b"/old" in head:  # HTTP/1.0 style: no length, the body ends with the connection
            return b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"data": []}', True
        return ok(b"{}", "Connection: close"), True

    server = raw_server(script)
    async with client_for(server) as client:
        assert (await client.request("list", "GET", "/api/v2/old")).content == b'{"data": []}'
        assert (await client.request("list", "GET", "/api/v2/new")).content == b"{}"
        assert (await client.request("list", "GET", "/api/v2/new")).content == b"{}"
    assert server.connections == 3  # none of those connections could be used again


async def test_a_connection_the_server_closed_while_idle_is_not_used_again(raw_server) -> None:
    server = raw_server(lambda head, n: (ok(), True))  # answers, then closes (no Connection header)
    async with client_for(server) as client:
        for _ in range(3):
            await client.request("list", "GET", "/api/v2/x")
            await asyncio.sleep(0.05)  # the server's FIN arrives while the connection is idle
        assert client.requests_sent == 3  # no try failed on a dead connection: no retry
    assert server.connections == 3


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}",
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"da',
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n{}",
    ],
    ids=["nothing", "cut", "cut chunks", "not http", "bad header", "two lengths"],
)
async def test_an_answer_cut_or_malformed_is_a_network_error_and_a_get_is_tried_again(
    raw_server, answer: bytes
) -> None:
    server = raw_server(lambda head, n: (answer, True))
    async with client_for(server, retry=RetryPolicy(max_tries=2)) as client:
        with pytest.raises(NetworkError) as info:
            await client.request("list the snapshots of /x", "GET", "/api/v2/x")
    assert "the connection was closed before the answer arrived" in str(info.value)
    assert len(server.requests) == 2


async def test_a_header_http_cannot_carry_is_refused_before_anything_is_sent(raw_server) -> None:
    server = raw_server(lambda head, n: (ok(), False))
    async with httpx.AsyncClient(transport=StreamTransport()) as http:
        with pytest.raises(httpx.LocalProtocolError):
            await http.get(server.url + "/x", headers={"X-Thing": "a\r\nX-Evil: 1"})
    await asyncio.sleep(0.05)
    assert server.requests == [] and server.connections == 0


async def test_no_more_requests_in_flight_than_the_pool_allows(raw_server) -> None:
    release = threading.Event()
    in_flight = {"now": 0, "most": 0}
    lock = threading.Lock()

    def script(head: bytes, n: int) -> tuple[bytes, bool]:
        with lock:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
        release.wait(5)
        with lock:
            in_flight["now"] -= 1
        return ok(), False

    server = raw_server(script)
    timeout = httpx.Timeout(5.0, pool=0.2)
    async with httpx.AsyncClient(transport=StreamTransport(max_connections=2), timeout=timeout) as http:
        first = [asyncio.create_task(http.get(server.url + "/x")) for _ in range(2)]
        await asyncio.sleep(0.1)
        with pytest.raises(httpx.PoolTimeout):  # a third waits for a free connection, in vain
            await http.get(server.url + "/x")
        release.set()
        assert all(r.status_code == 200 for r in await asyncio.gather(*first))
    assert in_flight["most"] == 2 and server.connections == 2


async def test_connections_opened_ahead_serve_a_burst_without_new_ones(raw_server) -> None:
    server = raw_server(lambda head, n: (ok(), False))
    async with client_for(server) as client:
        await client.open_connections(8)
        await until(lambda: server.connections == 8)
        await asyncio.gather(*(client.request("list", "GET", f"/api/v2/{i}") for i in range(8)))
    assert server.connections == 8 and len(server.requests) == 8
