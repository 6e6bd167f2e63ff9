"""argparse `type=` converters of the scripting subcommands: a bad value is a usage error (exit 2)."""

from __future__ import annotations

import argparse
from datetime import timedelta

from heatmap_tui.core.cleanup import CleanupError, parse_age

MAX_CONCURRENCY = 64


def _whole_number(text: str, what: str = "a whole number") -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def positive_int(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def milliseconds(text: str) -> int:
    value = _whole_number(text, "a whole number of milliseconds")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def concurrency(text: str) -> int:
    value = positive_int(text)
    if value > MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"at most {MAX_CONCURRENCY} requests at once, got {value}")
    return value


def age(text: str) -> timedelta:
    """`90d`, `12h`, `2w`: see core.cleanup.parse_age."""
    try:
        return parse_age(text)
    except CleanupError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
