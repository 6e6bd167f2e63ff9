"""`heatmap-tui trash list|restore|purge`: the local copies of deleted snapshots.

`restore` re-creates each entry where it was deleted from: the site and profile recorded in the
entry, with that profile's keys (flags, environment, keyring as usual). `--profile`, `--site` or
`--api-url` restore into somewhere else instead (a server that moved, another org).

Every delete prints its batch id. `restore --batch ID` restores that batch; `restore --last`
the last batch of this profile deleted by this user on this machine (never another's), and
says which batch that is. Two restores of one batch take turns (core/restore.py).

A restore is a create: the API gives it a new id, the keys' user as author and today's dates. So
`list` and `restore` say the original author and dates (from the copy) beside the new id.
"""

from __future__ import annotations

import argparse
import functools
import gc
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from heatmap_tui.commands.common import (
    CliError,
    add_account_options,
    command,
    confirm,
    emit,
    emit_lines,
    error,
    print_json,
    profile_name,
    read_config,
    require_tty_or_yes,
    say,
    target_args,
)
from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash_entries import Batch, TrashContents, TrashEntry, when
from heatmap_tui.core.trash_journal import Trash

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from heatmap_tui.core.restore import RestoreReport

USAGE = "name the snapshot ids to restore, or --last, or --batch ID (one of them)"
HEADERS = (
    "DELETED (UTC)", "STATE", "NAME", "VIEW", "DEVICE", "AUTHOR", "CREATED (UTC)", "MODIFIED (UTC)", "ID",
    "RESTORED AS", "BATCH", "FROM",
)  # fmt: skip
RESTORE_TRUTH = (
    "A restored snapshot has a new id, the restoring user as author and the date of its restore: "
    "the API allows no other."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("trash", help="list, restore and purge deleted snapshots kept locally")
    actions = parser.add_subparsers(dest="trash_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the trash, oldest first")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(func=list_command)

    restore = actions.add_parser(
        "restore",
        help="re-create deleted snapshots (they get new ids, you as author, today's date)",
        description="Restores the latest trash entry of each ID, or one batch (one delete): the "
        "one named by --batch, or with --last the last one this user deleted on this machine "
        "with this profile. Each goes back to the site and profile it was deleted from, unless "
        "--profile, --site or --api-url say otherwise. An entry already restored is skipped, and "
        "so is one whose delete was never confirmed while the snapshot still exists.",
    )
    restore.add_argument("ids", nargs="*", metavar="ID", help="snapshot ids as they were before the delete")
    restore.add_argument(
        "--last",
        action="store_true",
        help="the last batch of this profile deleted by this user on this machine",
    )
    restore.add_argument(
        "--batch", metavar="BATCH", help="the batch with this id (every delete prints its batch id)"
    )
    add_account_options(
        restore, profile_help="restore with this profile (its keys and site) instead of the recorded one"
    )
    restore.add_argument("--json", action="store_true", help="print the outcome as JSON on stdout")
    restore.set_defaults(func=restore_command)

    purge = actions.add_parser(
        "purge",
        help="forget trash entries for good",
        description="Without --older-than, empties the trash. Lines of the trash file that "
        "cannot be read are kept as they are, unless --unreadable. Asks on a terminal; elsewhere "
        "needs --yes.",
    )
    purge.add_argument(
        "--older-than", type=_age, metavar="AGE", help="only entries deleted longer ago: 30d, 12h, 2w"
    )
    purge.add_argument(
        "--unreadable", action="store_true", help="also drop the lines of the trash file that cannot be read"
    )
    purge.add_argument("--yes", "-y", action="store_true", help="do not ask")
    purge.set_defaults(func=purge_command)


def _age(text: str) -> timedelta:
    """argtypes.age, imported when an age is given: listing the trash needs no rule of clean-up."""
    from heatmap_tui.commands.argtypes import age

    return age(text)


def _read(trash: Trash) -> TrashContents:
    """The trash's entries, with a warning on stderr for the lines that could not be read."""
    contents = trash.read()
    bad_lines = contents.bad_lines
    if bad_lines:
        numbers = ", ".join(str(n) for n in bad_lines[:10]) + (" ..." if len(bad_lines) > 10 else "")
        say(
            f"Warning: {trash.path}: skipped {len(bad_lines)} unreadable line(s) ({numbers}), e.g. a write cut short."
        )
    return contents


def table_text(headers: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """What output.print_table prints of these columns (cells through `visible`, measured in
    terminal cells, each line right-stripped), made for 20,000 rows (160,000 cells): when every
    cell is plain printable ASCII (`visible` leaves it as it is, a character is a cell), the
    widths are len() and each line is one str.format, run by map() over the columns."""
    if all(_plain(h) for h in headers) and all(_plain("".join(column)) for column in columns):
        widths = [
            max(len(h), max(map(len, column), default=0)) for h, column in zip(headers, columns, strict=True)
        ]
        *padded, _ = (f"{{:<{width}}}" for width in widths)
        template = "  ".join([*padded, "{}"])  # the last column unpadded: only its own end to strip
        lines: Iterable[str] = map(template.format, *columns)
        if any(not cell or cell[-1] == " " for cell in columns[-1]):
            lines = [line.rstrip(" ") for line in lines]
        return "\n".join([template.format(*headers).rstrip(" "), *lines]) + "\n"
    from rich.cells import cell_len

    shown = [[visible(cell) for cell in row] for row in (headers, *zip(*columns, strict=True))]
    lengths = [[cell_len(cell) for cell in row] for row in shown]
    widths = [max(column) for column in zip(*lengths, strict=True)]
    return "".join(
        "  ".join(
            cell + " " * (width - length) for cell, length, width in zip(row, sizes, widths, strict=True)
        ).rstrip(" ")  # spaces only, as print_table: a name may end in a no-break space
        + "\n"
        for row, sizes in zip(shown, lengths, strict=True)
    )


def _plain(text: str) -> bool:
    """Printable ASCII only: `visible` leaves it as it is, and each character is one cell."""
    return text.isascii() and text.isprintable()


def _minute(at: datetime) -> str:
    """`2026-12-01 10:15` (UTC): isoformat, as strftime costs twice as much, 20,000 times."""
    if at.utcoffset():
        at = at.astimezone(UTC)
    return at.isoformat(" ", "minutes")[:16]


def _minutes(texts: list[str | None]) -> list[str]:
    """_minute of each date as the copies hold them (RFC 3339), "" where one holds none. The API
    writes UTC with a "Z": such a date is cut, never parsed (20,000 entries, two dates each)."""
    return [
        ""
        if not text
        else text[:16].replace("T", " ")
        if text[-1] == "Z" and len(text) > 16
        else _minute(when(text))
        for text in texts
    ]


def big_trash(body: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """For a command that reads the whole trash and ends: 20,000 entries are ~400,000 objects,
    none of them garbage, so no collection walks them while it runs; and when it read many, they
    are frozen at its end, so that the collection at the process's exit skips them too (~70 ms),
    as SnapshotTable freezes its rows."""

    @functools.wraps(body)
    def run(ns: argparse.Namespace) -> int:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return body(ns)
        finally:
            if gc.get_count()[0] > 10_000:  # objects made since the last collection
                gc.freeze()
            if enabled:
                gc.enable()

    return run


@command
@big_trash
def list_command(ns: argparse.Namespace) -> int:
    trash = Trash()
    contents = _read(trash)
    if ns.json:
        documents = trash.snapshot_documents(contents.entries)
        data = []
        for e in contents.entries:
            document = documents.get(e.key)
            data.append(e.to_json(document if isinstance(document, dict) else None))
        print_json({"data": data})
        return EXIT_OK
    if not contents.entries:
        say(f"The trash is empty ({trash.path}).")
        return EXIT_OK
    entries = contents.entries
    columns = [
        [_minute(e.deleted_at) for e in entries],
        [e.state_text() for e in entries],
        [e.name for e in entries],
        [e.view_name for e in entries],
        [e.device_type for e in entries],
        [e.author or "" for e in entries],
        _minutes([e.created_text for e in entries]),
        _minutes([e.modified_text for e in entries]),
        [e.id for e in entries],
        [e.restored_as or "" for e in entries],
        [e.batch_id for e in entries],
        [f"{e.profile}@{e.site}" for e in entries],
    ]
    emit(table_text(HEADERS, columns))
    if any(e.restored_as is not None for e in entries):
        say(f"{RESTORE_TRUTH} AUTHOR, CREATED and MODIFIED are the original's.")
    return EXIT_OK


@command
@big_trash
def restore_command(ns: argparse.Namespace) -> int:
    if sum((bool(ns.ids), bool(ns.last), ns.batch is not None)) != 1:
        raise CliError(USAGE, EXIT_USAGE)
    trash = Trash()
    contents = _read(trash)
    missing: list[str] = []
    if ns.last:
        profile = profile_name(ns, read_config())
        batch = trash.last_batch(profile=profile, entries=contents.entries)
        if batch is None:
            user, host = trash.who
            raise CliError(
                f"the trash holds no batch of profile {profile!r} deleted by {user}@{host}: "
                "`heatmap-tui trash list` shows every batch, `--batch ID` restores one"
            )
        say(f"The last {batch.describe()}.")
        entries = batch.entries
    elif ns.batch is not None:
        entries = trash.batch(ns.batch, contents.entries)
        if not entries:
            raise CliError(f"the trash holds no batch {ns.batch!r}: `heatmap-tui trash list` shows them")
        say(f"The {Batch(ns.batch, entries).describe()}.")
    else:
        entries, missing = trash.find(ns.ids, contents.entries)
        for snapshot_id in missing:
            error(f"{snapshot_id} is not in the trash")
        if not entries:
            return EXIT_ERROR

    from heatmap_tui.commands.connect import run
    from heatmap_tui.core.restore import RestoreReport

    groups: dict[tuple[str, str], list[TrashEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.site, entry.profile), []).append(entry)
    everything = RestoreReport()
    for (site, profile), group in groups.items():
        report = run(partial(_restore_group, trash, ns, site, profile, group))
        everything.restored += report.restored
        everything.skipped += report.skipped
        everything.failed += report.failed
        everything.found += report.found
    _print_report(ns, everything)
    return EXIT_OK if not everything.failed and not missing else EXIT_ERROR


async def _restore_group(
    trash: Trash, ns: argparse.Namespace, site: str, profile: str, entries: list[TrashEntry]
) -> RestoreReport:
    from heatmap_tui.commands.connect import connect

    target = ns
    if not (ns.profile or ns.site or ns.api_url):  # back where it came from
        is_url = site.startswith(("http://", "https://"))
        target = target_args(
            ns, profile=profile, site=None if is_url else site, api_url=site if is_url else None
        )

    def waiting(batch_id: str) -> None:
        say(f"Waiting: another restore of batch {batch_id} is running; this one goes on when it ends.")

    async with connect(target) as conn:
        say(f"Restoring {len(entries)} snapshot(s) to {conn.site.label} (profile {conn.profile})...")
        return await trash.restore(entries, conn.snapshots, on_wait=waiting)


def _print_report(ns: argparse.Namespace, report: RestoreReport) -> None:
    found = set(report.found)
    if ns.json:
        print_json(
            {
                "restored": [
                    {
                        "id": e.id,
                        "new_id": new.id,
                        "snapshot_name": new.name,
                        "found": e.key in found,
                        "original": e.original_json(),
                    }
                    for e, new in report.restored
                ],
                "skipped": [{"id": e.id, "reason": why} for e, why in report.skipped],
                "failed": [{"id": e.id, "error": str(err)} for e, err in report.failed],
            }
        )
    else:
        lines = [
            f"restored  {e.id}  {new.name} ({new.view_name}, {new.device_type}): old frame back "
            f"({e.frame_change()})"
            if e.is_reframe
            else f"restored  {e.id} -> {new.id}  {new.name} ({new.view_name}, {new.device_type}); "
            f"{e.original()}"
            + ("  (re-created by an interrupted restore: found on the server)" if e.key in found else "")
            for e, new in report.restored
        ]
        lines += [f"skipped   {e.id}  {e.name}: {why}" for e, why in report.skipped]
        lines += [f"failed    {e.id}  {e.name}: {err}" for e, err in report.failed]
        emit_lines(lines)
    say(f"Restore: {report.summary()}.")
    if any(not e.is_reframe for e, _ in report.restored):
        say(RESTORE_TRUTH)


@command
def purge_command(ns: argparse.Namespace) -> int:
    require_tty_or_yes(ns, "purge the trash")
    trash = Trash()
    if not ns.yes:
        from heatmap_tui.core.cleanup import format_age

        what = (
            f"entries deleted more than {format_age(ns.older_than)} ago" if ns.older_than else "every entry"
        )
        if ns.unreadable:
            what += " and every unreadable line"
        if not confirm(f"Forget {what} in {trash.path} for good? They cannot be restored afterwards."):
            say("Nothing purged.")
            return EXIT_OK
    result = trash.purge(older_than=ns.older_than, unreadable=ns.unreadable)
    note = f", and {result.dropped_lines} unreadable line(s)" if result.dropped_lines else ""
    say(f"Purged {len(result.purged)} trash entries{note}.")
    if result.kept_lines:
        say(
            f"Kept {result.kept_lines} unreadable line(s) of {trash.path} as they are "
            "(--unreadable drops them)."
        )
    return EXIT_OK
