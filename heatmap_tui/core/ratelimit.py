"""Datadog's X-RateLimit-* headers: keep the latest values and wait for the reset at zero."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

# Two windows whose ends differ by less than this are the same window (Reset is whole seconds).
_SAME_WINDOW = 1.5


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    limit: int | None
    period: int | None
    remaining: int | None
    reset: float | None  # seconds until the window resets, as of `observed_at`
    name: str | None
    observed_at: float  # time.monotonic()

    def seconds_to_reset(self, now: float | None = None) -> float | None:
        if self.reset is None:
            return None
        elapsed = (time.monotonic() if now is None else now) - self.observed_at
        return max(0.0, self.reset - elapsed)


def _int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def parse_headers(headers: Mapping[str, str], now: float | None = None) -> RateLimitInfo | None:
    limit = _int(headers, "x-ratelimit-limit")
    remaining = _int(headers, "x-ratelimit-remaining")
    if limit is None and remaining is None:
        return None
    reset = _int(headers, "x-ratelimit-reset")
    return RateLimitInfo(
        limit=limit,
        period=_int(headers, "x-ratelimit-period"),
        remaining=remaining,
        reset=float(reset) if reset is not None else None,
        name=headers.get("x-ratelimit-name"),
        observed_at=time.monotonic() if now is None else now,
    )


class RateLimitTracker:
    """Counts down locally between responses, so concurrent requests do not overshoot.

    An answer's Remaining is the server's count when it handled that request: the requests still
    in flight (acquired, not yet `release`d) may come after it, so they are taken off it. When a
    used-up window ends, the next is taken to hold the last known Limit and to last a Period: the
    requests that waited for it do not all go at once, and those past the Limit wait again.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._remaining: int | None = None
        self._window_end: float | None = None
        self._in_flight = 0
        self.latest: RateLimitInfo | None = None
        self.waits = 0  # how many times a request waited for a reset (for tests and status)

    async def acquire(self, max_wait: float | None = None) -> None:
        """Wait, if the window is used up, until it resets (at most `max_wait` seconds: a server
        may announce a reset hours ahead); then count this request."""
        while self._remaining is not None and self._remaining <= 0:
            end = self._window_end
            now = self._clock()
            if end is not None and now < end:
                wait = end - now
                waited = wait if max_wait is None else min(wait, max_wait)
                self.waits += 1
                await self._sleep(waited)
                if waited < wait:  # capped: the window may not be over, the next answer says
                    self._remaining = None
                    break
                if self._window_end != end:  # an answer, or another request, moved on meanwhile
                    continue
                now = end
            self._next_window(now)
        if self._remaining is not None:
            self._remaining -= 1
        self._in_flight += 1

    def _next_window(self, now: float) -> None:
        """The window ended: the next holds the last known Limit and lasts a Period (the next
        answer says better); without them it is unknown until then."""
        info = self.latest
        if info is None or not info.limit or not info.period:
            self._remaining = None
            return
        ended = self._window_end
        start = ended if ended is not None and now - ended < info.period else now  # else: idle since
        self._remaining = info.limit
        self._window_end = start + info.period

    def release(self) -> None:
        """A request `acquire` let go got its answer, or failed: it is no longer in flight."""
        self._in_flight = max(0, self._in_flight - 1)

    def window_waited(self) -> None:
        """The caller already waited out the window (a 429's reset): do not wait for it again."""
        self._remaining = None

    def update(self, headers: Mapping[str, str]) -> None:
        info = parse_headers(headers, self._clock())
        if info is None:
            return
        self.latest = info
        if info.remaining is None:
            return
        window_end = info.observed_at + (info.reset or 0.0)
        same_window = self._window_end is not None and abs(window_end - self._window_end) < _SAME_WINDOW
        remaining = info.remaining - self._in_flight  # those in flight may not be counted in it yet
        if same_window and self._remaining is not None:
            self._remaining = min(self._remaining, remaining)
        else:
            self._remaining = remaining
        self._window_end = window_end
