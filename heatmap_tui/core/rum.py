"""RumService: RUM applications, key validation, view discovery and replay view events."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import InvalidResponse
from heatmap_tui.core.models import (
    RumApplication,
    RumApplicationListResponse,
    ValidateKeysResponse,
    ValidateResponse,
)
from heatmap_tui.core.rum_models import AggregateResponse, EventPage, EventsResponse, ViewCount, ViewEvent
from heatmap_tui.core.versions import version_key

# A frame is looked up among the views of one session (or of one view): one page of this many
# is far more than a session holds.
FRAME_SEARCH_LIMIT = 1000
# As far back as any org keeps RUM events (15 months): the server clips it to the org's retention.
WIDEST_WINDOW = "now-455d"
# Snapshots' view ids asked for in one search: keeps a query near 4 KB.
VIEW_IDS_PER_SEARCH = 100


def _quote(value: str) -> str:
    """A search value as one quoted term: an id or name from outside can never add a term."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def view_events_query(
    app_id: str,
    view_name: str | None = None,
    device_type: str | None = None,
    session_id: str | None = None,
    *,
    view_id: str | None = None,
) -> str:
    terms = ["@type:view", f"@application.id:{_quote(app_id)}", "@session.has_replay:true"]
    if view_name:
        terms.append(f"@view.name:{_quote(view_name)}")
    if device_type:
        terms.append(f"@device.type:{_quote(device_type)}")
    if session_id:
        terms.append(f"@session.id:{_quote(session_id)}")
    if view_id:
        terms.append(f"@view.id:{_quote(view_id)}")
    return " ".join(terms)


