"""Datadog-style fixed-window rate limits, one window per limit name (endpoint group)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# When limits are off the headers still go out, with headroom so large that Remaining never
# reaches 0: clients wait for the reset when it does.
UNLIMITED = 1_000_000
UNLIMITED_PERIOD = 60.0


class RateLimits:
    def __init__(
        self,
        limit: tuple[int, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # name -> (window start, used)
        self.limit: int | None = None
        self.period: float = UNLIMITED_PERIOD
        self.configure(limit)

    def configure(self, limit: tuple[int, float] | None) -> None:
        """Enforce `limit` requests per `period` seconds, or turn limits off with None."""
        if limit is not None:
            count, period = limit
            if int(count) < 1 or float(period) <= 0:
                raise ValueError(f"rate limit must be at least 1 request per >0 s, got {limit}")
        with self._lock:
            self.limit, self.period = (int(limit[0]), float(limit[1])) if limit else (None, UNLIMITED_PERIOD)
            self._windows.clear()

    @property
    def enabled(self) -> bool:
        return self.limit is not None

    def take(self, name: str) -> bool:
        """Count one request against `name`'s window; False when the window is used up."""
        with self._lock:
            start, used = self._window(name)
            if self.limit is not None and used >= self.limit:
                return False
            self._windows[name] = (start, used + 1)
            return True

    def headers(self, name: str) -> dict[str, str]:
        with self._lock:
            start, used = self._window(name)
            reset = max(1, math.ceil(start + self.period - self._clock()))
            if self.limit is None:
                limit, remaining = UNLIMITED, max(1, UNLIMITED - used)
            else:
                limit, remaining = self.limit, max(0, self.limit - used)
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Period": str(_seconds(self.period)),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Name": name,
        }

    def _window(self, name: str) -> tuple[float, int]:
        now = self._clock()
        start, used = self._windows.get(name, (now, 0))
        if now >= start + self.period:
            start, used = now, 0
        self._windows[name] = (start, used)
        return start, used


def _seconds(period: float) -> int | float:
    return int(period) if float(period).is_integer() else period
