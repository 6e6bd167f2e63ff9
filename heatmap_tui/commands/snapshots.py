"""`heatmap-tui snapshots list|create|update|delete|cleanup|export|import`: scripting commands.

Every delete (`delete`, `cleanup --apply`) goes through the trash (core/trash.py), so
`heatmap-tui trash restore --last` undoes it. Results go to stdout (a table, or `--json` in the
API's own shape for jq, or `--csv`); messages and progress go to stderr.

Finding a snapshot by id: the API has no GET by id and its list needs a view name, so `delete`
and `update` look the ids up in the views named with `--view` (repeatable), or else in every view
that RUM reports activity for in the last 30 days (of `--app`, or of every application). A
snapshot of a view without recent activity needs its `--view`.

This module also holds the plumbing the `trash` and `views` commands share: the target options
(`--profile`, `--site`, `--api-url`, key flags, `--app`), the connection, tables and progress.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from heatmap_tui.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from heatmap_tui.commands.common import (
    CliError,
    add_key_options,
    add_profile_option,
    add_site_options,
    command,
    read_config,
    resolve_from_args,
    say,
)
from heatmap_tui.core.cleanup import CleanupError, CleanupPlan, CleanupRules, parse_age, plan_cleanup
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.config import Config
from heatmap_tui.core.credentials import ResolvedCredentials
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.snapshots import DEFAULT_CONCURRENCY, SnapshotService
from heatmap_tui.core.transfer import (
    ImportReport,
    dumps_snapshots,
    export_snapshots,
    import_snapshots,
    parse_snapshots,
    read_snapshots,
    snapshot_json,
)
from heatmap_tui.core.trash import Trash, delete_with_trash, new_batch_id
from heatmap_tui.ui.format import format_absolute, format_start

T = TypeVar("T")

CSV_FIELDS = (
    "id",
    "snapshot_name",
    "view_name",
    "device_type",
    "application_id",
    "event_id",
    "start",
    "session_id",
    "view_id",
    "is_device_type_selected_by_user",
    "created_at",
    "modified_at",
    "created_by",
    "created_by_handle",
    "created_by_user_id",
    "org_id",
)

# --- argument types -------------------------------------------------------------


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of milliseconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def age(text: str) -> timedelta:
    try:
        return parse_age(text)
    except CleanupError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def concurrency(text: str) -> int:
    value = positive_int(text)
    if value > 64:
        raise argparse.ArgumentTypeError(f"at most 64 requests at once, got {value}")
    return value


# --- shared plumbing (also used by commands/trash.py and commands/views.py) --------


def add_target_options(parser: argparse.ArgumentParser, *, app_flags: Sequence[str] = ("--app",)) -> None:
    """--profile, --site/--api-url, the key flags, and the RUM application."""
    add_profile_option(parser)
    add_site_options(parser)
    add_key_options(parser)
    parser.add_argument(
        *app_flags,
        dest="app",
        metavar="APP",
        help="RUM application id or name (default: every application)",
    )


def add_output_options(parser: argparse.ArgumentParser, *, csv_too: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print JSON on stdout (the API's shape)")
    if csv_too:
        group.add_argument("--csv", action="store_true", help="print CSV with a header on stdout")


def add_view_options(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument(
        "--view", action="append", metavar="VIEW", help="a view name, e.g. /home (repeat for more)"
    )
    group.add_argument(
        "--all-views",
        action="store_true",
        help="every view with RUM activity in the last 30 days",
    )


@dataclass(slots=True)
class Connection:
    creds: ResolvedCredentials
    config: Config
    client: DatadogClient
    snapshots: SnapshotService
    rum: RumService
    _apps: dict[str, str] | None = None  # application id -> name

    @property
    def site_label(self) -> str:
        return self.creds.site.label

    @property
    def profile(self) -> str:
        return self.creds.profile

    async def applications(self) -> dict[str, str]:
        if self._apps is None:
            self._apps = {a.application_id: a.name for a in await self.rum.list_applications()}
        return self._apps

    async def app_ids(self, wanted: str | None) -> list[str]:
        """[the application named by --app], or every application's id."""
        if wanted is None:
            return list(await self.applications())
        return [await self.app_id(wanted)]

    async def app_id(self, wanted: str) -> str:
        """An id as given; a name (case-insensitive) looked up among the applications."""
        if _looks_like_id(wanted):
            return wanted
        matches = [i for i, name in (await self.applications()).items() if name.casefold() == wanted.casefold()]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise CliError(
                f"no RUM application is named {wanted!r} on {self.site_label}; "
                "give its id, see `heatmap-tui views list`",
                EXIT_USAGE,
            )
        raise CliError(f"several RUM applications are named {wanted!r}: give the id", EXIT_USAGE)


