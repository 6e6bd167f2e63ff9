"""Time for the server: an optionally frozen clock and the RFC 3339 format Datadog answers in."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


def to_ms(dt: datetime) -> datetime:
    """`dt` in UTC, cut to whole milliseconds (what the wire format can carry)."""
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


def rfc3339(dt: datetime) -> str:
    """`2024-05-01T12:00:00.123Z`: milliseconds and a Z, as Datadog writes timestamps."""
    dt = to_ms(dt)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def epoch_ms(dt: datetime) -> int:
    return int(to_ms(dt).timestamp() * 1000 + 0.5)


def from_epoch_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class Clock:
    """Wall-clock time, or, with `frozen`, time that starts at `frozen` and then runs on.

    Running on (instead of standing still) keeps "newest modified first" meaningful for what a
    test creates, while seeding, which reads `seed_now`, stays exactly reproducible.
    """

    def __init__(self, frozen: datetime | None = None) -> None:
        self._frozen = to_ms(frozen) if frozen is not None else None
        self._t0 = time.monotonic()

    @property
    def seed_now(self) -> datetime:
        return self._frozen if self._frozen is not None else to_ms(datetime.now(UTC))

    def now(self) -> datetime:
        if self._frozen is None:
            return to_ms(datetime.now(UTC))
        return to_ms(self._frozen + timedelta(seconds=time.monotonic() - self._t0))
