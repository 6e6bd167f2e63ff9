"""When to retry a request, and how long to wait first. Pure, so it is unit-tested alone."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

# GET and DELETE are idempotent (a repeated DELETE answers 404, which we take as done).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one try ended with: a status code, or a network failure."""

    status: int | None = None
    network_error: bool = False
    reset_seconds: float | None = None  # X-RateLimit-Reset on a 429


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A 429's reset can be a whole window long; wait it out, but not forever. The same cap bounds
    # the wait for a used-up window (RateLimitTracker.acquire); a longer reset is named in the
    # error should the request still be refused.
    max_rate_limit_wait: float = 65.0
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def delay_before_retry(self, method: str, tries_done: int, outcome: Outcome) -> float | None:
        """Seconds to wait before the next try, or None when the request must not be retried."""
        if tries_done >= self.max_tries:
            return None
        method = method.upper()
        if outcome.status == 429:
            # Every method may retry a 429: the server refused it before doing anything.
            if outcome.reset_seconds is not None:
                return min(max(outcome.reset_seconds, 0.0), self.max_rate_limit_wait)
            return self.backoff(tries_done)
        if method not in IDEMPOTENT:
            # A POST or PATCH that failed otherwise may have been applied: never repeat it.
            return None
        if outcome.network_error or (outcome.status is not None and outcome.status >= 500):
            return self.backoff(tries_done)
        return None

    def backoff(self, tries_done: int) -> float:
        """Exponential backoff with full jitter on the upper half: base*2^(n-1) .. capped."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (tries_done - 1))
        return float(ceiling / 2 + self.jitter() * ceiling / 2)
