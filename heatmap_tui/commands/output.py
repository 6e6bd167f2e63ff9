"""Tables, CSV and progress of the scripting subcommands (results through common.emit).

Times and durations read as in the TUI (core.timefmt): a snapshot's start `01:23.500`, its age
`3d ago` (as the TUI's table shows it; the exact time is in `--json` and `--csv`), a moment
`2026-11-20 10:11:12 UTC`, a time spent `1m 05s`. `--json` output keeps the API's own shape
and is written by the commands themselves with common.print_json.

Every cell is outside text (a name from the server, a line of the trash file): tables and CSV
show it through core.safe_text.visible, so an escape sequence, a bidi override or a newline in a
name is printed as a visible backslash escape and never acts on the terminal or splits a row.
Columns are measured in terminal cells (a CJK character or an emoji takes two), not in len().
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from heatmap_tui.commands.common import emit, say
from heatmap_tui.core.cleanup import last_change
from heatmap_tui.core.clock import utc_now
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.timefmt import format_relative, format_start

SNAPSHOT_HEADERS = ("NAME", "VIEW", "DEVICE", "START", "AUTHOR", "MODIFIED", "ID")

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


def add_output_options(parser: argparse.ArgumentParser, *, csv_too: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print JSON on stdout (the API's shape)")
    if csv_too:
        group.add_argument("--csv", action="store_true", help="print CSV with a header on stdout")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Aligned columns, one line per row, every cell shown with `visible`.

    Only the padding is stripped from the end of a line (a name may end in a no-break space).
    """
    from rich.cells import cell_len  # here: commands that print no table need no rich

    lines = [[visible(cell) for cell in line] for line in (headers, *rows)]
    widths = [0] * len(headers)
    for line in lines:
        widths = [max(w, cell_len(cell)) for w, cell in zip(widths, line, strict=True)]
    emit(
        "".join(
            "  ".join(pad(cell, w) for cell, w in zip(line, widths, strict=True)).rstrip(" ") + "\n"
            for line in lines
        )
    )


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal cells (ljust counts characters)."""
    from rich.cells import cell_len

    return text + " " * (width - cell_len(text))


def snapshot_rows(snapshots: Sequence[Snapshot], now: datetime | None = None) -> list[list[str]]:
    """Rows under SNAPSHOT_HEADERS. MODIFIED is the age of the last change (else the creation)
    at `now`, as the TUI's table shows it."""
    now = now or utc_now()
    return [
        [
            s.name,
            s.view_name,
            s.device_type,
            format_start(s.attributes.start),
            s.attributes.created_by_handle or s.attributes.created_by or "-",
            _age(last_change(s), now),
            s.id,
        ]
        for s in snapshots
    ]


def _age(at: datetime | None, now: datetime) -> str:
    return format_relative(at, now) if at is not None else "-"


def print_snapshots_csv(snapshots: Sequence[Snapshot]) -> None:
    """CSV with a header: text cells are shown with `visible` (one line per row, nothing that
    acts on a terminal) and guarded against formulas; `--json` keeps the exact text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for s in snapshots:
        row = s.attributes.model_dump(mode="json")
        row["id"] = s.id
        writer.writerow({k: _csv_cell(row.get(k)) for k in CSV_FIELDS})
    emit(buffer.getvalue())


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell for CSV: a leading `'` when it could start a formula, then `visible`."""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return visible(text)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON
    if isinstance(value, str):
        return csv_text(value)
    return value


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
