"""RUM search queries and time bounds, as far as the picker's searches need them.

A query is a list of `@facet:value` terms (value quoted or bare, a leading `-` negates),
all of which must hold. Terms on facets the server does not know are ignored, as is free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from heatmap_tui.devserver.clock import epoch_ms, to_ms
from heatmap_tui.devserver.errors import bad_request
from heatmap_tui.devserver.events import FACETS, ViewEvent

_TERM = re.compile(r'(?P<neg>-?)(?P<facet>@[\w.]+):(?P<value>"(?:[^"\\]|\\.)*"|[^\s()]+)')
_RELATIVE = re.compile(r"^now(?:\s*-\s*(\d+)\s*([smhdw]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Term:
    facet: str
    value: str
    negated: bool = False

    def holds(self, event: ViewEvent) -> bool:
        actual = event.facet(self.facet)
        if self.value.endswith("*") and actual is not None:
            hit = actual.startswith(self.value[:-1])
        else:
            hit = actual == self.value
        return hit != self.negated


def parse_query(query: str | None) -> list[Term]:
    terms = []
    for m in _TERM.finditer(query or ""):
        if m["facet"] not in FACETS:
            continue
        value = m["value"]
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        terms.append(Term(m["facet"], value, negated=bool(m["neg"])))
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
