"""The full-screen detail view of a snapshot (issue 15): opened with enter or J from the browser,
scrolled with vim keys, y copies its JSON, E edits it in a real $EDITOR (a script written here)
and saves it through the edit form's validation, against the embedded server over loopback."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Static

from heatmap_tui.core.config import Config, Profile, save_config
from heatmap_tui.core.models import Snapshot, SnapshotUpdateAttributes
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.payloads import snapshot_json as server_json
from heatmap_tui.ui.edited_json import EditedSnapshot, read_edited
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.help import HelpScreen, help_groups
from heatmap_tui.ui.screens.snapshot_detail import SnapshotDetailScreen
from heatmap_tui.ui.screens.snapshot_json_editor import NOT_CHANGED, NOTHING_TO_SEND, EditNotSent
from heatmap_tui.ui.widgets.detail_pane import snapshot_json
from tests.apps.browser_app import BrowserApp, notifications, server, settle
from tests.apps.shell_app import DEMO_ENV, app_id, config_path, shell_app

PATH = "/api/v2/replay/heatmap/snapshots"
MakeEditor = Callable[..., Path]
SNAPSHOT = Snapshot.model_validate(
    {
        "id": "snap-1",
        "type": "snapshots",
        "attributes": {
            "application_id": "app-1",
            "view_name": "/home",
            "device_type": "desktop",
            "snapshot_name": "Home",
            "event_id": "evt-1",
            "start": 1500,
            "is_device_type_selected_by_user": True,
            "created_at": "2026-05-01T12:00:00.000Z",
            "created_by": "Ann",
        },
    }
)


def detail_of(app: BrowserApp) -> SnapshotDetailScreen:
    assert isinstance(app.screen, SnapshotDetailScreen), app.screen
    return app.screen


def cursor_of(app: BrowserApp) -> Snapshot:
    snapshot = app.browser.table.cursor_snapshot
    assert snapshot is not None
    return snapshot


def patches(server: DevServer) -> int:
    return server.count("PATCH", PATH)


@pytest.fixture
def temp_dir(tmp_path: Path) -> Path:
    (tmp_path / "tmp").mkdir()
    return tmp_path / "tmp"


@pytest.fixture
def editor(tmp_path: Path, temp_dir: Path, monkeypatch: pytest.MonkeyPatch) -> MakeEditor:
    """`editor(body)` makes a real executable the editor ($EDITOR; $VISUAL unset): a Python script
    whose `path` is the file to edit and `data` its JSON (None when it is not JSON). Each run
    records the path it was given in tmp_path/edited. The app's temp files go to temp_dir."""
    monkeypatch.setattr(tempfile, "tempdir", str(temp_dir))

    def make(body: str, name: str = "editor.py") -> Path:
        script = tmp_path / name
        script.write_text(
            f"#!{sys.executable}\n"
            "import json, pathlib, sys\n"
            "path = pathlib.Path(sys.argv[1])\n"
            f"pathlib.Path({str(tmp_path / 'edited')!r}).write_text(str(path))\n"
            "try:\n    data = json.loads(path.read_text())\nexcept ValueError:\n    data = None\n"
            f"{body}\n",
            encoding="utf-8",
        )
        script.chmod(0o755)
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.setenv("EDITOR", str(script))
        return script

    return make


def edited_path(tmp_path: Path) -> Path:
    return Path((tmp_path / "edited").read_text())


SET_EVENT = 'data["attributes"]["event_id"] = "evt-from-editor"; data["attributes"]["start"] = 4321\n'
WRITE = "path.write_text(json.dumps(data, indent=2))"


# --- open, scroll, toggle, back --------------------------------------------------


