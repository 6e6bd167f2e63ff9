"""Shapes of the RUM analytics aggregate and events search answers (API.md), read tolerantly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class AggregateBucket(_Tolerant):
    by: dict[str, Any] = Field(default_factory=dict)
    computes: dict[str, Any] = Field(default_factory=dict)


class AggregateData(_Tolerant):
    buckets: list[AggregateBucket] = Field(default_factory=list)


class _PageMeta(_Tolerant):
    after: str | None = None


class EventsMeta(_Tolerant):
    page: _PageMeta = Field(default_factory=_PageMeta)
    status: str | None = None


class AggregateResponse(_Tolerant):
    data: AggregateData = Field(default_factory=AggregateData)
    meta: EventsMeta = Field(default_factory=EventsMeta)  # meta.page.after: more buckets to ask for


class _Ref(_Tolerant):
    id: str | None = None


class _Session(_Tolerant):
    id: str | None = None
    has_replay: bool | None = None


class _View(_Tolerant):
    id: str | None = None
    name: str | None = None
    url: str | None = None
    time_spent: int | None = None  # nanoseconds, as RUM reports it


class _Device(_Tolerant):
    type: str | None = None


class EventBody(_Tolerant):
    date: int | None = None  # epoch milliseconds
    application: _Ref = Field(default_factory=_Ref)
    session: _Session = Field(default_factory=_Session)
    view: _View = Field(default_factory=_View)
    device: _Device = Field(default_factory=_Device)
    version: str | None = None  # the application's version (API.md)


class EventAttributes(_Tolerant):
    timestamp: datetime | None = None
    attributes: EventBody = Field(default_factory=EventBody)


class RumEvent(_Tolerant):
    id: str
    type: str = "rum"
    attributes: EventAttributes = Field(default_factory=EventAttributes)


class EventsResponse(_Tolerant):
    data: list[RumEvent] = Field(default_factory=list)
    meta: EventsMeta = Field(default_factory=EventsMeta)


class ViewCount(_Tolerant):
    name: str
    count: int


class ViewEvent(_Tolerant):
    """One replay view event, flattened for pickers: what a snapshot's frame can come from."""

    event_id: str
    date: datetime
    application_id: str | None
    session_id: str | None
    view_id: str | None
    view_name: str | None
    url: str | None
    device_type: str | None
    time_spent_ms: int | None
    has_replay: bool
    version: str | None = None

    @classmethod
    def from_event(cls, event: RumEvent) -> ViewEvent:
        body = event.attributes.attributes
        date = event.attributes.timestamp or datetime.fromtimestamp(0, tz=UTC)
        if body.date is not None:
            try:
                date = datetime.fromtimestamp(body.date / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                pass  # a date no clock can show: keep the event's own timestamp
        spent = body.view.time_spent
        return cls(
            event_id=event.id,
            date=date,
            application_id=body.application.id,
            session_id=body.session.id,
            view_id=body.view.id,
            view_name=body.view.name,
            url=body.view.url,
            device_type=body.device.type,
            time_spent_ms=spent // 1_000_000 if spent is not None else None,
            has_replay=bool(body.session.has_replay),
            version=body.version,
        )


class EventPage(_Tolerant):
    events: list[ViewEvent]
    cursor: str | None  # pass back to get the next page; None at the end


class ViewSpan(_Tolerant):
    """Where one replay view lies in its session, in ms from the session's start (a snapshot's
    `start` is such an offset): the frames of the view `event_id` are those from `start_ms` to
    `end_ms`."""

    event_id: str
    start_ms: int
    duration_ms: int

    @classmethod
    def of(cls, event: ViewEvent, start_ms: int) -> ViewSpan | None:
        """The span of `event`'s view, which starts `start_ms` into its session; None when the
        event does not say how long the view lasted."""
        if event.time_spent_ms is None:
            return None
        return cls(event_id=event.event_id, start_ms=start_ms, duration_ms=max(0, event.time_spent_ms))

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms
