"""Every attribute of the selected snapshot, or the snapshot as the API's JSON: the browser's
pane, and the full-screen detail view (screens/snapshot_detail.py) in one column."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import has_control
from heatmap_tui.ui.format import format_absolute, format_relative, format_start
from heatmap_tui.ui.safe import safe_rich
from heatmap_tui.ui.widgets.side_by_side import SideBySide


def _rfc3339(dt: datetime) -> str:
    """`2026-05-01T12:00:00.123Z`: milliseconds and a Z, as Datadog writes timestamps."""
    dt = dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def snapshot_json(snapshot: Snapshot) -> str:
    """The snapshot in the shape the API sends it (unset optional attributes left out)."""
    payload = snapshot.model_dump(mode="json", exclude_none=True)
    for key in ("created_at", "modified_at"):
        value = getattr(snapshot.attributes, key)
        if value is not None:
            payload["attributes"][key] = _rfc3339(value)
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    # json.dumps escapes C0 controls; DEL, C1, bidi controls and lone surrogates it writes as they
    # are. Each becomes a \uXXXX escape: still the same JSON, and nothing acts on the terminal.
    if not has_control(text.replace("\n", "")):
        return text
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and has_control(c) else c for c in text)


def json_text(snapshot: Snapshot) -> Text:
    """The JSON, highlighted as rich.json.JSON does, without parsing it again (that would undo
    the escapes above)."""
    text = Text(snapshot_json(snapshot), no_wrap=True)
    JSONHighlighter().highlight(text)
    return text


def _when(dt: datetime | None, now: datetime) -> str:
    if dt is None:
        return "-"
    return f"{format_relative(dt, now)}  ({format_absolute(dt)})"


def _author(snapshot: Snapshot) -> str:
    a = snapshot.attributes
    name = a.created_by or ""
    if a.created_by_handle:
        name = f"{name} <{a.created_by_handle}>" if name else a.created_by_handle
    return name or "-"


def attribute_rows(snapshot: Snapshot, now: datetime) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Two columns of (label, value): what a person reads first, then the identifiers."""
    a = snapshot.attributes
    chosen = "chosen by a person" if a.is_device_type_selected_by_user else "detected"
    left = [
        ("Name", a.snapshot_name),
        ("View", a.view_name),
        ("Device", f"{a.device_type}  ({chosen})"),
        ("Start", f"{format_start(a.start)}  ({a.start} ms)"),
        ("Author", _author(snapshot)),
        ("Created", _when(a.created_at, now)),
        ("Modified", _when(a.modified_at, now)),
    ]
    right = [
        ("ID", snapshot.id),
        ("Application", a.application_id),
        ("Event ID", a.event_id),
        ("Session ID", a.session_id or "-"),
        ("View ID", a.view_id or "-"),
        ("Org", str(a.org_id) if a.org_id is not None else "-"),
    ]
    return left, right


StaleOf = Callable[[str], Mapping[str, str] | None]  # id -> reason -> evidence; None: not known yet


def stale_summary(evidence: Mapping[str, str] | None) -> str:
    if evidence is None:
        return "checking…"
    return ", ".join(evidence) if evidence else "no"


def stale_evidence(evidence: Mapping[str, str]) -> Table:
    """One line per reason: the reason, then its evidence (outside text: shown as it is)."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for reason, text in evidence.items():
        grid.add_row(reason, safe_rich(text))
    return grid


def attribute_grid(snapshot: Snapshot, now: datetime, *, stale: str | None = None) -> Table:
    """The attributes in one column of label and value (the identifiers after a blank line),
    where there is the height for it; long values fold. `stale` sums up its stale reasons.
    (Side by side, in the browser's pane, they are a SideBySide.)"""
    left, right = attribute_rows(snapshot, now)
    if stale is not None:
        right.append(("Stale", stale))
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for label, value in [*left, ("", ""), *right]:
        grid.add_row(label, safe_rich(value))
    return grid


class DetailPane(VerticalScroll):
    """A scrollable pane; `json_mode` switches between the attribute list and the JSON, and
    `one_column` lists the attributes in one column rather than two."""

    DEFAULT_CSS = """
    DetailPane {
        border: round $foreground 20%;
        border-title-color: $text-muted;
        padding: 0 1;
        &:focus-within { border: round $border; }
        #detail-body { width: 1fr; }
    }
    """

    def __init__(
        self, *, one_column: bool = False, stale_of: StaleOf | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.one_column = one_column
        self.stale_of = stale_of  # where the stale reasons come from (none: not shown)
        self.snapshot: Snapshot | None = None
        self.now: datetime | None = None
        self.json_mode = False
        self._lines: int | None = None  # the body's height in lines, when known (_update_body)

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="detail-body", markup=False)

    def on_mount(self) -> None:
        self._refresh_body()

    def show(self, snapshot: Snapshot | None, now: datetime) -> None:
        self.snapshot, self.now = snapshot, now
        self._refresh_body()

    def set_json_mode(self, on: bool) -> None:
        """JSON (class -json, which a screen may size by) or the attributes."""
        self.json_mode = on
        self.set_class(on, "-json")
        self._refresh_body()

    def _refresh_body(self) -> None:
        body = self.query_one("#detail-body", Static)
        snapshot, now = self.snapshot, self.now
        if snapshot is None or now is None:
            self._set_titles("JSON" if self.json_mode else "Details", "")
            self._update_body(body, Content.styled("No snapshot selected.", "dim italic"), 1)
            return
        if self.one_column:
            subtitle = "J: details" if self.json_mode else "J: JSON"
        else:  # the browser's pane: both open the full-screen view
            subtitle = "enter: details · J: JSON"
        self._set_titles("JSON" if self.json_mode else "Details", subtitle)
        if self.json_mode:
            text = json_text(snapshot)
            self._update_body(body, text, text.plain.count("\n") + 1)
        else:
            self._update_body(body, *self._attributes(snapshot, now, body.content_size.width))

    def _set_titles(self, title: str, subtitle: str) -> None:
        # Setting one repaints the pane, even to the same text: only a change is set.
        if self.border_title != title:
            self.border_title = title
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle

    def _update_body(
        self, body: Static, content: RenderableType | Content | SideBySide, lines: int | None
    ) -> None:
        """A new body of `lines` lines (None: not known before it is rendered). A body as tall as
        the last one is repainted without a layout: a layout reflows the whole screen, and the
        pane changes with every move of the browser's cursor."""
        body.update(content, layout=lines is None or lines != self._lines)
        self._lines = lines

    def _attributes(
        self, snapshot: Snapshot, now: datetime, width: int
    ) -> tuple[RenderableType | SideBySide, int | None]:
        """The attributes, and their height when it is known before a layout: side by side
        (SideBySide knows its height at any width) or in one column (a Rich grid, which folds)."""
        evidence = self.stale_of(snapshot.id) if self.stale_of is not None else None
        stale = stale_summary(evidence) if self.stale_of is not None else None
        if not self.one_column:
            left, right = attribute_rows(snapshot, now)
            if stale is not None:
                right.append(("Stale", stale))  # the reasons in sight, their evidence below
            visual = SideBySide(left, right, list((evidence or {}).items()))
            return visual, visual.get_height({}, width) if width else None
        grid = attribute_grid(snapshot, now, stale=stale)
        return (Group(grid, stale_evidence(evidence)) if evidence else grid), None