def body_lines(detail: SnapshotDetailScreen) -> list[str]:
    """What the pane shows, a line each (the part in view and the rest)."""
    body = detail.pane.query_one("#detail-body", Static)
    return [strip.text.rstrip() for strip in body.render_lines(Region(0, 0, *body.size))]


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_enter_opens_the_fields_full_screen_and_escape_returns_to_the_row(
    server: DevServer, size: tuple[int, int]
) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        snapshot = cursor_of(app)
        await pilot.press("enter")
        await settle(pilot)
        detail = detail_of(app)
        pane = detail.pane
        assert not pane.json_mode and pane.snapshot == snapshot and app.focused is pane
        assert pane.region.width == size[0] and pane.region.height == size[1] - 2  # title, footer
        # One field a line, all in view, the identifiers after the rest.
        lines = body_lines(detail)
        a = snapshot.attributes
        expected = [
            ("Name", a.snapshot_name),
            ("View", a.view_name),
            ("ID", snapshot.id),
            ("Event ID", a.event_id),
        ]
        for label, value in expected:
            assert any(line.startswith(label) and line.endswith(value) for line in lines), (label, lines)
        assert len(lines) < pane.scrollable_content_region.height and pane.max_scroll_y == 0
        assert snapshot.name in str(detail.query_one("#detail-title", Static).render())
        # tab shows the JSON, J the fields again.
        await pilot.press("tab")
        assert pane.json_mode and body_lines(detail)[0] == "{"
        await pilot.press("J")
        assert not pane.json_mode
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.browser and app.focused is app.browser.table
        assert app.browser.table.cursor_row == 2 and cursor_of(app) == snapshot


async def test_the_scroll_keys_move_the_view(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(60, 14)) as pilot:  # the JSON is three times the pane's height
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        pane = detail_of(app).pane
        page = pane.scrollable_content_region.height
        assert pane.max_scroll_y > page + 2
        for keys, y in [
            (("j", "j"), 2),
            (("k",), 1),
            (("G",), pane.max_scroll_y),
            (("g",), 0),
            (("down", "down", "up"), 1),
            (("end",), pane.max_scroll_y),
            (("home",), 0),
            (("pagedown",), page),
            (("pageup",), 0),
            (("ctrl+f",), page),
            (("ctrl+b",), 0),
        ]:
            await pilot.press(*keys)
            await settle(pilot)
            assert pane.scroll_y == y, keys


