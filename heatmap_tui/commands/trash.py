"""`heatmap-tui trash list|restore|purge`: the local copies of deleted snapshots.

`restore` re-creates each entry where it was deleted from: the site and profile recorded in the
entry, with that profile's keys (flags, environment, keyring as usual). `--profile`, `--site` or
`--api-url` restore into somewhere else instead (a server that moved, another org).
"""

from __future__ import annotations

import argparse
from functools import partial

from heatmap_tui.commands.argtypes import age
from heatmap_tui.commands.common import (
    CliError,
    add_account_options,
    command,
    confirm,
    emit_lines,
    error,
    print_json,
    require_tty_or_yes,
    say,
    target_args,
)
from heatmap_tui.commands.connect import connect, run
from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from heatmap_tui.commands.output import print_table, short_time
from heatmap_tui.core.cleanup import format_age
from heatmap_tui.core.trash import RestoreReport, Trash, TrashContents, TrashEntry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("trash", help="list, restore and purge deleted snapshots kept locally")
    actions = parser.add_subparsers(dest="trash_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the trash, oldest first")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(func=list_command)

    restore = actions.add_parser(
        "restore",
        help="re-create deleted snapshots (they get new ids)",
        description="Restores the latest trash entry of each ID, or the last batch deleted. Each "
        "goes back to the site and profile it was deleted from, unless --profile, --site or "
        "--api-url say otherwise. An entry already restored is skipped, and so is one whose "
        "delete was never confirmed while the snapshot still exists.",
    )
    restore.add_argument("ids", nargs="*", metavar="ID", help="snapshot ids as they were before the delete")
    restore.add_argument("--last", action="store_true", help="the batch deleted last")
    add_account_options(
        restore, profile_help="restore with this profile (its keys and site) instead of the recorded one"
    )
    restore.add_argument("--json", action="store_true", help="print the outcome as JSON on stdout")
    restore.set_defaults(func=restore_command)

    purge = actions.add_parser(
        "purge",
        help="forget trash entries for good",
        description="Without --older-than, empties the trash. Asks on a terminal; elsewhere needs --yes.",
    )
    purge.add_argument(
        "--older-than", type=age, metavar="AGE", help="only entries deleted longer ago: 30d, 12h, 2w"
    )
    purge.add_argument("--yes", "-y", action="store_true", help="do not ask")
    purge.set_defaults(func=purge_command)


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


@command
def list_command(ns: argparse.Namespace) -> int:
    trash = Trash()
    contents = _read(trash)
    if ns.json:
        print_json({"data": [e.to_json() for e in contents.entries]})
        return EXIT_OK
    if not contents.entries:
        say(f"The trash is empty ({trash.path}).")
        return EXIT_OK
    rows = [
        [
            short_time(e.deleted_at),
            e.state.value,
            e.snapshot.name,
            e.snapshot.view_name,
            e.snapshot.device_type,
            e.id,
            e.batch_id,
            f"{e.profile}@{e.site}",
        ]
        for e in contents.entries
    ]
    print_table(("DELETED (UTC)", "STATE", "NAME", "VIEW", "DEVICE", "ID", "BATCH", "FROM"), rows)
    return EXIT_OK


@command
def restore_command(ns: argparse.Namespace) -> int:
    if bool(ns.ids) == bool(ns.last):
        raise CliError("name the snapshot ids to restore, or --last (not both)", EXIT_USAGE)
    trash = Trash()
    _read(trash)  # for its warning: last_batch() and find() read the file again
    missing: list[str] = []
    if ns.last:
        entries = trash.last_batch()
        if not entries:
            raise CliError("the trash is empty: nothing to restore")
    else:
        entries, missing = trash.find(ns.ids)
        for snapshot_id in missing:
            error(f"{snapshot_id} is not in the trash")
        if not entries:
            return EXIT_ERROR

    groups: dict[tuple[str, str], list[TrashEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.site, entry.profile), []).append(entry)
    reports: list[RestoreReport] = []
    for (site, profile), group in groups.items():
        reports.append(run(partial(_restore_group, trash, ns, site, profile, group)))

    everything = RestoreReport()
    for report in reports:
        everything.restored += report.restored
        everything.skipped += report.skipped
        everything.failed += report.failed
    _print_report(ns, everything)
    return EXIT_OK if not everything.failed and not missing else EXIT_ERROR


async def _restore_group(
    trash: Trash, ns: argparse.Namespace, site: str, profile: str, entries: list[TrashEntry]
) -> RestoreReport:
    target = ns
    if not (ns.profile or ns.site or ns.api_url):  # back where it came from
        is_url = site.startswith(("http://", "https://"))
        target = target_args(
            ns, profile=profile, site=None if is_url else site, api_url=site if is_url else None
        )
    async with connect(target) as conn:
        say(f"Restoring {len(entries)} snapshot(s) to {conn.site_label} (profile {conn.profile})...")
        return await trash.restore(entries, conn.snapshots)


def _print_report(ns: argparse.Namespace, report: RestoreReport) -> None:
    if ns.json:
        print_json(
            {
                "restored": [
                    {"id": e.id, "new_id": new.id, "snapshot_name": new.name} for e, new in report.restored
                ],
                "skipped": [{"id": e.id, "reason": why} for e, why in report.skipped],
                "failed": [{"id": e.id, "error": str(err)} for e, err in report.failed],
            }
        )
    else:
        lines = [
            f"restored  {e.id} -> {new.id}  {new.name} ({new.view_name}, {new.device_type})"
            for e, new in report.restored
        ]
        lines += [f"skipped   {e.id}  {e.snapshot.name}: {why}" for e, why in report.skipped]
        lines += [f"failed    {e.id}  {e.snapshot.name}: {err}" for e, err in report.failed]
        emit_lines(lines)
    say(f"Restore: {report.summary()}.")


@command
def purge_command(ns: argparse.Namespace) -> int:
    require_tty_or_yes(ns, "purge the trash")
    trash = Trash()
    if not ns.yes:
        what = (
            f"entries deleted more than {format_age(ns.older_than)} ago" if ns.older_than else "every entry"
        )
        if not confirm(f"Forget {what} in {trash.path} for good? They cannot be restored afterwards."):
            say("Nothing purged.")
            return EXIT_OK
    result = trash.purge(older_than=ns.older_than)
    note = f", and {result.dropped_lines} unreadable line(s)" if result.dropped_lines else ""
    say(f"Purged {len(result.purged)} trash entries{note}.")
    return EXIT_OK