class RumService:
    def __init__(self, client: DatadogClient) -> None:
        self.client = client

    async def list_applications(self) -> list[RumApplication]:
        body = await self.client.request_model(
            "list the RUM applications", "GET", "/api/v2/rum/applications", RumApplicationListResponse
        )
        return body.data

    async def validate_keys(self) -> None:
        """Check the API key and the application key together; raises AuthError when rejected."""
        await self.client.request_model(
            "validate the keys", "GET", "/api/v2/validate_keys", ValidateKeysResponse
        )

    async def validate_api_key(self) -> None:
        """Check the API key alone (v1); raises AuthError when rejected."""
        await self.client.request_model("validate the API key", "GET", "/api/v1/validate", ValidateResponse)

    async def discover_views(self, app_id: str, since: str = "now-30d", limit: int = 1000) -> list[ViewCount]:
        """Every view with activity since `since`, the busiest first, with their view counts.

        The aggregate answers `limit` buckets at a time; while its meta carries a cursor for
        more, the next page is asked for, so no view is left out however many there are.
        """
        op = "discover the views of the application"
        body: dict[str, object] = {
            "compute": [{"aggregation": "count"}],
            "filter": {"query": f"@type:view @application.id:{_quote(app_id)}", "from": since, "to": "now"},
            "group_by": [{"facet": "@view.name", "limit": limit}],
        }
        counts: dict[str, int] = {}
        cursors: set[str] = set()
        while True:
            answer = await self.client.request_model(
                op, "POST", "/api/v2/rum/analytics/aggregate", AggregateResponse, json_body=body
            )
            for bucket in answer.data.buckets:
                name = bucket.by.get("@view.name")
                count = bucket.computes.get("c0", 0)
                if isinstance(name, str) and name:
                    number = int(count) if isinstance(count, (int, float)) and math.isfinite(count) else 0
                    counts[name] = max(number, counts.get(name, 0))
            cursor = answer.meta.page.after
            if not cursor:
                break
            if cursor in cursors or not answer.data.buckets:
                raise InvalidResponse(
                    op,
                    self.client.site.label,
                    detail=f"the server kept handing out more pages after {len(counts)} views",
                )
            cursors.add(cursor)
            body["page"] = {"cursor": cursor}
        views = [ViewCount(name=name, count=count) for name, count in counts.items()]
        return sorted(views, key=lambda v: -v.count)

    async def search_view_events(
        self,
        app_id: str,
        view_name: str | None = None,
        device_type: str | None = None,
        since: str = "now-30d",
        cursor: str | None = None,
        *,
        limit: int = 50,
        session_id: str | None = None,
        view_id: str | None = None,
        newest_first: bool = True,
    ) -> EventPage:
        """Replay view events, newest first, one page at a time."""
        page: dict[str, object] = {"limit": limit}
        if cursor:
            page["cursor"] = cursor
        body = {
            "filter": {
                "query": view_events_query(app_id, view_name, device_type, session_id, view_id=view_id),
                "from": since,
                "to": "now",
            },
            "page": page,
            "sort": "-timestamp" if newest_first else "timestamp",
        }
        answer = await self.client.request_model(
            "search replay view events", "POST", "/api/v2/rum/events/search", EventsResponse, json_body=body
        )
        events = [ViewEvent.from_event(e) for e in answer.data]
        return EventPage(events=events, cursor=answer.meta.page.after)

    async def start_offset(self, event: ViewEvent) -> int | None:
        """`start` for a snapshot: the view's offset in ms from the start of its session.

        None when it cannot be told (no session, or the session's views are not found).
        """
        if not event.session_id or not event.application_id:
            return None
        # A RUM session lasts at most 4 hours: a day before the view surely holds its start,
        # even for a session that began just before the usual 30-day search window.
        since = (event.date - timedelta(days=1)).isoformat()
        first = await self.search_view_events(
            event.application_id, since=since, limit=1, session_id=event.session_id, newest_first=False
        )
        if not first.events:
            return None
        return max(0, int((event.date - first.events[0].date).total_seconds() * 1000))

    async def find_view_event(
        self,
        app_id: str,
        event_id: str,
        *,
        session_id: str | None,
        view_id: str | None,
        since: str = "now-30d",
    ) -> ViewEvent | None:
        """A saved snapshot's frame: the replay view event `event_id`, looked up by the view and
        session ids the snapshot keeps (API.md: a frame is found by `@view.id`).

        None when the snapshot keeps neither id, or the event is no longer kept.
        """
        if not view_id and not session_id:
            return None
        page = await self.search_view_events(
            app_id,
            since=since,
            limit=FRAME_SEARCH_LIMIT,
            session_id=session_id,
            view_id=view_id,
            newest_first=False,
        )
        return next((e for e in page.events if e.event_id == event_id), None)

    # --- look-ups for the stale reasons (core/stale.py) ------------------------------------

    async def _search_events(
        self,
        op: str,
        query: str,
        since: str,
        *,
        limit: int,
        newest_first: bool = True,
        cursor: str | None = None,
    ) -> EventPage:
        """One page of view events (replayed or not) matching `query`."""
        page: dict[str, object] = {"limit": limit}
        if cursor:
            page["cursor"] = cursor
        body = {
            "filter": {"query": query, "from": since, "to": "now"},
            "page": page,
            "sort": "-timestamp" if newest_first else "timestamp",
        }
        answer = await self.client.request_model(
            op, "POST", "/api/v2/rum/events/search", EventsResponse, json_body=body
        )
        return EventPage(events=[ViewEvent.from_event(e) for e in answer.data], cursor=answer.meta.page.after)

    async def last_traffic(self, app_id: str, view_name: str, since: str = WIDEST_WINDOW) -> datetime | None:
        """When the view last had a view event (replayed or not); None when none is kept."""
        query = f"@type:view @application.id:{_quote(app_id)} @view.name:{_quote(view_name)}"
        page = await self._search_events("find the last traffic of a view", query, since, limit=1)
        return page.events[0].date if page.events else None

    async def newest_versions(self, app_id: str, since: str = WIDEST_WINDOW) -> dict[str, str]:
        """Each view's newest app version among its view events since `since` (views whose
        events carry no version are left out)."""
        body: dict[str, object] = {
            "compute": [{"aggregation": "count"}],
            "filter": {"query": f"@type:view @application.id:{_quote(app_id)}", "from": since, "to": "now"},
            "group_by": [{"facet": "@view.name", "limit": 1000}, {"facet": "version", "limit": 100}],
        }
        answer = await self.client.request_model(
            "read the app versions of the views",
            "POST",
            "/api/v2/rum/analytics/aggregate",
            AggregateResponse,
            json_body=body,
        )
        newest: dict[str, str] = {}
        for bucket in answer.data.buckets:
            name, version = bucket.by.get("@view.name"), bucket.by.get("version")
            if not (isinstance(name, str) and isinstance(version, str) and version):
                continue
            if name not in newest or version_key(version) > version_key(newest[name]):
                newest[name] = version
        return newest

    async def first_seen(
        self, app_id: str, view_name: str, version: str, since: str = WIDEST_WINDOW
    ) -> datetime | None:
        """The first view event of `view_name` on `version` since `since`."""
        query = (
            f"@type:view @application.id:{_quote(app_id)} @view.name:{_quote(view_name)} "
            f"version:{_quote(version)}"
        )
        page = await self._search_events(
            "find when a version reached a view", query, since, limit=1, newest_first=False
        )
        return page.events[0].date if page.events else None

    async def events_by_view_id(
        self, app_id: str, view_ids: Iterable[str], since: str = WIDEST_WINDOW
    ) -> dict[str, ViewEvent]:
        """The view events of these view ids (a snapshot's own frame), `VIEW_IDS_PER_SEARCH` ids
        to a search as `@view.id:("a" OR "b" ...)`, following the cursor past a page."""
        wanted = list(dict.fromkeys(v for v in view_ids if v))
        found: dict[str, ViewEvent] = {}
        for i in range(0, len(wanted), VIEW_IDS_PER_SEARCH):
            chunk = wanted[i : i + VIEW_IDS_PER_SEARCH]
            ids = " OR ".join(_quote(v) for v in chunk)
            query = f"@type:view @application.id:{_quote(app_id)} @view.id:({ids})"
            cursor: str | None = None
            while True:
                page = await self._search_events(
                    "find the frames of snapshots", query, since, limit=FRAME_SEARCH_LIMIT, cursor=cursor
                )
                for event in page.events:
                    if event.view_id and event.view_id not in found:
                        found[event.view_id] = event
                cursor = page.cursor
                if not cursor or not page.events:
                    break
        return found
