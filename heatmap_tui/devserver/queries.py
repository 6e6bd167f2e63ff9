"""RUM search queries and time bounds, as far as the picker's searches need them.

A query is a list of `@facet:value` terms (value quoted or bare, a leading `-` negates),
all of which must hold; `@facet:("a" OR "b")` holds when any of its values does, and the reserved
attribute `version` is written without `@`. Terms on facets the server does not know are
ignored, as is free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from heatmap_tui.devserver.clock import epoch_ms, to_ms
from heatmap_tui.devserver.errors import bad_request
from heatmap_tui.devserver.events import FACETS, ViewEvent

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_TERM = re.compile(
    rf"(?P<neg>-?)(?P<facet>@[\w.]+|(?<![\w.@])version):"
    rf"(?P<value>{_QUOTED}|\((?:{_QUOTED}|[^()\"])*\)|[^\s()]+)"
)
_ALTERNATIVE = re.compile(rf"{_QUOTED}|[^\s()\"]+")
_RELATIVE = re.compile(r"^now(?:\s*-\s*(\d+)\s*([smhdw]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Term:
    facet: str
    value: str
    negated: bool = False
    alternatives: tuple[str, ...] = ()  # `@facet:("a" OR "b")`: any of these (then `value` is "")

    def holds(self, event: ViewEvent) -> bool:
        actual = event.facet(self.facet)
        hit = any(_hits(actual, value) for value in (self.alternatives or (self.value,)))
        return hit != self.negated


def _hits(actual: str | None, value: str) -> bool:
    if value.endswith("*") and actual is not None:
        return actual.startswith(value[:-1])
    return actual == value


def _unquote(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value[1:-1]) if value.startswith('"') else value


def parse_query(query: str | None) -> list[Term]:
    terms = []
    for m in _TERM.finditer(query or ""):
        if m["facet"] not in FACETS:
            continue
        value, negated = m["value"], bool(m["neg"])
        if value.startswith("("):
            words = [w for w in _ALTERNATIVE.findall(value[1:-1]) if w != "OR"]
            terms.append(Term(m["facet"], "", negated, tuple(_unquote(w) for w in words)))
        else:
            terms.append(Term(m["facet"], _unquote(value), negated))
    return terms


def matches(event: ViewEvent, terms: list[Term]) -> bool:
    return all(term.holds(event) for term in terms)


def parse_time(value: Any, now: datetime, field: str) -> int:
    """Epoch ms of `now`, `now-30d`, an ISO 8601 date or epoch ms; a 400 naming `field` otherwise."""
    if isinstance(value, bool):
        raise bad_request(f"{field}: expected a time, got {value!r}")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        rel = _RELATIVE.match(text)
        if rel:
            amount, unit = rel.groups()
            delta = timedelta(**{_UNITS[unit]: int(amount)}) if amount else timedelta()
            return epoch_ms(now - delta)
        try:
            return epoch_ms(to_ms(datetime.fromisoformat(text)))
        except ValueError:
            pass
    raise bad_request(f'{field}: cannot read {value!r} as a time; use "now", "now-30d", ISO 8601 or epoch ms')
