"""`heatmap-tui snapshots create|update|delete`, and the CLI's one delete path (through the trash).

Every delete (`delete`, `cleanup --apply`) goes through `delete_through_trash`: a copy goes to the
trash (core/trash.py) first, so `heatmap-tui trash restore --batch ID` undoes it.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from heatmap_tui.commands.argtypes import concurrency, milliseconds
from heatmap_tui.commands.common import (
    CliError,
    command,
    confirm,
    emit,
    error,
    print_json,
    require_tty_or_yes,
    say,
)
from heatmap_tui.commands.connect import add_target_options, connect, run
from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from heatmap_tui.commands.output import Progress, add_output_options
from heatmap_tui.commands.snapshot_lookup import Collected, locate, not_found_message
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import DELETE_CONCURRENCY, CreateState, find_identical
from heatmap_tui.core.transfer import snapshot_json
from heatmap_tui.core.trash import Trash, delete_with_trash, new_batch_id

# A re-run of `create` within this long finds the snapshot an earlier run made, instead of making
# a second (an earlier run whose answer was lost, a script retried).
RERUN_WINDOW = timedelta(hours=24)


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    create = actions.add_parser(
        "create",
        help="create a snapshot; prints its id (or --json)",
        description="An identical snapshot (name, view, device, event id, start, application) "
        "created in the last 24 hours is reported instead of made again, so a re-run never "
        "duplicates; a create whose answer is lost is looked for before anything is said.",
    )
    add_target_options(create)
    create.add_argument("--name", required=True, help="the snapshot's name")
    create.add_argument("--view", required=True, help="the view name, e.g. /home")
    create.add_argument(
        "--device", required=True, metavar="TYPE", help="device type: desktop, mobile, tablet"
    )
    create.add_argument("--event-id", required=True, help="the RUM view event whose replay frame is used")
    create.add_argument(
        "--start", required=True, type=milliseconds, metavar="MS", help="ms from the session start"
    )
    create.add_argument("--session-id", help="the replay session of the event")
    create.add_argument("--view-id", help="the RUM view id of the event")
    create.add_argument(
        "--device-selected", action="store_true", help="the device type was chosen by a person, not detected"
    )
    add_output_options(create)
    create.set_defaults(func=create_command)

    update = actions.add_parser(
        "update",
        help="change a snapshot's frame (event id, start, session id, view id, device flag)",
        description="Only --event-id, --start, --session-id, --view-id and the device flag can change "
        "(the API's rule). The current values are looked up (in --view, else in every view with "
        "recent activity) and whatever is not given is kept. Giving --event-id, --start and "
        "--device-selected or --device-detected skips the lookup; then the update replaces all "
        "the frame fields, and a session id or view id not given is cleared.",
    )
    add_target_options(update)
    update.add_argument("id", metavar="ID")
    update.add_argument("--view", action="append", metavar="VIEW", help="the snapshot's view (repeatable)")
    update.add_argument("--event-id", help="the RUM view event whose replay frame is used")
    update.add_argument("--start", type=milliseconds, metavar="MS", help="ms from the session start")
    update.add_argument("--session-id", help="the replay session of the event")
    update.add_argument("--view-id", help="the RUM view id of the event")
    flag = update.add_mutually_exclusive_group()
    flag.add_argument(
        "--device-selected",
        dest="device_selected",
        action="store_const",
        const=True,
        help="the device type was chosen by a person",
    )
    flag.add_argument(
        "--device-detected",
        dest="device_selected",
        action="store_const",
        const=False,
        help="the device type was detected",
    )
    add_output_options(update)
    update.set_defaults(func=update_command)

    delete = actions.add_parser(
        "delete",
        help="delete snapshots by id (a copy goes to the trash first)",
        description="Asks for confirmation on a terminal; elsewhere refuses unless --yes is given.",
    )
    add_target_options(delete)
    delete.add_argument("ids", nargs="+", metavar="ID")
    delete.add_argument("--view", action="append", metavar="VIEW", help="where to find them (repeatable)")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask")
    add_concurrency_option(delete)
    delete.set_defaults(func=delete_command)


def add_concurrency_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency",
        type=concurrency,
        default=DELETE_CONCURRENCY,
        metavar="N",
        help="requests at once (default %(default)s)",
    )


@command
def create_command(ns: argparse.Namespace) -> int:
    if not ns.app:
        raise CliError("--app is required to create a snapshot (the application id or name)", EXIT_USAGE)

    async def body() -> tuple[Snapshot, dict[str, object]]:
        async with connect(ns) as conn:
            try:
                attributes = SnapshotCreateAttributes(
                    application_id=await conn.application_id(ns.app),
                    device_type=ns.device,
                    event_id=ns.event_id,
                    is_device_type_selected_by_user=ns.device_selected,
                    snapshot_name=ns.name,
                    start=ns.start,
                    view_name=ns.view,
                    session_id=ns.session_id,
                    view_id=ns.view_id,
                )
            except ValidationError as exc:
                raise invalid_fields(exc) from None
            return await create_once(conn, attributes)

    snapshot, meta = run(body)
    _print_one(ns, snapshot, meta)
    return EXIT_OK


async def create_once(
    conn: Connection, attributes: SnapshotCreateAttributes
) -> tuple[Snapshot, dict[str, object]]:
    """Create, never twice: a re-run finds what an earlier run made (its answer lost, say), and
    a create whose own answer is lost is settled by looking for it, never guessed."""
    service = conn.snapshots
    a = attributes
    page = await service.list(a.view_name, a.device_type, a.application_id)
    since = (page.server_time or datetime.now(UTC)) - RERUN_WINDOW
    earlier = find_identical(attributes, page.items, since)
    if earlier is not None:
        say(
            f"An identical snapshot was already created {_when(earlier)} (id {earlier.id}): "
            "not created again."
        )
        return earlier, {"existing": True}
    if (cut := page.cut_note(a.view_name)) is not None:
        say(f"Warning: {cut} An identical snapshot made earlier may be among them.")
    outcome = await service.create_settled(attributes)
    if outcome.state is CreateState.CREATED and outcome.snapshot is not None:
        if outcome.found:
            say(outcome.message())
        return outcome.snapshot, {"existing": False, "settled": outcome.found}
    if outcome.state is CreateState.NOT_CREATED:
        raise CliError(f"{outcome.message()} Running the command again is safe.")
    raise CliError(f"{outcome.message()} Run the same command again: it looks for it first.")


def _when(snapshot: Snapshot) -> str:
    created = snapshot.attributes.created_at
    return f"at {created:%Y-%m-%d %H:%M:%S} UTC" if created is not None else "earlier"


@command
def update_command(ns: argparse.Namespace) -> int:
    complete = ns.event_id and ns.start is not None and ns.device_selected is not None and not ns.view

    async def body() -> Snapshot:
        async with connect(ns) as conn:
            if complete:
                current: dict[str, Any] = {}
            else:
                found, missing, looked = await locate(conn, [ns.id], ns)
                if missing:
                    raise CliError(not_found_message(missing, ns, looked))
                current = found[0].attributes.model_dump()
            given = {
                "event_id": ns.event_id,
                "start": ns.start,
                "session_id": ns.session_id,
                "view_id": ns.view_id,
                "is_device_type_selected_by_user": ns.device_selected,
            }
            fields = {k: v if v is not None else current.get(k) for k, v in given.items()}
            try:
                attributes = SnapshotUpdateAttributes(**fields)
            except ValidationError as exc:
                raise invalid_fields(exc) from None
            return await conn.snapshots.update(ns.id, attributes)

    _print_one(ns, run(body))
    return EXIT_OK


def invalid_fields(exc: ValidationError) -> CliError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the input"
    return CliError(f"{where.replace('_', '-')}: {first['msg']}", EXIT_USAGE)


def _print_one(ns: argparse.Namespace, snapshot: Snapshot, meta: dict[str, object] | None = None) -> None:
    if ns.json:
        print_json({"data": snapshot_json(snapshot), **({"meta": meta} if meta else {})})
    else:
        emit(f"{visible(snapshot.id)}\n")


@command
def delete_command(ns: argparse.Namespace) -> int:
    require_tty_or_yes(ns, "delete")

    async def body() -> int:
        async with connect(ns) as conn:
            # With --yes the deletes follow the look-up at once: their connections are opened
            # while it travels. The views are kept in the registry once the deletes are done.
            wanted = min(ns.concurrency, len(ns.ids)) if ns.yes else 0
            warming = asyncio.create_task(conn.client.open_connections(wanted))
            try:
                found, missing, looked = await locate(conn, ns.ids, ns, keep=False)
                try:
                    return await _delete_found(ns, conn, found, missing, looked)
                finally:
                    looked.keep_views(conn.profile)
            finally:
                warming.cancel()

    return run(body)


async def _delete_found(
    ns: argparse.Namespace, conn: Connection, found: list[Snapshot], missing: list[str], looked: Collected
) -> int:
    if missing:
        error(not_found_message(missing, ns, looked))
    if not found:
        return EXIT_ERROR
    if not ns.yes:
        say(f"About to delete {len(found)} snapshot(s) on {conn.site.label}:")
        for s in found:
            say(f"  {s.id}  {s.name}  ({s.view_name}, {s.device_type})")
        if not confirm("Delete them? A copy goes to the trash."):
            say("Nothing deleted.")
            return EXIT_OK
    code = await delete_through_trash(conn, found, ns.concurrency)
    return EXIT_ERROR if missing else code


async def delete_through_trash(conn: Connection, snapshots: Sequence[Snapshot], workers: int) -> int:
    """The one delete path of the CLI: trash copy first, progress on stderr, summary at the end."""
    batch = new_batch_id()
    progress = Progress(len(snapshots), "Deleting")
    try:
        result = await delete_with_trash(
            conn.snapshots,
            snapshots,
            Trash(),
            site=conn.site,
            profile=conn.profile,
            concurrency=workers,
            on_progress=progress,
            batch_id=batch,
        )
    finally:
        progress.close()
    say(f"{len(result.deleted)} deleted, {len(result.failed)} failed (trash batch {batch}).")
    if result.deleted:
        say(f"Undo with `heatmap-tui trash restore --batch {batch}`.")
    return EXIT_OK if not result.failed else EXIT_ERROR
