"""How a time or a span of time reads, in the TUI and the CLI alike: one formatter per kind.

- an offset into a replay session (a snapshot's start): `01:23.500` (`format_start`)
- how long something lasted (a view's time spent): `850 ms`, `12.3s`, `1m 05s`, `1h 02m`
  (`format_duration`)
- how long ago something happened: `3d ago` (`format_relative`)
- a moment: `2026-11-20 10:11:12 UTC` (`format_absolute`), the same on every machine

Machine formats (`--json`, CSV, the API's own RFC 3339 and milliseconds) are not made here: they
stay exactly what the API sends. Pure functions, cheap enough to call for every table row.
"""

from __future__ import annotations

from datetime import UTC, datetime

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def _as_utc(dt: datetime) -> datetime:
    # The API sends RFC 3339 with an offset; a naive value can only be UTC.
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_start(ms: int) -> str:
    """A session offset as `mm:ss.mmm`; minutes keep counting past 59 (`125:03.004`)."""
    ms = max(0, ms)
    minutes, rest = divmod(ms, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{minutes:02d}:{seconds:02d}.{millis:03d}"


def format_duration(ms: int | None) -> str:
    """How long something lasted: `850 ms`, `12.3s`, `2m 05s`, `1h 02m`; `-` when unknown."""
    if ms is None:
        return "-"
    ms = max(0, ms)
    if ms < 1000:
        return f"{ms} ms"
    # Every unit cut, never rounded up: a duration never reads longer than it lasted, and
    # 59,990 ms reads 59.9s (rounded, it read 60.0s).
    if ms < 60_000:
        return f"{ms // 1000}.{ms % 1000 // 100}s"
    minutes, seconds = divmod(ms // 1000, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def format_relative(dt: datetime, now: datetime) -> str:
    """A short age such as `5m ago`; the future and the last minute read `just now`."""
    seconds = int((_as_utc(now) - _as_utc(dt)).total_seconds())
    if seconds < _MINUTE:
        return "just now"
    if seconds < _HOUR:
        return f"{seconds // _MINUTE}m ago"
    if seconds < _DAY:
        return f"{seconds // _HOUR}h ago"
    days = seconds // _DAY
    if days < 30:
        return f"{days}d ago"
    if days < 365:
        # 360-364 days would say 12mo; a year is the clearer word from there on.
        return f"{min(days // 30, 11)}mo ago"
    return f"{days // 365}y ago"


def format_absolute(dt: datetime) -> str:
    """`2026-11-20 10:11:12 UTC`, the same on every machine whatever its timezone."""
    # isoformat, not strftime: half the cost, and a table may format 20,000 of these.
    return _as_utc(dt).isoformat(" ", "seconds")[:19] + " UTC"
