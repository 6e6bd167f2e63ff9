"""What the snapshot table knows of each row's staleness (core/stale.py), and the stale filter.

No Textual import: the table model asks this for a row's badge, sort rank and whether the stale
filter shows it; the browser's StaleMarker (screens/stale_marker.py) fills it in the background.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from heatmap_tui.core.stale import REASONS

# Short enough for three side by side in a 14-cell column; the help and the detail pane say more.
BADGES: dict[str, str] = {
    "orphaned": "orph",
    "outdated": "outd",
    "expired": "exp",
    "duplicate": "dup",
    "old": "old",
}
UNKNOWN = "…"  # not looked up yet
FAILED = "?"  # the look-up failed
ANY_STALE = "stale"  # the stale filter's step that shows the rows stale for any reason
# The stale filter's steps, in the order its key cycles through them (None: every row).
FILTER_STEPS: tuple[str | None, ...] = (None, ANY_STALE, *REASONS)
LEGEND = ", ".join(f"{badge} {reason}" for reason, badge in BADGES.items())

Evidence = Mapping[str, str]  # reason -> its sentence, in REASONS order


def badge_text(evidence: Evidence | None, *, failed: bool = False) -> str:
    if evidence is None:
        return FAILED if failed else UNKNOWN
    return " ".join(BADGES[r] for r in evidence)


def filter_label(step: str | None) -> str:
    """`stale`, `outdated`: what the filter bar and status line say is in force."""
    if step is None:
        return ""
    return "stale rows" if step == ANY_STALE else f"{step} rows"


class StaleMarks:
    """Evidence per snapshot id; ids not judged yet show UNKNOWN. `filter` is a FILTER_STEPS step."""

    def __init__(self) -> None:
        self._evidence: dict[str, dict[str, str]] = {}
        self.failed = False  # the last look-up failed: unjudged rows show FAILED
        self.filter: str | None = None
        self.version = 0  # bumped on every change, so sorted orders and strips are redone

    def evidence(self, snapshot_id: str) -> dict[str, str] | None:
        """The reasons and their evidence (empty: not stale), or None when not known yet."""
        found = self._evidence.get(snapshot_id)
        return dict(found) if found is not None else None

    @property
    def known(self) -> dict[str, dict[str, str]]:
        return {s_id: dict(e) for s_id, e in self._evidence.items()}

    def badge(self, snapshot_id: str) -> str:
        return badge_text(self._evidence.get(snapshot_id), failed=self.failed)

    def rank(self, snapshot_id: str) -> tuple[int, tuple[bool, ...]]:
        """Sorts the not-stale rows first, then by the weightiest reason (orphaned last), the
        unknown ones before every other."""
        found = self._evidence.get(snapshot_id)
        if found is None:
            return (-1, ())
        return (len(found) and 1, tuple(r in found for r in REASONS))

    def shows(self, snapshot_id: str) -> bool:
        """Whether the stale filter lets the row through (an unknown row only under no filter)."""
        if self.filter is None:
            return True
        found = self._evidence.get(snapshot_id)
        if not found:
            return False
        return self.filter == ANY_STALE or self.filter in found

    def next_filter(self) -> str | None:
        """Step the filter: all rows, stale rows, then each reason, then all rows again."""
        at = FILTER_STEPS.index(self.filter)
        self.filter = FILTER_STEPS[(at + 1) % len(FILTER_STEPS)]
        self.version += 1
        return self.filter

    def set(self, verdicts: Mapping[str, Evidence]) -> None:
        self._evidence.update({s_id: dict(e) for s_id, e in verdicts.items()})
        self.failed = False
        self.version += 1

    def set_failed(self) -> None:
        self.failed = True
        self.version += 1

    def forget(self, ids: Iterable[str] | None = None) -> None:
        """Unknown again: these ids (an edit), or every one (a new load)."""
        if ids is None:
            self._evidence.clear()
        else:
            for s_id in ids:
                self._evidence.pop(s_id, None)
        self.failed = False
        self.version += 1
