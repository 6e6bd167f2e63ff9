"""The socket side: a threading HTTP/1.1 server (keep-alive) that hands requests to a DevApp."""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import socket
import sys
import threading
import traceback
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from heatmap_tui.devserver.messages import Request, Response
from heatmap_tui.devserver.pipeline import DevApp


class DevHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: DevApp) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, RequestHandler)

    # Open connections are tracked so that stop() can end idle keep-alive ones, whose threads
    # would otherwise wait on their sockets forever.
    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs would add 40 ms
    # to every keep-alive request.
    disable_nagle_algorithm = True
    server_version = "heatmap-tui-devserver"
    sys_version = ""
    server: DevHTTPServer

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header in the server's own time, frozen or not, like `created_at`: a client
        # may compare the two, as it can with Datadog's.
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return email.utils.format_datetime(self.server.app.clock(), usegmt=True)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log on the DevApp is the record

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError, EOFError, zlib.error):
            self.close_connection = True
            self._write(Response(400, {"errors": ["Bad Request"]}))
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            target=self.path,
        )
        try:
            response = self.server.app.handle(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = Response(500, {"errors": ["Internal Server Error"]})
        if response is None:  # a dropped connection: no answer at all
            self.close_connection = True
            return
        self._write(response)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0:
                raise ValueError("negative Content-Length")
            body = self.rfile.read(length)
            if len(body) < length:
                raise EOFError("body cut short")
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: Response) -> None:
        body = response.body()
        try:
            self.send_response(response.status)
            if response.status != 204:  # a 204 carries neither a body nor its length
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD" and body:
                if response.trickle > 0:
                    self._trickle(body, response.trickle)
                else:
                    self.wfile.write(body)
        except OSError:  # the client went away (e.g. it timed out during a hang)
            self.close_connection = True

    def _trickle(self, body: bytes, pause: float) -> None:
        """One byte, then a pause (a fault): each read is quick, the whole answer is not."""
        for i in range(len(body)):
            self.wfile.write(body[i : i + 1])
            self.server.app.faults.sleep(pause)
