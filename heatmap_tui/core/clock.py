"""What time it is: injected wherever time is read, so that tests, screenshots and the demo can fix it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]
"""Now, as an aware datetime in UTC."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def running_from(start: datetime) -> Clock:
    """A clock that reads `start` now and then runs on at the wall clock's pace.

    Running on (instead of standing still) keeps "newest first" meaningful for what is made after
    the start, while the start itself stays exactly reproducible.
    """
    t0 = time.monotonic()

    def now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - t0)

    return now