def _looks_like_id(text: str) -> bool:
    return len(text) >= 32 and all(c in "0123456789abcdefABCDEF-" for c in text)


def target_args(ns: argparse.Namespace, **overrides: Any) -> argparse.Namespace:
    """`ns` with some target options replaced (another profile or site for import, restore)."""
    return argparse.Namespace(**{**vars(ns), **overrides})


@contextlib.asynccontextmanager
async def connect(ns: argparse.Namespace) -> AsyncIterator[Connection]:
    config = read_config()
    # Resolving may ask the OS keyring, which can block: keep it off the event loop.
    creds = await asyncio.to_thread(resolve_from_args, ns, config)
    async with DatadogClient(creds.site, creds.auth) as client:
        yield Connection(
            creds=creds,
            config=config,
            client=client,
            snapshots=SnapshotService(client, page_limit=config.preferences.page_limit),
            rum=RumService(client),
        )


def run(body: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(body())


def emit(text: str) -> None:
    """Write a result to stdout; a reader that went away (`| head`) ends the command quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_OK) from None


def print_json(value: Any) -> None:
    emit(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    emit("".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() + "\n"
        for line in (headers, *rows)
    ))


def short_time(value: Any) -> str:
    return format_absolute(value)[:16] if value is not None else "-"


def confirm(question: str) -> bool:
    """Ask on the terminal; anything but y/yes is a no."""
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def require_tty_or_yes(ns: argparse.Namespace, what: str) -> None:
    if not ns.yes and not sys.stdin.isatty():
        raise CliError(
            f"refusing to {what} without confirmation: standard input is not a terminal; "
            "pass --yes to go ahead",
            EXIT_USAGE,
        )


class Progress:
    """Bulk progress on stderr: one updating line on a terminal, a line per tenth otherwise."""

    def __init__(self, total: int, verb: str) -> None:
        self.total = total
        self.verb = verb
        self.done = 0
        self.failed = 0
        self.tty = sys.stderr.isatty()
        self._next_mark = 0

    def __call__(self, snapshot_id: str, error: ApiError | None) -> None:
        self.done += 1
        if error is not None:
            self.failed += 1
            self._clear()
            say(f"  failed {snapshot_id}: {error}")
        if self.tty:
            sys.stderr.write(f"\r{self.verb} {self.done}/{self.total}")
            sys.stderr.flush()
        elif self.done >= self._next_mark or self.done == self.total:
            say(f"{self.verb} {self.done}/{self.total}")
            self._next_mark = self.done + max(1, self.total // 10)

    def _clear(self) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")

    def close(self) -> None:
        if self.tty and self.done:
            sys.stderr.write("\n")
            sys.stderr.flush()


def snapshot_rows(snapshots: Sequence[Snapshot]) -> list[list[str]]:
    return [
        [
            s.name,
            s.view_name,
            s.device_type,
            format_start(s.attributes.start),
            s.attributes.created_by_handle or s.attributes.created_by or "-",
            short_time(s.attributes.modified_at),
            s.id,
        ]
        for s in snapshots
    ]


SNAPSHOT_HEADERS = ("NAME", "VIEW", "DEVICE", "START", "AUTHOR", "MODIFIED (UTC)", "ID")


def print_snapshots_csv(snapshots: Sequence[Snapshot]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for s in snapshots:
        row = s.attributes.model_dump(mode="json")
        row["id"] = s.id
        writer.writerow({k: _csv_cell(row.get(k)) for k in CSV_FIELDS})
    emit(buffer.getvalue())


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON
    return value


async def collect(
    conn: Connection,
    *,
    views: Sequence[str] | None,
    app: str | None,
    device: str | None = None,
    limit: int | None = None,
) -> list[Snapshot]:
    """The snapshots of `views` (all views with recent activity when None), warning on stderr
    for each view whose list came back full, since the API cannot say what was cut."""
    pairs: list[tuple[str | None, str]]
    if views is not None:
        app_id = await conn.app_id(app) if app else None
        pairs = [(app_id, v) for v in dict.fromkeys(views)]
    else:
        pairs = []
        for app_id in await conn.app_ids(app):
            pairs += [(app_id, v.name) for v in await conn.rum.discover_views(app_id)]
        if not pairs:
            say("No views with RUM activity in the last 30 days: name one with --view.")
    gate = asyncio.Semaphore(DEFAULT_CONCURRENCY)

    async def one(app_id: str | None, view: str) -> list[Snapshot]:
        async with gate:
            page = await conn.snapshots.list(view, device_type=device, application_id=app_id, limit=limit)
        if page.may_be_truncated:
            say(
                f"Warning: {view} has {len(page.items)} snapshots listed, the page limit: "
                "there may be more that the API did not return."
            )
        return page.items

    found: dict[str, Snapshot] = {}
    for items in await asyncio.gather(*(one(a, v) for a, v in pairs)):
        found.update((s.id, s) for s in items)
    return list(found.values())


async def locate(conn: Connection, ids: Sequence[str], ns: argparse.Namespace) -> tuple[list[Snapshot], list[str]]:
    """The snapshots with these ids, in the order given, and the ids not found."""
    everything = {s.id: s for s in await collect(conn, views=ns.view, app=ns.app)}
    wanted = list(dict.fromkeys(ids))
    return [everything[i] for i in wanted if i in everything], [i for i in wanted if i not in everything]


def not_found_message(missing: Sequence[str], ns: argparse.Namespace) -> str:
    where = ", ".join(ns.view) if ns.view else "the views with RUM activity in the last 30 days"
    hint = "" if ns.view else " (name its view with --view)"
    return f"no snapshot {', '.join(missing)} in {where}{hint}"


async def delete_through_trash(conn: Connection, snapshots: Sequence[Snapshot], workers: int) -> int:
    """The one delete path of the CLI: trash copy first, progress on stderr, summary at the end."""
    batch = new_batch_id()
    progress = Progress(len(snapshots), "Deleting")
    try:
        result = await delete_with_trash(
            conn.snapshots,
            snapshots,
            Trash(),
            site=conn.creds.site,
            profile=conn.profile,
            concurrency=workers,
            on_progress=progress,
            batch_id=batch,
        )
    finally:
        progress.close()
    say(f"{len(result.deleted)} deleted, {len(result.failed)} failed (trash batch {batch}).")
    if result.deleted:
        say("Undo with `heatmap-tui trash restore --last`.")
    return EXIT_OK if not result.failed else EXIT_ERROR


# --- registration -----------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("snapshots", help="list, create, update, delete, clean up, export and import snapshots")
    actions = parser.add_subparsers(dest="snapshots_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the snapshots of views")
    add_target_options(listing)
    add_view_options(listing, required=True)
    listing.add_argument("--device", metavar="TYPE", help="only this device type (desktop, mobile, tablet)")
    listing.add_argument("--limit", type=positive_int, metavar="N", help="page limit per view (default: the config's, 1000)")
    add_output_options(listing, csv_too=True)
    listing.set_defaults(func=list_command)

    create = actions.add_parser("create", help="create a snapshot; prints its id (or --json)")
    add_target_options(create)
    create.add_argument("--name", required=True, help="the snapshot's name")
    create.add_argument("--view", required=True, help="the view name, e.g. /home")
    create.add_argument("--device", required=True, metavar="TYPE", help="device type: desktop, mobile, tablet")
    create.add_argument("--event-id", required=True, help="the RUM view event whose replay frame is used")
    create.add_argument("--start", required=True, type=non_negative_int, metavar="MS", help="ms from the session start")
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
    update.add_argument("--start", type=non_negative_int, metavar="MS", help="ms from the session start")
    update.add_argument("--session-id", help="the replay session of the event")
    update.add_argument("--view-id", help="the RUM view id of the event")
    flag = update.add_mutually_exclusive_group()
    flag.add_argument("--device-selected", dest="device_selected", action="store_const", const=True,
                      help="the device type was chosen by a person")
    flag.add_argument("--device-detected", dest="device_selected", action="store_const", const=False,
                      help="the device type was detected")
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
    delete.add_argument("--concurrency", type=concurrency, default=DEFAULT_CONCURRENCY, metavar="N",
                        help="requests at once (default %(default)s)")
    delete.set_defaults(func=delete_command)

    cleanup = actions.add_parser(
        "cleanup",
        help="preview (default) or --apply the removal of old, duplicate or unwanted snapshots",
        description="Rules combine with AND; --duplicates keeps the newest of each group of "
        "snapshots with the same application, view, device and event id. Without --apply nothing "
        "is deleted: the command lists what would go and why.",
    )
    add_target_options(cleanup)
    add_view_options(cleanup)
    cleanup.add_argument("--older-than", type=age, metavar="AGE", help="not modified for AGE: 90d, 12h, 2w")
    cleanup.add_argument("--author", help="created by this name or email (case-insensitive)")
    cleanup.add_argument("--device", metavar="TYPE", help="only this device type")
    cleanup.add_argument("--duplicates", action="store_true", help="duplicates, keeping the newest of each")
    cleanup.add_argument("--apply", action="store_true", help="delete them (through the trash)")
    cleanup.add_argument("--concurrency", type=concurrency, default=DEFAULT_CONCURRENCY, metavar="N",
                         help="requests at once (default %(default)s)")
    add_output_options(cleanup)
    cleanup.set_defaults(func=cleanup_command)

    export = actions.add_parser("export", help="write snapshots to a JSON file in the API's shape")
    add_target_options(export)
    add_view_options(export)
    export.add_argument("file", metavar="FILE", help="where to write (- for stdout)")
    export.add_argument("--device", metavar="TYPE", help="only this device type")
    export.set_defaults(func=export_command)

    importing = actions.add_parser(
        "import",
        help="create the snapshots of an export file, skipping those already there",
        description="The target is --profile/--site/--api-url (or --to-profile). A snapshot with "
        "the same view, device, event id and name already in the target application is skipped "
        "unless --allow-duplicates.",
    )
    add_target_options(importing, app_flags=("--to-app", "--app"))
    importing.add_argument("file", metavar="FILE", help="an export file (- for stdin)")
    importing.add_argument("--to-profile", metavar="NAME", help="the profile to import into (same as --profile)")
    importing.add_argument("--allow-duplicates", action="store_true", help="create them even if already there")
    add_output_options(importing)
    importing.set_defaults(func=import_command)


# --- commands -----------------------------------------------------------------------


@command
def list_command(ns: argparse.Namespace) -> int:
    async def body() -> list[Snapshot]:
        async with connect(ns) as conn:
            return await collect(
                conn, views=None if ns.all_views else ns.view, app=ns.app, device=ns.device, limit=ns.limit
            )

    snapshots = run(body)
    if ns.json:
        emit(dumps_snapshots(snapshots))
    elif ns.csv:
        print_snapshots_csv(snapshots)
    elif snapshots:
        print_table(SNAPSHOT_HEADERS, snapshot_rows(snapshots))
    else:
        say("No snapshots.")
    return EXIT_OK


@command
def create_command(ns: argparse.Namespace) -> int:
    if not ns.app:
        raise CliError("--app is required to create a snapshot (the application id or name)", EXIT_USAGE)

    async def body() -> Snapshot:
        async with connect(ns) as conn:
            try:
                attributes = SnapshotCreateAttributes(
                    application_id=await conn.app_id(ns.app),
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
            return await conn.snapshots.create(attributes)

    _print_one(ns, run(body))
    return EXIT_OK


@command
def update_command(ns: argparse.Namespace) -> int:
    complete = ns.event_id and ns.start is not None and ns.device_selected is not None and not ns.view

    async def body() -> Snapshot:
        async with connect(ns) as conn:
            if complete:
                current: dict[str, Any] = {}
            else:
                found, missing = await locate(conn, [ns.id], ns)
                if missing:
                    raise CliError(not_found_message(missing, ns))
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


def _print_one(ns: argparse.Namespace, snapshot: Snapshot) -> None:
    if ns.json:
        print_json({"data": snapshot_json(snapshot)})
    else:
        emit(f"{snapshot.id}\n")


@command
def delete_command(ns: argparse.Namespace) -> int:
    require_tty_or_yes(ns, "delete")

    async def body() -> int:
        async with connect(ns) as conn:
            found, missing = await locate(conn, ns.ids, ns)
            if missing:
                say(f"heatmap-tui: {not_found_message(missing, ns)}")
            if not found:
                return EXIT_ERROR
            if not ns.yes:
                say(f"About to delete {len(found)} snapshot(s) on {conn.site_label}:")
                for s in found:
                    say(f"  {s.id}  {s.name}  ({s.view_name}, {s.device_type})")
                if not confirm("Delete them? A copy goes to the trash."):
                    say("Nothing deleted.")
                    return EXIT_OK
            code = await delete_through_trash(conn, found, ns.concurrency)
            return EXIT_ERROR if missing else code

    return run(body)


@command
def cleanup_command(ns: argparse.Namespace) -> int:
    rules = CleanupRules(older_than=ns.older_than, author=ns.author, device=ns.device, duplicates=ns.duplicates)
    if rules.empty:
        raise CliError("give at least one rule: --older-than, --author, --device or --duplicates", EXIT_USAGE)

    async def body() -> int:
        async with connect(ns) as conn:
            snapshots = await collect(conn, views=ns.view, app=ns.app)
            plan = plan_cleanup(snapshots, rules)
            _show_plan(ns, plan)
            if not ns.apply:
                if plan.selected:
                    say("Dry run: nothing was deleted. Add --apply to delete them (a copy goes to the trash).")
                return EXIT_OK
            if not plan.selected:
                return EXIT_OK
            return await delete_through_trash(conn, plan.snapshots, ns.concurrency)

    return run(body)


def _show_plan(ns: argparse.Namespace, plan: CleanupPlan) -> None:
    if ns.json:
        document = {"data": [snapshot_json(s) for s in plan.snapshots], "meta": {"reasons": plan.reasons}}
        print_json(document)
    elif plan.selected:
        rows = [
            [*row[:2], row[2], row[4], row[5], row[6], "; ".join(item.reasons)]
            for row, item in zip(snapshot_rows(plan.snapshots), plan.selected, strict=True)
        ]
        print_table(("NAME", "VIEW", "DEVICE", "AUTHOR", "MODIFIED (UTC)", "ID", "WHY"), rows)
    verb = "selected for deletion" if ns.apply else "would be deleted"
    say(f"{len(plan)} of {plan.considered} snapshots {verb} ({plan.rules.describe()}).")


@command
def export_command(ns: argparse.Namespace) -> int:
    async def body() -> list[Snapshot]:
        async with connect(ns) as conn:
            return await collect(conn, views=ns.view, app=ns.app, device=ns.device)

    snapshots = run(body)
    if ns.file == "-":
        emit(dumps_snapshots(snapshots))
    else:
        export_snapshots(snapshots, Path(ns.file))
        say(f"Exported {len(snapshots)} snapshot(s) to {ns.file}.")
    return EXIT_OK


@command
def import_command(ns: argparse.Namespace) -> int:
    if ns.file == "-":
        snapshots = parse_snapshots(sys.stdin.read(), "standard input")
    else:
        snapshots = read_snapshots(Path(ns.file))
    if ns.to_profile:
        ns = target_args(ns, profile=ns.to_profile)

    async def body() -> ImportReport:
        async with connect(ns) as conn:
            app_id = await conn.app_id(ns.app) if ns.app else None
            return await import_snapshots(
                conn.snapshots, snapshots, application_id=app_id, allow_duplicates=ns.allow_duplicates
            )

    report = run(body)
    for warning in report.warnings:
        say(f"Warning: {warning}")
    if ns.json:
        print_json(
            {
                "created": [{"from": old.id, "id": new.id, "snapshot_name": new.name} for old, new in report.created],
                "skipped": [{"from": s.id, "reason": why} for s, why in report.skipped],
                "failed": [{"from": s.id, "error": str(err)} for s, err in report.failed],
            }
        )
    else:
        lines = [f"created  {old.id} -> {new.id}  {new.name}" for old, new in report.created]
        lines += [f"skipped  {s.id}  {s.name}: {why}" for s, why in report.skipped]
        lines += [f"failed   {s.id}  {s.name}: {err}" for s, err in report.failed]
        emit("".join(f"{line}\n" for line in lines))
    say(f"Import: {report.summary()}.")
    return EXIT_OK if report.ok else EXIT_ERROR