async def test_J_opens_the_json_and_y_copies_it(server: DevServer) -> None:
    app = BrowserApp(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        snapshot = cursor_of(app)
        await pilot.press("J")
        await settle(pilot)
        detail = detail_of(app)
        assert detail.pane.json_mode and detail.pane.snapshot == snapshot
        await pilot.press("y")
        copied = snapshot_json(snapshot)
        assert app.copied == [copied]
        stored = server.store.get_snapshot(snapshot.id)
        assert stored is not None and json.loads(copied) == server_json(stored)
        assert any(snapshot.name in n and "JSON" in n for n in notifications(app))
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is app.browser and cursor_of(app) == snapshot


async def test_enter_in_the_filter_bar_still_filters_and_loads(server: DevServer) -> None:
    """enter opens the view only from the table: the row filter's enter goes back to the rows,
    the view box's loads the view."""
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        browser = app.browser
        await pilot.press("slash", *"desktop", "enter")
        await settle(pilot)
        assert app.screen is browser and app.focused is browser.table
        assert browser.table.model.filter_text == "desktop"
        browser.filter_bar.focus_view()
        browser.filter_bar.show_view("/cart")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is browser and browser.view == "/cart"


# --- E: the JSON in $EDITOR ---------------------------------------------------------


async def test_E_saves_the_edit_made_in_a_real_editor(
    server: DevServer, editor: MakeEditor, tmp_path: Path, temp_dir: Path
) -> None:
    # The name cannot change through the API: edited too, it is said to be ignored.
    editor(SET_EVENT + 'data["attributes"]["snapshot_name"] = "Renamed"\n' + WRITE)
    app = BrowserApp(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        snapshot = cursor_of(app)
        await pilot.press("enter", "E")
        await settle(pilot)
        stored = server.store.get_snapshot(snapshot.id)
        assert stored is not None
        assert (stored.attributes.event_id, stored.attributes.start) == ("evt-from-editor", 4321)
        assert stored.attributes.snapshot_name == snapshot.name
        assert patches(server) == 1
        messages = notifications(app)
        assert f"Saved snapshot {snapshot.name!r}" in messages
        assert "Ignored snapshot_name: the API does not let it change." in messages
        # The view and the table show what the server saved; the file is gone.
        detail = detail_of(app)
        assert (
            detail.pane.snapshot is not None and detail.pane.snapshot.attributes.event_id == "evt-from-editor"
        )
        assert not edited_path(tmp_path).exists() and detail.editor.path is None
        assert list(temp_dir.iterdir()) == []
        await pilot.press("escape")
        await settle(pilot)
        assert cursor_of(app).id == snapshot.id and cursor_of(app).attributes.event_id == "evt-from-editor"


async def test_an_invalid_edit_keeps_the_text_says_what_is_wrong_and_edits_again(
    server: DevServer, editor: MakeEditor, tmp_path: Path
) -> None:
    editor('path.write_text(path.read_text().replace(\'"start"\', \'"start" 12,\', 1) + "// mine")')
    app = BrowserApp(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        snapshot = cursor_of(app)
        await pilot.press("enter", "E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditNotSent)
        problems = str(dialog.items)
        assert "The file is not valid JSON: a colon is missing after a key, at line 10, column 13" in problems
        assert '(that line reads: "start" 12,: ' in problems
        path = edited_path(tmp_path)
        typed = path.read_text()
        assert typed.endswith("// mine") and str(path) in str(dialog.warning)
        assert patches(server) == 0
        # Cancel: still kept, and said where; E opens the same text again.
        await pilot.press("escape")
        await settle(pilot)
        assert any(f"Your text is kept in {path}" in n for n in notifications(app))
        assert path.read_text() == typed
        # Fixed JSON, wrong fields: each one said, with the edit form's own words.
        editor(
            f"assert path.read_text() == {typed!r}\n"
            "text = path.read_text().replace('\"start\" 12,', '\"start\"', 1).replace('// mine', '')\n"
            "data = json.loads(text)\n"
            'data["attributes"]["event_id"] = "has spaces"; data["attributes"]["start"] = "soon"\n'
            'data["attributes"]["view_id"] = 7\n' + WRITE,
            name="fields.py",
        )
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditNotSent)
        problems = str(dialog.items)
        assert "event_id: Event ID must not contain spaces." in problems
        assert "start: Start must be milliseconds (83500) or mm:ss.mmm (01:23.500)." in problems
        assert "view_id must be text in quotes (or null), not a number." in problems
        assert patches(server) == 0
        # Edit again (the focused button) with a fix: saved, and the file deleted.
        fix = "assert data['attributes']['event_id'] == 'has spaces'; data['attributes']['view_id'] = None\n"
        editor(fix + SET_EVENT + WRITE, name="fix.py")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SnapshotDetailScreen)
        stored = server.store.get_snapshot(snapshot.id)
        assert stored is not None and stored.attributes.event_id == "evt-from-editor"
        assert patches(server) == 1 and not path.exists()


async def test_leaving_with_an_unsent_edit_says_where_it_stays(
    server: DevServer, editor: MakeEditor, tmp_path: Path
) -> None:
    editor('path.write_text("{ mine")')
    app = BrowserApp(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "E")
        await settle(pilot)
        assert isinstance(app.screen, EditNotSent)
        await pilot.press("escape", "escape")
        await settle(pilot)
        path = edited_path(tmp_path)
        assert app.screen is app.browser and path.read_text() == "{ mine"
        assert f"Your edit that was not sent stays in {path}." in notifications(app)


async def test_an_unchanged_file_or_only_ignored_edits_send_nothing(
    server: DevServer, editor: MakeEditor, tmp_path: Path
) -> None:
    editor("pass")
    app = BrowserApp(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("J", "E")
        await settle(pilot)
        assert NOT_CHANGED in notifications(app)
        assert not edited_path(tmp_path).exists()
        editor('data["id"] = "other"; data["attributes"]["created_by"] = "Me"\n' + WRITE)
        await pilot.press("E")
        await settle(pilot)
        assert (
            f"{NOTHING_TO_SEND} Ignored id, created_by: the API does not let them change."
            in notifications(app)
        )
        assert not edited_path(tmp_path).exists()
        # An editor that fails without a change: said, nothing sent.
        editor("sys.exit(3)")
        await pilot.press("E")
        await settle(pilot)
        assert any("ended with status 3. Nothing was sent." in n for n in notifications(app))
        assert patches(server) == 0 and isinstance(app.screen, SnapshotDetailScreen)


async def test_read_only_hides_E(server: DevServer, editor: MakeEditor, tmp_path: Path) -> None:
    editor(SET_EVENT + WRITE)
    app = BrowserApp(server, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = detail_of(app)
        actions = {b.binding.action for b in detail.active_bindings.values()}
        assert "edit_in_editor" not in actions and "copy_json" in actions
        await pilot.press("E")
        await settle(pilot)
        assert not (tmp_path / "edited").exists() and patches(server) == 0
        # The shell lifts it (the palette's toggle): E is offered again, and edits.
        app.browser.read_only = False
        assert "edit_in_editor" in {b.binding.action for b in detail.active_bindings.values()}
        await pilot.press("E")
        await settle(pilot)
        assert (tmp_path / "edited").exists() and patches(server) == 1


async def test_help_lists_the_detail_views_keys(server: DevServer, config_path: Path) -> None:
    profile = Profile(site="EU1", last_application_id=app_id(server), last_view_name="/home")
    save_config(Config(active_profile="default", profiles={"default": profile}), config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SnapshotDetailScreen)
        for key in ("f1", "question_mark"):
            await pilot.press(key)
            await settle(pilot)
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            rows = {row.description for _, rows in help_groups(help_screen.target) for row in rows}
            assert {"JSON / fields", "Copy JSON", "Edit in $EDITOR", "Back", "Scroll down", "Top"} <= rows
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, SnapshotDetailScreen)


# --- reading the edited file back --------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda text: "", "The file is empty."),
        (lambda text: "[1, 2]", 'one JSON object with an "attributes" object'),
        (lambda text: text.replace('"start": ', '"start": true, "x": '), "start must be a whole number"),
        (
            lambda text: text.replace('"is_device_type_selected_by_user": ', '"chosen": '),
            "is_device_type_selected_by_user is missing: it must be true or false.",
        ),
        (lambda text: text.replace('"event_id": ', '"event_ids": '), "event_id: Event ID is required."),
    ],
)
def test_an_edited_file_is_read_back_with_each_problem_in_words(
    change: Callable[[str], str], problem: str
) -> None:
    written = snapshot_json(SNAPSHOT)
    edited = read_edited(written, change(written))
    assert edited.attributes is None
    assert any(problem in p for p in edited.problems), edited.problems


def test_an_edited_file_gives_what_to_send_and_what_was_ignored() -> None:
    written = snapshot_json(SNAPSHOT)
    data = json.loads(written)
    # Only the layout changed (and a start written as the form takes it): nothing to send.
    data["attributes"]["start"] = "00:01.500"
    assert read_edited(written, json.dumps(data)) == EditedSnapshot()
    data["attributes"].update(event_id="evt-2", view_id="view-2", snapshot_name="Other", created_by="Bob")
    data["attributes"].pop("created_at")
    edited = read_edited(written, json.dumps(data))
    assert edited.attributes == SnapshotUpdateAttributes(
        event_id="evt-2", start=1500, view_id="view-2", is_device_type_selected_by_user=True
    )
    assert edited.problems == () and edited.ignored == ("snapshot_name", "created_at", "created_by")
