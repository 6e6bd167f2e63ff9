"""RUM view events of sessions: what the event search and the view aggregation read."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from heatmap_tui.devserver.clock import from_epoch_ms, rfc3339


@dataclass(frozen=True, slots=True)
class ViewEvent:
    id: str
    date: int  # epoch ms when the view started
    application_id: str
    session_id: str
    has_replay: bool
    view_id: str
    view_name: str
    url: str
    time_spent_ms: int
    device_type: str
    session_start: int  # epoch ms; `date - session_start` is a snapshot's `start`
    version: str | None = None  # the application's version when the view happened

    def facet(self, name: str) -> str | None:
        """The value of a search facet (`@view.name`...) as text, None for an unknown facet."""
        if name == "@type":
            return "view"
        value = _FACETS.get(name)
        if value is None:
            return None
        result = getattr(self, value)
        if result is None:
            return None
        return ("true" if result else "false") if isinstance(result, bool) else str(result)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "rum",
            "attributes": {
                "timestamp": rfc3339(from_epoch_ms(self.date)),
                "service": "shop",
                "tags": [],
                "attributes": {
                    "type": "view",
                    "date": self.date,
                    "application": {"id": self.application_id},
                    "session": {"id": self.session_id, "has_replay": self.has_replay},
                    "view": {
                        "id": self.view_id,
                        "name": self.view_name,
                        "url": self.url,
                        "time_spent": self.time_spent_ms * 1_000_000,  # RUM counts in ns
                    },
                    "device": {"type": self.device_type},
                    **({"version": self.version} if self.version is not None else {}),
                },
            },
        }

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


_FACETS = {
    "@application.id": "application_id",
    "@session.id": "session_id",
    "@session.has_replay": "has_replay",
    "@view.id": "view_id",
    "@view.name": "view_name",
    "@view.url": "url",
    "@device.type": "device_type",
    "version": "version",  # a reserved attribute: no `@` in a query or a group_by
}
FACETS = frozenset(_FACETS) | {"@type"}
