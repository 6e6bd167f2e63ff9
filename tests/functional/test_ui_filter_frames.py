"""A keystroke in the row filter, frame by frame (issue 17): the table's change lands in the same
frame as the echo of the key, the detail pane follows the cursor in that frame too, and no
keystroke lays out the whole screen.

The real browser screen against the embedded server over loopback. What each frame carries is
noted as Textual paints it: the filter input's text, the filter the table drew and the snapshot
the detail pane drew, each when the widget rendered, and App._display marks the end of a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.widgets.snapshot_table import SnapshotTable
from tests.apps.browser_app import BrowserApp, server, settle, steady_cursors

SIZE = (120, 40)


@dataclass
class Drawn:
    """What a frame showed: the filter input's text, the table's filter, the detail's snapshot."""

    text: str | None
    filter: str | None
    detail: str | None


@dataclass
class FrameLog:
    frames: list[Drawn] = field(default_factory=list)
    layouts: int = 0
    text: str | None = None
    filter: str | None = None
    detail: str | None = None


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> FrameLog:
    log = FrameLog()
    render_lines, display, refresh_layout = Widget.render_lines, App._display, Screen._refresh_layout

    def noted_render_lines(widget: Widget, crop: Any) -> Any:
        lines = render_lines(widget, crop)
        if widget.id == "search-input":
            log.text = widget.value  # type: ignore[attr-defined]
        elif widget.id == "detail-body":
            detail = widget.parent
            snapshot = getattr(detail, "snapshot", None)
            log.detail = snapshot.id if snapshot is not None else ""
        return lines

    def noted_table_lines(table: SnapshotTable, crop: Any) -> Any:
        log.filter = table.model.filter_text
        return table_lines(table, crop)

    def noted_display(app: App[Any], screen: Screen[Any], update: Any) -> None:
        display(app, screen, update)
        if update is not None and not app._batch_count:
            log.frames.append(Drawn(log.text, log.filter, log.detail))

    def noted_layout(screen: Screen[Any], *args: Any, **kw: Any) -> None:
        log.layouts += 1
        refresh_layout(screen, *args, **kw)

    table_lines = SnapshotTable.render_lines
    monkeypatch.setattr(Widget, "render_lines", noted_render_lines)
    monkeypatch.setattr(SnapshotTable, "render_lines", noted_table_lines)
    monkeypatch.setattr(App, "_display", noted_display)
    monkeypatch.setattr(Screen, "_refresh_layout", noted_layout)
    return log


async def test_each_key_shows_the_filtered_table_and_its_cursor_row_in_the_frame_of_its_echo(
    server: DevServer, frames: FrameLog
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        steady_cursors(pilot)
        await settle(pilot)
        table = app.browser.table
        body = app.browser.detail.query_one("#detail-body")
        typed = ""
        cursor_rows, laid_out, quiet_keys = set(), [], 0
        for key in ["m", "o", "b", "i", "l", "e", "backspace", "backspace", "space", "4"]:
            before, layouts = len(frames.frames), frames.layouts
            sizes = (table.show_vertical_scrollbar, body.size.height)
            await pilot.press(key)
            await pilot.pause(0.05)
            typed = typed[:-1] if key == "backspace" else typed + {"space": " "}.get(key, key)
            cursor = table.cursor_snapshot
            cursor_rows.add(cursor.id if cursor is not None else "")
            echoed = [f for f in frames.frames[before:] if f.text == typed]
            assert echoed, f"no frame echoed {typed!r}"
            first = echoed[0]
            assert first.filter == typed, f"{typed!r} echoed before the table showed it: {first}"
            assert first.detail == (cursor.id if cursor is not None else ""), first
            # A layout only where a size changed: the table's scrollbar came or went, or the
            # detail's text grew or shrank; the echo, the rows and the counts repaint in place.
            if (table.show_vertical_scrollbar, body.size.height) == sizes:
                quiet_keys += 1
                assert frames.layouts == layouts, f"{key!r} laid out the screen with no size changed"
            else:
                laid_out.append(key)
        assert table.model.filter_text == typed == "mobi 4"
        assert 0 < table.model.shown_count < table.model.total_count
        assert len(cursor_rows) > 1  # the filter moved the cursor to other rows on the way
        assert quiet_keys >= 6, laid_out


async def test_a_status_line_warning_still_lays_out_when_it_appears(
    server: DevServer, frames: FrameLog
) -> None:
    """The counts repaint in place; a warning that wraps onto new lines still gets its room."""
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = app.browser.status
        notes = status.query_one("#status-notes")
        assert not notes.display
        frames.layouts = 0
        status.set(problem="the server said no " * 12)
        await pilot.pause(0.1)
        assert notes.display and notes.size.height >= 2
        assert frames.layouts >= 1
        assert "the server said no" in status.render_status().plain
