"""`heatmap-tui views list|add|forget` and `heatmap-tui events list`: what to make snapshots of.

`views list` shows the views RUM saw over the org's retention (busiest first) with their view counts
and how many snapshots each has; with `--all`, also the views known only from the local view
registry (core/view_registry.py), with "no traffic within the org's RUM retention". `views add` and `views forget`
edit that registry by hand. `events list` shows the replay view events of a view, whose
event id, session id, view id and time are what `snapshots create` needs.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from heatmap_tui.commands.argtypes import positive_int
from heatmap_tui.commands.common import CliError, command, print_json, say
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from heatmap_tui.commands.output import add_output_options, print_table
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY
from heatmap_tui.core.timefmt import format_absolute, format_duration
from heatmap_tui.core.trash_journal import Trash
from heatmap_tui.core.view_registry import (
    TRAFFIC_WINDOW_WORDS,
    Coverage,
    Source,
    discover,
    forget,
    known_views,
    learn_from_trash,
    record,
)

MAX_EVENTS_PAGE = 1000  # the events search's page limit


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    views = subparsers.add_parser("views", help="the views of RUM applications, with counts")
    view_actions = views.add_subparsers(dest="views_command", metavar="ACTION", required=True)
    listing = view_actions.add_parser(
        "list", help="views with RUM activity over the org's retention, busiest first"
    )
    add_target_options(listing)
    listing.add_argument(
        "--all",
        action="store_true",
        help="also the views known only from the local registry (no recent traffic)",
    )
    add_output_options(listing)
    listing.set_defaults(func=views_command)

    adding = view_actions.add_parser("add", help="keep view names in the local registry")
    add_target_options(adding)
    adding.add_argument("names", nargs="+", metavar="NAME", help="a view name, e.g. /checkout")
    adding.set_defaults(func=add_command)
    forgetting = view_actions.add_parser("forget", help="drop view names from the local registry")
    add_target_options(forgetting)
    forgetting.add_argument("names", nargs="+", metavar="NAME", help="a view name, e.g. /checkout")
    forgetting.set_defaults(func=forget_command)

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
    traffic: bool = True  # False: known only from the local registry

    @property
    def note(self) -> str | None:
        return None if self.traffic else NO_TRAFFIC


NO_TRAFFIC = "no traffic within the org's RUM retention"


@command
def views_command(ns: argparse.Namespace) -> int:
    coverage = Coverage((), ())

    async def body() -> list[ViewRow]:
        nonlocal coverage
        async with connect(ns) as conn:
            names = await conn.applications()
            app_ids = await conn.application_ids(ns.app)
            discovered = await asyncio.gather(*(discover(conn, a) for a in app_ids))
            if ns.all:
                learn_from_trash(Trash())
            gate = asyncio.Semaphore(DEFAULT_CONCURRENCY)

            async def row(app_id: str, name: str, count: int, traffic: bool) -> ViewRow:
                async with gate:
                    page = await conn.snapshots.list(name, application_id=app_id)
                application = names.get(app_id, app_id)
                return ViewRow(
                    app_id, application, name, count, len(page.items), page.may_be_truncated, traffic
                )

            jobs = []
            for app_id, views in zip(app_ids, discovered, strict=True):
                jobs += [row(app_id, v.name, v.count, True) for v in views]
                if ns.all:
                    covered = Coverage.of([v.name for v in views], known_views(conn.profile, app_id))
                    jobs += [row(app_id, name, 0, False) for name in covered.known_locally]
                    coverage += covered
            return list(await asyncio.gather(*jobs))

    rows = run(body)
    if ns.json:
        document: dict[str, object] = {"data": [_row_json(row) for row in rows]}
        if ns.all:
            document["meta"] = {"coverage": coverage.json()}
        print_json(document)
    elif rows:
        table = [
            [
                r.application,
                r.view_name,
                str(r.view_count) if r.traffic else NO_TRAFFIC,
                f"{r.snapshot_count}{'+' if r.snapshots_may_be_more else ''}",
            ]
            for r in rows
        ]
        print_table(("APPLICATION", "VIEW", "VIEWS", "SNAPSHOTS"), table)
    elif ns.all:
        say(f"No views with RUM activity {TRAFFIC_WINDOW_WORDS}, nor known locally.")
    else:
        say(f"No views with RUM activity {TRAFFIC_WINDOW_WORDS}.")
    if ns.all:
        say(f"Covered {coverage.describe()}.")
    return EXIT_OK


def _row_json(row: ViewRow) -> dict[str, object]:
    return {
        "application_id": row.application_id,
        "application": row.application,
        "view_name": row.view_name,
        "view_count": row.view_count,
        "snapshot_count": row.snapshot_count,
        "snapshot_count_may_be_more": row.snapshots_may_be_more,
        "source": "traffic" if row.traffic else "registry",
        "note": row.note,
    }


async def _one_application(conn: Connection, app: str | None) -> str:
    """The application `--app` names, or the org's only one; the registry is per application."""
    app_ids = await conn.application_ids(app)
    if len(app_ids) != 1:
        raise CliError(
            "name the application with --app: the registry keeps views per application", EXIT_USAGE
        )
    return app_ids[0]


@command
def add_command(ns: argparse.Namespace) -> int:
    async def body() -> tuple[str, str]:
        async with connect(ns) as conn:
            return conn.profile, await _one_application(conn, ns.app)

    profile, app_id = run(body)
    names = [n.strip() for n in ns.names if n.strip()]
    if not names:
        raise CliError("a view name cannot be empty", EXIT_USAGE)
    new = record(profile, app_id, names, Source.ADDED)
    if new:
        say(f"Added {len(new)} view(s) to the local registry of {app_id}: {', '.join(new)}.")
    if known := [n for n in dict.fromkeys(names) if n not in new]:
        say(f"Already known: {', '.join(known)}.")
    return EXIT_OK


@command
def forget_command(ns: argparse.Namespace) -> int:
    async def body() -> tuple[str, str]:
        async with connect(ns) as conn:
            return conn.profile, await _one_application(conn, ns.app)

    profile, app_id = run(body)
    gone = forget(profile, app_id, ns.names)
    if gone:
        say(f"Forgot {len(gone)} view(s) of {app_id}: {', '.join(gone)}.")
    if unknown := [n for n in dict.fromkeys(ns.names) if n not in gone]:
        say(f"Not in the local registry: {', '.join(unknown)}.")
    if gone:
        say("A view with RUM traffic comes back at the next discovery.")
    return EXIT_OK


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
