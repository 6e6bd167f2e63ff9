"""Display formatting shared by the tables, detail panes and dialogs.

Pure functions with no Textual import (Rich only measures cells), cheap to call for every row
and trivial to test.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size

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
    return _as_utc(dt).strftime("%Y-%m-%d %H:%M:%S UTC")


def fit_cells(text: str, width: int, right: bool = False) -> str:
    """Pad or cut `text` to exactly `width` terminal cells, with an ellipsis when cut."""
    # Names and views are nearly always ASCII, where len() is the cell count and
    # far cheaper than measuring: this runs for every cell of every drawn row.
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    padding = " " * (width - length)
    return padding + text if right else text + padding
