"""RUM endpoints a picker needs: applications, the view-event search and the view aggregation."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from heatmap_tui.devserver.clock import epoch_ms
from heatmap_tui.devserver.errors import bad_request
from heatmap_tui.devserver.events import ViewEvent
from heatmap_tui.devserver.messages import Request, Response
from heatmap_tui.devserver.payloads import application_json
from heatmap_tui.devserver.queries import matches, parse_query, parse_time

if TYPE_CHECKING:
    from heatmap_tui.devserver.pipeline import DevApp

DEFAULT_EVENTS_LIMIT = 10
MAX_EVENTS_LIMIT = 1000
DEFAULT_GROUP_LIMIT = 10
# Datadog's defaults when a search names no time range.
DEFAULT_FROM, DEFAULT_TO = "now-15m", "now"


def list_applications(app: DevApp, req: Request) -> Response:
    with app.store.lock:
        apps = list(app.store.applications.values())
    return Response(200, {"data": [application_json(a) for a in apps]})


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"{field}: expected object, got {type(value).__name__}")
    return value


def _int(value: Any, field: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{field}: expected integer, got {value!r}")
    if not 1 <= value <= maximum:
        raise bad_request(f"{field}: must be between 1 and {maximum}, got {value}")
    return value


def _matching_events(app: DevApp, filter_: dict[str, Any]) -> list[ViewEvent]:
    query = filter_.get("query", "*")
    if not isinstance(query, str):
        raise bad_request(f"filter.query: expected string, got {query!r}")
    now = app.clock()
    start = parse_time(filter_.get("from", DEFAULT_FROM), now, "filter.from")
    end = parse_time(filter_.get("to", DEFAULT_TO), now, "filter.to")
    terms = parse_query(query)
    with app.store.lock:
        events = list(app.store.events)
        event_days, replay_days = app.store.event_retention_days, app.store.replay_retention_days
    # As Datadog does: a `from` older than the retention is read as the retention's start.
    start = max(start, epoch_ms(now - timedelta(days=event_days)))
    replays_from = epoch_ms(now - timedelta(days=replay_days))
    kept = (_as_of(e, replays_from) for e in events if start <= e.date <= end)
    return [e for e in kept if matches(e, terms)]


def _as_of(event: ViewEvent, replays_from: int) -> ViewEvent:
    """`event` as a search sees it now: its replay gone once past the replay retention."""
    if event.has_replay and event.date < replays_from:
        return dataclasses.replace(event, has_replay=False)
    return event


def _meta(started: float, **extra: Any) -> dict[str, Any]:
    return {
        "elapsed": int((time.perf_counter() - started) * 1000),
        "request_id": uuid.uuid4().hex,
        "status": "done",
        **extra,
    }


def _encode_cursor(event: ViewEvent) -> str:
    raw = json.dumps([event.date, event.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: Any) -> tuple[int, str]:
    try:
        if not isinstance(cursor, str):
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        date, event_id = json.loads(raw)
        return int(date), str(event_id)
    except (ValueError, TypeError, binascii.Error):
        raise bad_request(f"page.cursor: not a cursor this server handed out: {cursor!r}") from None


def search_events(app: DevApp, req: Request) -> Response:
    started = time.perf_counter()
    body = req.json_object()
    page = _object(body.get("page"), "page")
    limit = _int(page.get("limit"), "page.limit", DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT)
    sort = body.get("sort", "-timestamp")
    if sort not in ("timestamp", "-timestamp"):
        raise bad_request(f'sort: expected "timestamp" or "-timestamp", got {sort!r}')
    events = _matching_events(app, _object(body.get("filter"), "filter"))
    newest_first = sort == "-timestamp"
    events.sort(key=lambda e: (e.date, e.id), reverse=newest_first)
    if page.get("cursor") is not None:
        # The cursor is the last event handed out: continue strictly after it, so pages stay
        # consistent even while a relative time range slides.
        mark = _decode_cursor(page["cursor"])
        if newest_first:
            events = [e for e in events if (e.date, e.id) < mark]
        else:
            events = [e for e in events if (e.date, e.id) > mark]
    chunk = events[:limit]
    page_meta = {"after": _encode_cursor(chunk[-1])} if len(events) > limit else {}
    meta = _meta(started, **({"page": page_meta} if page_meta else {}))
    return Response(200, {"data": [e.to_json() for e in chunk], "meta": meta})


def aggregate(app: DevApp, req: Request) -> Response:
    started = time.perf_counter()
    body = req.json_object()
    computes = body.get("compute") or [{"aggregation": "count"}]
    if not isinstance(computes, list):
        raise bad_request("compute: expected array")
    for i, compute in enumerate(computes):
        if _object(compute, f"compute[{i}]").get("aggregation", "count") != "count":
            raise bad_request(f'compute[{i}].aggregation: only "count" is supported here')
    groups = body.get("group_by") or []
    if not isinstance(groups, list):
        raise bad_request("group_by: expected array")
    facets, limit = [], 1
    for i, group in enumerate(groups):
        group = _object(group, f"group_by[{i}]")
        facet = group.get("facet")
        if not isinstance(facet, str) or not facet:
            raise bad_request(f'group_by[{i}].facet: missing required attribute "facet"')
        facets.append(facet)
        limit *= _int(group.get("limit"), f"group_by[{i}].limit", DEFAULT_GROUP_LIMIT, 10_000)
    events = _matching_events(app, _object(body.get("filter"), "filter"))
    counts: Counter[tuple[str, ...]] = Counter()
    for event in events:
        key = tuple(event.facet(f) for f in facets)
        if None not in key:
            counts[key] += 1  # type: ignore[index]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    page = _object(body.get("page"), "page")
    if page.get("cursor") is not None:
        # As Datadog does: the buckets past `limit` come in later pages, each asked for with the
        # cursor of the one before. The cursor is the last bucket handed out; go on after it.
        mark = _decode_bucket_cursor(page["cursor"], len(facets))
        ranked = [kv for kv in ranked if (-kv[1], kv[0]) > mark]
    more = len(ranked) > limit
    ranked = ranked[:limit]
    buckets = [
        {
            "by": dict(zip(facets, key, strict=True)),
            "computes": {f"c{i}": n for i in range(len(computes))},
        }
        for key, n in ranked
    ]
    page_meta = {"page": {"after": _encode_bucket_cursor(*ranked[-1])}} if more else {}
    return Response(200, {"data": {"buckets": buckets}, "meta": _meta(started, **page_meta)})


def _encode_bucket_cursor(key: tuple[str, ...], count: int) -> str:
    raw = json.dumps([-count, list(key)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_bucket_cursor(cursor: Any, width: int) -> tuple[int, tuple[str, ...]]:
    try:
        if not isinstance(cursor, str):
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, key = json.loads(raw)
        if not isinstance(key, list) or len(key) != width or not all(isinstance(k, str) for k in key):
            raise ValueError
        return int(rank), tuple(key)
    except (ValueError, TypeError, binascii.Error):
        raise bad_request(f"page.cursor: not a cursor this server handed out: {cursor!r}") from None
