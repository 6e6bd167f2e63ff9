"""`heatmap-tui views list` and `heatmap-tui events list`: what to make snapshots of.

`views list` shows the views RUM saw in the last 30 days (busiest first) with their view counts
and how many snapshots each has; `events list` shows the replay view events of a view, whose
event id, session id, view id and time are what `snapshots create` needs.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from heatmap_tui.commands.argtypes import positive_int
from heatmap_tui.commands.common import command, print_json, say
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_OK
from heatmap_tui.commands.output import add_output_options, print_table
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY
from heatmap_tui.core.timefmt import format_absolute, format_duration

MAX_EVENTS_PAGE = 1000  # the events search's page limit


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    views = subparsers.add_parser("views", help="the views of RUM applications, with counts")
    view_actions = views.add_subparsers(dest="views_command", metavar="ACTION", required=True)
    listing = view_actions.add_parser(
        "list", help="views with RUM activity in the last 30 days, busiest first"
    )
    add_target_options(listing)
    add_output_options(listing)
    listing.set_defaults(func=views_command)

    events = subparsers.add_parser("events", help="replay view events, to make snapshots from")
    event_actions = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    listing = event_actions.add_parser("list", help="the replay view events of a view, newest first")
    add_target_options(listing)
    listing.add_argument("--view", required=True, metavar="VIEW", help="the view name, e.g. /home")
    listing.add_argument("--device", metavar="TYPE", help="only this device type")
    listing.add_argument(
        "--limit", type=positive_int, default=50, metavar="N", help="at most N (default %(default)s)"
    )
    add_output_options(listing)
    listing.set_defaults(func=events_command)


@dataclass(frozen=True, slots=True)
class ViewRow:
    application_id: str
    application: str
    view_name: str
    view_count: int
    snapshot_count: int
    snapshots_may_be_more: bool


@command
def views_command(ns: argparse.Namespace) -> int:
    async def body() -> list[ViewRow]:
        async with connect(ns) as conn:
            names = await conn.applications()
            app_ids = await conn.application_ids(ns.app)
            discovered = await asyncio.gather(*(conn.rum.discover_views(a) for a in app_ids))
            gate = asyncio.Semaphore(DEFAULT_CONCURRENCY)

            async def row(app_id: str, name: str, count: int) -> ViewRow:
                async with gate:
                    page = await conn.snapshots.list(name, application_id=app_id)
                return ViewRow(
                    app_id, names.get(app_id, app_id), name, count, len(page.items), page.may_be_truncated
                )

            jobs = [
                row(a, v.name, v.count) for a, views in zip(app_ids, discovered, strict=True) for v in views
            ]
            return list(await asyncio.gather(*jobs))

    rows = run(body)
    if ns.json:
        print_json({"data": [_row_json(row) for row in rows]})
    elif rows:
        table = [
            [
                r.application,
                r.view_name,
                str(r.view_count),
                f"{r.snapshot_count}{'+' if r.snapshots_may_be_more else ''}",
            ]
            for r in rows
        ]
        print_table(("APPLICATION", "VIEW", "VIEWS (30D)", "SNAPSHOTS"), table)
    else:
        say("No views with RUM activity in the last 30 days.")
    return EXIT_OK


def _row_json(row: ViewRow) -> dict[str, object]:
    return {
        "application_id": row.application_id,
        "application": row.application,
        "view_name": row.view_name,
        "view_count": row.view_count,
        "snapshot_count": row.snapshot_count,
        "snapshot_count_may_be_more": row.snapshots_may_be_more,
    }


@command
def events_command(ns: argparse.Namespace) -> int:
    async def body() -> list[ViewEvent]:
        async with connect(ns) as conn:
            app_ids = await conn.application_ids(ns.app)
            found = await asyncio.gather(*(_events(conn, a, ns.view, ns.device, ns.limit) for a in app_ids))
        events = [e for events in found for e in events]
        events.sort(key=lambda e: e.date, reverse=True)
        return events[: ns.limit]

    events = run(body)
    if ns.json:
        print_json({"data": [e.model_dump(mode="json") for e in events]})
    elif events:
        rows = [
            [
                format_absolute(e.date),
                e.session_id or "-",
                e.view_id or "-",
                e.device_type or "-",
                format_duration(e.time_spent_ms),
                e.url or "-",
                e.event_id,
            ]
            for e in events
        ]
        print_table(("TIME", "SESSION ID", "VIEW ID", "DEVICE", "TIME SPENT", "URL", "EVENT ID"), rows)
    else:
        say(f"No replay view events of {ns.view} in the last 30 days.")
    return EXIT_OK


async def _events(
    conn: Connection, app_id: str, view: str, device: str | None, limit: int
) -> list[ViewEvent]:
    """Up to `limit` events, following the search's cursor past its page limit."""
    events: list[ViewEvent] = []
    cursor = None
    while len(events) < limit:
        page = await conn.rum.search_view_events(
            app_id, view, device, cursor=cursor, limit=min(MAX_EVENTS_PAGE, limit - len(events))
        )
        events += page.events
        cursor = page.cursor
        if not cursor or not page.events:
            break
    return events
