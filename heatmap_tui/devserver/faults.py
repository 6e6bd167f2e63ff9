"""Fault knobs: latency, one-shot faults for the next N requests, a random error rate.

Every knob is safe to turn from any thread while the server runs.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

# One-shot fault kinds; also the fault names in the request log.
FAIL, DROP, MALFORMED, HTML, EMPTY, HANG = "fail", "drop", "malformed", "html", "empty", "hang"
ERROR_RATE = "error_rate"
# Hostile-server faults: one list item the client cannot parse, a body sent a byte at a time,
# a body larger than any client should hold, a body whose Content-Encoding is a lie.
BAD_ITEM, TRICKLE, OVERSIZE, MISLABEL = "bad_item", "trickle", "oversize", "mislabel"


@dataclass
class OneShot:
    kind: str
    remaining: int
    method: str | None = None
    path_prefix: str | None = None
    status: int = 200
    reset: int = 1  # X-RateLimit-Reset sent with a 429
    after_apply: bool = False  # handle the request for real first, then spoil the answer
    seconds: float = 0.0  # how long a hang lasts; for a trickle, the pause after each byte
    index: int = 0  # which item of a list answer a bad_item spoils
    size: int = 0  # bytes of an oversize body (before gzip)
    gzip: bool = False  # an oversize body sent gzip-encoded: small on the wire, huge decoded
    message: str | None = None  # a failure's error text (default: what Datadog sends with the status)

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[OneShot] = []
        self._error_rate: tuple[float, int] | None = None
        self._rng = random.Random()
        self._stopping = threading.Event()  # wakes hanging and sleeping requests on stop
        self.latency_ms: float = 0

    # --- knobs --------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        reset: int = 1,
        message: str | None = None,
    ) -> None:
        """Answer the next `count` matching requests with `status` and Datadog's error body,
        `{"errors": [message]}` (by default the message Datadog sends with that status)."""
        self._add(OneShot(FAIL, count, method, path_prefix, status=status, reset=reset, message=message))

    def drop_next(
        self,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        after_apply: bool = False,
    ) -> None:
        """Close the connection without a response; with `after_apply` the request happens first."""
        self._add(OneShot(DROP, count, method, path_prefix, after_apply=after_apply))

    def malformed_next(
        self,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int = 200,
        after_apply: bool = False,
    ) -> None:
        """Answer with truncated JSON (`status`, or the real status when `after_apply`)."""
        self._add(OneShot(MALFORMED, count, method, path_prefix, status=status, after_apply=after_apply))

    def html_next(
        self,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int = 502,
    ) -> None:
        """Answer with a proxy's HTML error page, as a load balancer in front of the API would."""
        self._add(OneShot(HTML, count, method, path_prefix, status=status))

    def empty_next(
        self,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int = 200,
        after_apply: bool = False,
    ) -> None:
        """Answer with an empty body (`status`, or the real status when `after_apply`)."""
        self._add(OneShot(EMPTY, count, method, path_prefix, status=status, after_apply=after_apply))

    def hang_next(
        self,
        seconds: float,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> None:
        """Wait `seconds` before handling the request (pick more than the client's read timeout)."""
        self._add(OneShot(HANG, count, method, path_prefix, seconds=seconds, after_apply=True))

    def bad_item_next(
        self,
        count: int = 1,
        method: str | None = "GET",
        path_prefix: str | None = None,
        index: int = 0,
    ) -> None:
        """Handle for real, then give item `index` of the answer's `data` list a `start` that is
        not a number: one snapshot a client cannot parse among good ones."""
        self._add(OneShot(BAD_ITEM, count, method, path_prefix, index=index, after_apply=True))

    def trickle_next(
        self,
        seconds: float,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> None:
        """Handle for real, then send the body one byte at a time, `seconds` apart."""
        self._add(OneShot(TRICKLE, count, method, path_prefix, seconds=seconds, after_apply=True))

    def oversize_next(
        self,
        size: int,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        gzip: bool = False,
    ) -> None:
        """Answer 200 with a JSON body of `size` bytes (gzip-encoded when `gzip`)."""
        self._add(OneShot(OVERSIZE, count, method, path_prefix, size=size, gzip=gzip))

    def mislabel_next(
        self,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> None:
        """Handle for real, then label the plain JSON answer `Content-Encoding: gzip`."""
        self._add(OneShot(MISLABEL, count, method, path_prefix, after_apply=True))

    def set_error_rate(self, p: float, status: int = 503, seed: int | None = None) -> None:
        """Answer each request with `status` with probability `p` (0 turns it off)."""
        if not 0 <= p <= 1:
            raise ValueError(f"error rate must be between 0 and 1, got {p}")
        with self._lock:
            self._error_rate = (p, status) if p > 0 else None
            self._rng = random.Random(seed)

    def clear(self) -> None:
        """Turn every knob off."""
        with self._lock:
            self._rules.clear()
            self._error_rate = None
            self.latency_ms = 0

    # --- used by the request pipeline --------------------------------------

    def take(self, method: str, path: str) -> OneShot | None:
        """The first armed one-shot fault matching this request, used up by one."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                    return rule
        return None

    def roll_error(self) -> int | None:
        """The status to fail with by the error rate, or None."""
        with self._lock:
            if self._error_rate is None:
                return None
            p, status = self._error_rate
            return status if self._rng.random() < p else None

    def sleep(self, seconds: float) -> None:
        """Wait, but wake at once when the server stops."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def delay(self) -> None:
        self.sleep(self.latency_ms / 1000)

    def set_stopping(self, stopping: bool) -> None:
        """While stopping, every wait ends at once."""
        if stopping:
            self._stopping.set()
        else:
            self._stopping.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "error_rate": (
                    {"p": self._error_rate[0], "status": self._error_rate[1]} if self._error_rate else None
                ),
                "pending": [asdict(rule) for rule in self._rules],
            }

    def _add(self, rule: OneShot) -> None:
        if rule.remaining < 1:
            raise ValueError(f"count must be at least 1, got {rule.remaining}")
        if rule.method is not None:
            rule.method = rule.method.upper()
        with self._lock:
            self._rules.append(rule)
