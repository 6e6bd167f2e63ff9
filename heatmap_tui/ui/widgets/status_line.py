"""The browser's status line: where you are, how much is shown, and how much API headroom is left."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict, Unpack

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from heatmap_tui.core.ratelimit import RateLimitInfo
from heatmap_tui.ui.safe import safe

TRUNCATED = "showing the first {limit}: the list may be cut short"


@dataclass(frozen=True, slots=True)
class Status:
    site: str = ""
    profile: str = ""
    application: str = ""
    scope: str = ""  # the view (or "all N views") and device listed
    shown: int = 0
    total: int = 0
    marked: int = 0
    marked_hidden: int = 0  # of those marked, how many the row filter hides
    range_marking: bool = False  # moving the cursor marks the rows it passes
    rate_limit: RateLimitInfo | None = None
    refreshed_at: datetime | None = None
    loading: bool = False
    truncated_limit: int | None = None  # the page limit a list came back full at
    truncated_views: tuple[str, ...] = ()  # in all-views mode: which views came back full
    problem: str = ""  # why the last refresh failed, in plain words
    read_only: bool = False
    stale_filter: str = ""  # the stale filter in force, in words ("stale rows", "outdated rows")
    stale_checking: bool = False  # the stale look-ups run


class StatusChanges(TypedDict, total=False):
    """Any of Status's fields, for StatusLine.set (mypy checks the two agree)."""

    site: str
    profile: str
    application: str
    scope: str
    shown: int
    total: int
    marked: int
    marked_hidden: int
    range_marking: bool
    rate_limit: RateLimitInfo | None
    refreshed_at: datetime | None
    loading: bool
    truncated_limit: int | None
    truncated_views: tuple[str, ...]
    problem: str
    read_only: bool
    stale_filter: str
    stale_checking: bool


def _rate_limit(info: RateLimitInfo | None) -> str | None:
    if info is None or info.remaining is None:
        return None
    if info.limit is None:
        return f"API {info.remaining} left"
    return f"API {info.remaining}/{info.limit} left"


def facts(s: Status) -> Content:
    """One line, most important first: a narrow terminal cuts the end off."""
    parts: list[Content] = [Content.assemble(safe(s.site, "bold"), " ", safe(s.profile, "italic"))]
    if s.read_only:
        parts.append(Content.styled("read-only", "bold $text-warning"))
    if s.range_marking:  # a mode, as vim shows -- VISUAL LINE --: up front, where it is seen
        parts.append(Content.styled("range marking", "bold $text-accent"))
    if s.application:
        parts.append(safe(s.application, "bold"))
    if s.scope:
        parts.append(safe(s.scope))
    if s.loading:
        parts.append(Content.styled("loading…", "bold $warning"))
    elif s.shown != s.total:
        parts.append(Content(f"{s.shown}/{s.total} shown"))
    else:
        parts.append(Content(f"{s.total} snapshots"))
    if s.stale_filter:
        parts.append(safe(f"only {s.stale_filter} (S)", "bold $accent"))
    if s.stale_checking:
        parts.append(Content.styled("checking stale…", "italic"))
    if s.marked:
        hidden = f", {s.marked_hidden} hidden by the filter" if s.marked_hidden else ""
        parts.append(Content.styled(f"{s.marked} marked{hidden}", "bold $accent"))
    if (rate := _rate_limit(s.rate_limit)) is not None:
        parts.append(Content(rate))
    if s.refreshed_at is not None:
        parts.append(Content(f"refreshed {s.refreshed_at:%H:%M:%S} UTC"))
    return Content.styled(" │ ", "dim").join(parts)


def notes(s: Status) -> Content:
    """Warnings that must be read whole, so they wrap: a list cut short, a failed refresh."""
    lines: list[Content] = []
    if s.truncated_limit is not None:
        warning = TRUNCATED.format(limit=s.truncated_limit)
        if s.truncated_views:
            warning += f" ({', '.join(s.truncated_views)})"
        lines.append(safe(f"⚠ {warning}", "bold $text-warning"))
    if s.problem:
        lines.append(safe(f"✗ {s.problem}", "bold $text-error"))
    return Content("\n").join(lines)


class StatusLine(Vertical):
    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
        /* One line whatever it says: an update repaints it without a layout of the screen. */
        #status-facts { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = Status()
        self._shown_facts: Content | None = None
        self._shown_notes: Content | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status-facts", markup=False)
        yield Static(id="status-notes", markup=False)

    def on_mount(self) -> None:
        self._show()

    def set(self, **changes: Unpack[StatusChanges]) -> None:
        self.status = replace(self.status, **changes)
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        # Only what changed is updated: a keystroke in the row filter changes the counts alone.
        shown_facts, shown_notes = facts(self.status), notes(self.status)
        if shown_facts != self._shown_facts:
            self._shown_facts = shown_facts
            self.query_one("#status-facts", Static).update(shown_facts, layout=False)
        if shown_notes != self._shown_notes:  # they wrap: their height may change
            self._shown_notes = shown_notes
            widget = self.query_one("#status-notes", Static)
            widget.update(shown_notes)
            widget.display = bool(shown_notes.plain)

    def render_status(self) -> Content:
        """Everything shown, as one text (what tests and screen readers want)."""
        note = notes(self.status)
        return facts(self.status) if not note.plain else Content("\n").join([facts(self.status), note])
