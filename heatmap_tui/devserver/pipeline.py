"""What happens to one request: faults, routing, auth, rate limit, handler, request log."""

from __future__ import annotations

import copy
import gzip
import sys
import traceback
from collections.abc import Callable

from heatmap_tui.core.clock import Clock
from heatmap_tui.devserver import admin
from heatmap_tui.devserver.auth import KeyRing
from heatmap_tui.devserver.errors import ApiError, plain_error, status_message
from heatmap_tui.devserver.faults import (
    BAD_ITEM,
    DROP,
    EMPTY,
    ERROR_RATE,
    FAIL,
    HANG,
    HTML,
    MALFORMED,
    MISLABEL,
    OVERSIZE,
    TRICKLE,
    Faults,
    OneShot,
)
from heatmap_tui.devserver.messages import Request, Response
from heatmap_tui.devserver.ratelimit import RateLimits
from heatmap_tui.devserver.requestlog import RequestLog
from heatmap_tui.devserver.routes import Match, resolve
from heatmap_tui.devserver.store import Store

MALFORMED_BODY = b'{"data": [{"id": "3f1c0a1e-8d2b-4c1e-9a55-0f'
HTML_BODY = (
    b"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
    b"<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class DevApp:
    """The server minus the sockets: a request in, a response (or None: drop it) out."""

    def __init__(
        self,
        store: Store,
        keys: KeyRing,
        clock: Clock,
        rate_limit: tuple[int, float] | None = None,
    ) -> None:
        self.store = store
        self.keys = keys
        self.clock = clock
        self.faults = Faults()
        self.limits = RateLimits(rate_limit)
        self.log = RequestLog()

    def handle(self, req: Request) -> Response | None:
        if req.path.startswith(admin.PREFIX):
            return _answer(lambda: admin.handle(self, req))
        match = resolve(req.method, req.path)
        self.faults.delay()
        rule = self.faults.take(req.method, req.path)
        if rule is not None and rule.kind == HANG:
            self.faults.sleep(rule.seconds)
        if rule is not None and not rule.after_apply:
            response = self._fault_response(rule, match)
            self.log.record(
                req.method, req.path, response.status if response else None, rule.kind, req.target
            )
            return response
        fault = rule.kind if rule is not None else None
        status = None if rule is not None else self.faults.roll_error()
        if status is not None:
            response = self._error(plain_error(status), match)
            fault = ERROR_RATE
        else:
            response = self._serve(req, match)
        self.log.record(req.method, req.path, response.status, fault, req.target)
        return _spoil(rule, response) if rule is not None else response

    def _serve(self, req: Request, match: Match) -> Response:
        route = match.route
        if route is None:
            if match.allowed:
                error = plain_error(405)
                error.headers["Allow"] = ", ".join(match.allowed)
                return self._error(error, match)
            return self._error(plain_error(404), match)
        req.path_params = match.params
        req.user = self.keys.authenticate(req.headers)
        if route.needs_auth and req.user is None:
            return self._error(plain_error(403), match)
        if not self.limits.take(route.limit_name):
            return self._error(plain_error(429), match)
        response = _answer(lambda: route.handler(self, req))
        response.headers.update(self.limits.headers(route.limit_name))
        return response

    def _error(self, error: ApiError, match: Match) -> Response:
        headers = {**error.headers, **self.limits.headers(match.limit_name)}
        return Response(error.status, error.payload, headers)

    def _fault_response(self, rule: OneShot, match: Match) -> Response | None:
        headers = self.limits.headers(match.limit_name)
        if rule.kind == DROP:
            return None
        if rule.kind == FAIL:
            response = self._error(plain_error(rule.status, rule.message), match)
            if rule.status == 429:
                response.headers["X-RateLimit-Remaining"] = "0"
                response.headers["X-RateLimit-Reset"] = str(rule.reset)
            return response
        if rule.kind == HTML:
            title = f"{rule.status} {status_message(rule.status)}"
            page = HTML_BODY.replace(b"{status}", title.encode())
            return Response(rule.status, headers=headers, raw=page, content_type="text/html")
        if rule.kind == MALFORMED:
            return Response(rule.status, headers=headers, raw=MALFORMED_BODY)
        if rule.kind == EMPTY:
            return Response(rule.status, headers=headers, raw=b"")
        if rule.kind == OVERSIZE:
            return _oversize(rule, headers)
        raise AssertionError(f"unknown fault {rule.kind}")


def _spoil(rule: OneShot, response: Response) -> Response | None:
    """The real answer of a request handled before its fault: dropped, garbled or emptied."""
    if rule.kind == DROP:
        return None
    if rule.kind == MALFORMED:
        return Response(response.status, headers=response.headers, raw=MALFORMED_BODY)
    if rule.kind == EMPTY:
        return Response(response.status, headers=response.headers, raw=b"")
    if rule.kind == TRICKLE:
        response.trickle = rule.seconds
    if rule.kind == BAD_ITEM:
        return _spoil_item(response, rule.index)
    if rule.kind == MISLABEL:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _spoil_item(response: Response, index: int) -> Response:
    """Item `index` of the `data` list with a `start` no client can read as a number."""
    payload = copy.deepcopy(response.payload)
    items = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(items, list) and -len(items) <= index < len(items) and isinstance(items[index], dict):
        attributes = items[index].setdefault("attributes", {})
        if isinstance(attributes, dict):
            attributes["start"] = "soon"
    return Response(response.status, payload, response.headers)


def _oversize(rule: OneShot, headers: dict[str, str]) -> Response:
    """A valid JSON body of `rule.size` bytes: an empty list padded with a long string."""
    head, tail = b'{"data":[],"pad":"', b'"}'
    body = head + b"x" * max(0, rule.size - len(head) - len(tail)) + tail
    if not rule.gzip:
        return Response(200, headers=headers, raw=body)
    return Response(200, headers={**headers, "Content-Encoding": "gzip"}, raw=gzip.compress(body, 1))


def _answer(produce: Callable[[], Response]) -> Response:
    """Run a handler; its ApiError becomes the answer, a bug becomes a logged 500."""
    try:
        return produce()
    except ApiError as error:
        return Response(error.status, error.payload, dict(error.headers))
    except Exception:  # a bug in the server: say so, keep serving
        traceback.print_exc(file=sys.stderr)
        return Response(500, {"errors": ["Internal Server Error"]})
