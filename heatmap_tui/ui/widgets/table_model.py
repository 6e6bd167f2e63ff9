"""The data behind SnapshotTable: rows, filter, sort, marks and cursor.

No Textual import: everything here is plain Python over precomputed strings,
so filtering and sorting 10,000 snapshots cost milliseconds and can be tested
without an app. The widget only turns `shown` rows into strips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from heatmap_tui.core.models import PACKED_FIELDS, PackedSnapshot, Snapshot, pack_snapshot, unpack_snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.format import format_absolute, format_relative, format_start
from heatmap_tui.ui.widgets.stale_marks import StaleMarks


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    cap: int  # widest the content may ask for (the name still takes any slack)
    min_width: int  # narrowest it may be squeezed to
    right: bool = False
    dim: bool = False


MARK = Column("mark", "", 1, 1)
# Data columns, in the order of `Row.cells` (the stale badges after them: TableModel.cells) and of
# the sort keys 1 to 9 then 0 (new ones go last, so a digit keeps its column); DISPLAY is the order
# on screen.
COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 40, 12),
    Column("view", "View", 28, 8),
    Column("device", "Device", 10, 6),
    Column("start", "Start", 10, 9, right=True),
    Column("author", "Author", 20, 10),
    Column("modified", "Modified", 9, 8, dim=True),
    Column("id", "ID", 36, 8, dim=True),
    Column("created", "Created", 16, 9, dim=True),
    Column("session", "Session", 36, 9, dim=True),
    Column("stale", "Stale", 14, 5),  # badges (stale_marks.py), filled in the background
)
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
COLUMN_INDEX = {key: i for i, key in enumerate(COLUMN_KEYS)}
_BY_KEY = {c.key: c for c in COLUMNS}
DISPLAY: tuple[Column, ...] = tuple(
    _BY_KEY[key]
    for key in ("name", "view", "device", "stale", "start", "author", "created", "modified", "session", "id")
)


LEFT_PAD, MARK_GAP, GAP, RIGHT_PAD = 1, 1, 2, 1
# Squeezed in this order when the name column cannot show its content:
# an id prefix is enough to tell rows apart (`y` copies the whole id).
_SHRINK_ORDER = ("id", "stale", "view", "author")
# Shown only in spare width: nothing else is squeezed for them, only the session id itself.
_EXTRAS = frozenset({"created", "session"})
_EXTRAS_SHRINK_ORDER = ("session",)
# Hidden in this order while the rest does not fit: the extras first (they need room to spare),
# then while the name would show less than NAME_COMFORT cells (an 80-column terminal): the name
# comes first; the detail pane shows every field.
_HIDE_ORDER = ("session", "created", "id", "author", "modified", "stale")
NAME_COMFORT = 28  # the name is cut below its content only when this many cells still show
NAME_MAX = 48  # the most the name takes of the slack: more width goes to more columns


@dataclass(frozen=True, slots=True)
class Layout:
    width: int  # cells in a rendered line; above the widget's width it scrolls sideways
    cells: tuple[tuple[Column, int, int], ...]  # (column, x, width), the mark first


def _overhead(columns: int) -> int:
    return LEFT_PAD + MARK.cap + MARK_GAP + GAP * (columns - 1) + RIGHT_PAD


def _squeeze(shown: list[Column], natural: dict[str, int], width: int) -> tuple[dict[str, int], int]:
    """The widths of `shown` in `width` cells, squeezed as far as they may be in order, and the
    cells still missing (negative: to spare)."""
    widths = {col.key: natural.get(col.key, col.min_width) for col in shown}
    order = _EXTRAS_SHRINK_ORDER if _EXTRAS.intersection(widths) else _SHRINK_ORDER
    for key in order:
        short = _overhead(len(shown)) + sum(widths.values()) - width
        if short <= 0:
            break
        if key in widths:
            widths[key] -= max(0, min(short, widths[key] - _BY_KEY[key].min_width))
    return widths, _overhead(len(shown)) + sum(widths.values()) - width


def compute_layout(natural: dict[str, int], width: int) -> Layout:
    """Fit the columns into `width`. The columns in _HIDE_ORDER go, in turn, while the rest does
    not fit: the extras (created, session) while they do not fit whole beside the others; the
    others while the name would show less than NAME_COMFORT cells (or its content) once those in
    _SHRINK_ORDER gave up their room. The name takes what is left, up to NAME_MAX; past that the
    line ends blank."""
    name = COLUMNS[0]
    comfortable = min(natural[name.key], NAME_COMFORT)
    shown = list(DISPLAY)
    for key in (*_HIDE_ORDER, None):
        widths, short = _squeeze(shown, natural, width)
        extras = bool(_EXTRAS.intersection(widths))
        if (short <= 0 if extras else widths[name.key] - short >= comfortable) or key is None:
            break
        shown.remove(_BY_KEY[key])
    most = max(natural[name.key], NAME_MAX)
    widths[name.key] = min(max(name.min_width, widths[name.key] - short), most)
    cells = [(MARK, LEFT_PAD, MARK.cap)]
    x = LEFT_PAD + MARK.cap + MARK_GAP
    for col in shown:
        cells.append((col, x, widths[col.key]))
        x += widths[col.key] + GAP
    return Layout(max(width, x - GAP + RIGHT_PAD), tuple(cells))


_AT = {name: i for i, name in enumerate(PACKED_FIELDS)}
_ID, _NAME, _VIEW, _DEVICE, _START = (
    _AT[k] for k in ("id", "snapshot_name", "view_name", "device_type", "start")
)
_BY, _HANDLE, _CREATED, _MODIFIED, _SESSION = (
    _AT[k] for k in ("created_by", "created_by_handle", "created_at", "modified_at", "session_id")
)


class Row:
    """One snapshot as the table holds it: its packed values (core.models.pack_snapshot) and
    the casefolded text of its cells, which a filter keystroke searches without formatting.

    10,000 rows cost ~8 MB this way, against ~32 MB with a model and the cells kept per row:
    the cells are formatted again for the few dozen rows a frame draws. Compared by identity,
    so list.index and membership run at C speed.
    """

    __slots__ = ("haystack", "values")

    def __init__(self, values: PackedSnapshot, haystack: str) -> None:
        self.values = values
        self.haystack = haystack

    @property
    def id(self) -> str:
        return self.values[_ID]  # type: ignore[no-any-return]

    @property
    def snapshot(self) -> Snapshot:
        """A model built anew on each call: take it once per use."""
        return unpack_snapshot(self.values)

    def cells(self, now: datetime) -> tuple[str, ...]:
        """The text of each column in COLUMNS; `now` dates the relative Modified column."""
        v = self.values
        modified = v[_MODIFIED] or v[_CREATED]
        # To the minute in a column (UTC, as every time the app shows); the detail pane has seconds.
        created = format_absolute(v[_CREATED])[:16] if v[_CREATED] else ""
        return (  # outside text made visible: escapes never reach the terminal, nor "\n" a cell
            visible(v[_NAME]),
            visible(v[_VIEW]),
            visible(v[_DEVICE]),
            format_start(v[_START]),
            visible(v[_BY] or v[_HANDLE] or ""),
            format_relative(modified, now) if modified else "",
            visible(v[_ID]),
            created,
            visible(v[_SESSION] or ""),
        )

    def folded_cells(self) -> list[str]:
        return self.haystack.split(_SEP)


_SEP = "\n"  # never inside a cell: cells are made visible, so a newline is "\\n" there


def make_row(snapshot: Snapshot, now: datetime) -> Row:
    return pack_row(pack_snapshot(snapshot), now)


def pack_row(values: PackedSnapshot, now: datetime) -> Row:
    row = Row(values, "")
    row.haystack = _SEP.join(c.casefold() for c in row.cells(now))
    return row


def make_rows(snapshots: Iterable[Snapshot], now: datetime) -> list[Row]:
    """Rows for a page of models, which the caller may then let go (SnapshotService.map_views)."""
    return [make_row(s, now) for s in snapshots]


def _timestamp(dt: datetime | None) -> float:
    if dt is None:
        return float("-inf")  # never-dated rows sort as the oldest
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


# Sort keys, per column, from a row's packed values: computed when a sort is asked for (a
# few ms for 10,000 rows) rather than held by every row.
_SORT_KEYS: dict[str, Callable[[PackedSnapshot], Any]] = {
    "name": lambda v: v[_NAME].casefold(),
    "view": lambda v: v[_VIEW].casefold(),
    "device": lambda v: v[_DEVICE].casefold(),
    "start": lambda v: v[_START],
    "author": lambda v: (v[_BY] or v[_HANDLE] or "").casefold(),
    "modified": lambda v: _timestamp(v[_MODIFIED] or v[_CREATED]),
    "id": lambda v: v[_ID].casefold(),
    "created": lambda v: _timestamp(v[_CREATED]),
    "session": lambda v: (v[_SESSION] or "").casefold(),
}


def _terms(text: str) -> list[str]:
    return text.casefold().split()


def _filtered(rows: list[Row], terms: list[str]) -> list[Row]:
    # One pass per word keeps the test inline: a function call per row would
    # cost more than the substring search itself.
    for term in terms:
        rows = [r for r in rows if term in r.haystack]
    return list(rows)


class TableModel:
    """Rows in load order, the sorted order, the shown (filtered) subset, marks, cursor."""

    def __init__(self) -> None:
        self._rows: list[Row] = []  # load order: the tie-break of every sort
        self._by_id: dict[str, Row] = {}
        self._sorted: list[Row] = []
        self._shown: list[Row] = []
        self._marked: set[str] = set()
        self.at = datetime.now(UTC)  # what relative times count from: the load's time
        self._widths: dict[str, int] | None = None
        self._orders: dict[tuple[str, bool], list[Row]] = {}  # sorted lists, per direction
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.cursor = 0
        self.version = 0  # bumped whenever a row's text may have changed
        self.stale = StaleMarks()  # change it through set_stale, stale_failed, cycle_stale_filter

    # --- reading ---------------------------------------------------------

    @property
    def shown(self) -> Sequence[Row]:
        return self._shown

    @property
    def snapshots(self) -> list[Snapshot]:
        """Every loaded snapshot in load order, whatever the filter shows (what a cleanup looks at)."""
        return [r.snapshot for r in self._rows]

    @property
    def ids(self) -> frozenset[str]:
        """The id of every loaded snapshot, with no model built."""
        return frozenset(self._by_id)

    def cells(self, row: Row) -> tuple[str, ...]:
        return (*row.cells(self.at), self.stale.badge(row.id))

    @property
    def shown_count(self) -> int:
        return len(self._shown)

    @property
    def total_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> Row | None:
        return self._shown[self.cursor] if self._shown else None

    @property
    def cursor_snapshot(self) -> Snapshot | None:
        row = self.cursor_row
        return row.snapshot if row else None

    def index_of(self, snapshot_id: str) -> int | None:
        row = self._by_id.get(snapshot_id)
        try:
            return self._shown.index(row) if row is not None else None
        except ValueError:  # loaded but filtered out
            return None

    def natural_widths(self) -> dict[str, int]:
        """Content width of each column over all rows (not just shown), so widths
        do not jump while typing a filter."""
        if self._widths is None:
            widths = {}
            # The folded cells are as long as the cells, bar a rare letter such as ß.
            lengths = [0] * len(COLUMNS)
            for r in self._rows:
                lengths = [*map(max, lengths, map(len, r.folded_cells())), 0]
            lengths[COLUMN_INDEX["stale"]] = max((len(self.stale.badge(r.id)) for r in self._rows), default=0)
            for i, col in enumerate(COLUMNS):
                content = lengths[i]
                label = len(col.label) + 2  # room for " ▲"
                widths[col.key] = max(col.min_width, label, min(content, col.cap))
            self._widths = widths
        return self._widths

    # --- loading and editing ---------------------------------------------

    def load(self, snapshots: Iterable[Snapshot], now: datetime | None = None) -> None:
        """Replace every row; the cursor stays on the same snapshot id if it is still shown.
        `now` (default: the clock) dates the relative times."""
        at = now or datetime.now(UTC)
        self.load_rows(make_rows(snapshots, at), at)

    def load_rows(self, rows: list[Row], now: datetime) -> None:
        """As load, with rows made by make_rows at `now`."""
        self.at = now
        self.stale.forget()
        self._rebuild(rows)

    def replace(self, snapshot: Snapshot) -> bool:
        """An edited snapshot. Sorted by a column, it takes its place in that order; unsorted,
        the rows are in the server's order, newest first, so the one just saved goes first."""
        old = self._by_id.get(snapshot.id)
        if old is None:
            return False
        new = make_row(snapshot, self.at)
        self.stale.forget([snapshot.id])
        if self.sort_column is None:
            self._rebuild([new, *(r for r in self._rows if r is not old)])
        else:
            self._rebuild([new if r is old else r for r in self._rows])
        return True

    def add(self, snapshot: Snapshot) -> None:
        """A created snapshot: in its place in the sort, or first (the newest) when unsorted."""
        if not self.replace(snapshot):
            self._rebuild([make_row(snapshot, self.at), *self._rows])

    def remove_ids(self, ids: Iterable[str]) -> int:
        gone = set(ids) & self._by_id.keys()
        if gone:
            self._marked -= gone
            self._rebuild([r for r in self._rows if r.id not in gone])
        return len(gone)

    def _rebuild(self, rows: list[Row]) -> None:
        # A refresh or delete that drops the cursor row leaves the cursor on its neighbour.
        current = self.cursor_row
        index = self.cursor
        self._rows = rows
        self._by_id = {r.id: r for r in rows}
        self._marked &= self._by_id.keys()
        self._widths = None
        self._orders.clear()
        self.version += 1
        self._sort_all()
        self._shown = self._stale_shown(_filtered(self._sorted, _terms(self.filter_text)))
        self._restore_cursor(current.id if current else None, index)

    # --- staleness -------------------------------------------------------

    def set_stale(self, verdicts: dict[str, dict[str, str]]) -> None:
        """The evidence of these rows' staleness (empty: not stale), from the look-ups."""
        self.stale.set(verdicts)
        self._stale_changed()

    def stale_failed(self) -> None:
        self.stale.set_failed()
        self._stale_changed()

    def cycle_stale_filter(self) -> str | None:
        """All rows, the stale ones, then those of each reason; returns the step now in force."""
        step = self.stale.next_filter()
        self._stale_changed()
        return step

    def _stale_changed(self) -> None:
        # Badges change row text and width, the stale sort and the stale filter: as a reload does.
        self._rebuild(self._rows)

    def _stale_shown(self, rows: list[Row]) -> list[Row]:
        shows = self.stale.shows
        return rows if self.stale.filter is None else [r for r in rows if shows(r.id)]

    # --- filter and sort -------------------------------------------------

    def set_filter(self, text: str) -> bool:
        """Show the rows containing every word of `text`. Returns False if unchanged.

        Typing extends the text, and every row that matches the longer text
        matched the shorter one, so only the shown rows need a look then.
        """
        if text == self.filter_text:
            return False
        current = self.cursor_row
        terms = _terms(text)
        if text.casefold().startswith(self.filter_text.casefold()):
            # Words before the last typed one are unchanged: they already hold.
            settled = max(0, len(_terms(self.filter_text)) - 1)
            self._shown = _filtered(self._shown, terms[settled:])
        else:
            self._shown = self._stale_shown(_filtered(self._sorted, terms))
        self.filter_text = text
        # Marks stay: those the filter hides are counted (marked_hidden_ids) and called out
        # before a delete, so nothing unseen goes unsaid.
        self._restore_cursor(current.id if current else None, 0)
        return True

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by `column`, in the order `reverse` says; without it, the same column again flips
        the order, and another one sorts ascending."""
        if column not in COLUMN_INDEX:
            raise KeyError(f"cannot sort by {column!r}")
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        current = self.cursor_row
        self._sort_all()
        if len(self._shown) == len(self._sorted):
            self._shown = list(self._sorted)
        else:
            # Reuse the filter's verdicts instead of matching every haystack again.
            shown = set(map(id, self._shown))
            self._shown = [r for r in self._sorted if id(r) in shown]
        self._restore_cursor(current.id if current else None, 0)

    def _sort_all(self) -> None:
        if self.sort_column is None:
            self._sorted = list(self._rows)
            return
        order = (self.sort_column, self.sort_reverse)
        if order not in self._orders:
            if self.sort_column == "stale":
                keys: list[Any] = [self.stale.rank(r.id) for r in self._rows]
            else:
                key = _SORT_KEYS[self.sort_column]
                keys = [key(r.values) for r in self._rows]
            # Always from load order, so ties land the same way whatever came before;
            # sorting indexes by a list's __getitem__ avoids a Python call per comparison key.
            ranks = sorted(range(len(keys)), key=keys.__getitem__, reverse=self.sort_reverse)
            self._orders[order] = [self._rows[j] for j in ranks]
        self._sorted = self._orders[order]

    # --- cursor ----------------------------------------------------------

    def set_cursor(self, index: int) -> bool:
        """Move the cursor (clamped). Returns True if it moved."""
        index = max(0, min(index, len(self._shown) - 1))
        moved = index != self.cursor
        self.cursor = index
        return moved

    def _restore_cursor(self, snapshot_id: str | None, fallback: int) -> None:
        found = self.index_of(snapshot_id) if snapshot_id is not None else None
        self.cursor = 0
        self.set_cursor(fallback if found is None else found)

    # --- marks -----------------------------------------------------------

    @property
    def marked_ids(self) -> frozenset[str]:
        return frozenset(self._marked)

    @property
    def marked_snapshots(self) -> list[Snapshot]:
        """The marked snapshots in the order shown."""
        return [r.snapshot for r in self._sorted if r.id in self._marked]

    @property
    def marked_hidden_ids(self) -> frozenset[str]:
        """The marked rows the row filter hides: a delete of the marks takes them too."""
        if not self._marked or len(self._shown) == len(self._rows):
            return frozenset()
        return frozenset(self._marked - {r.id for r in self._shown})

    def is_marked(self, snapshot_id: str) -> bool:
        return snapshot_id in self._marked

    def toggle_mark(self, snapshot_id: str) -> bool:
        """Flip the mark of one row; returns whether it is now marked."""
        if snapshot_id in self._marked:
            self._marked.discard(snapshot_id)
            return False
        if snapshot_id in self._by_id:
            self._marked.add(snapshot_id)
            return True
        return False

    def mark_all_shown(self) -> None:
        self._marked.update(r.id for r in self._shown)

    def clear_marks(self) -> None:
        self._marked.clear()
