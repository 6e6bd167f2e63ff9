"""Waiting for a dev server to finish the requests a killed client left in flight."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def when_quiet(read: Callable[[], T], quiet: float = 0.3, timeout: float = 10) -> T:
    """What `read()` answers once it has not changed for `quiet` seconds (or at `timeout`)."""
    deadline = time.monotonic() + timeout
    last, since = read(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.02)
        now = read()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last
