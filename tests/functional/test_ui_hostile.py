"""Hostile outside text on every screen: shown as data, never obeyed, never a crash.

Names, views, authors, application names, server messages, trash entries and config values are
what any member of a Datadog org (or anything that writes the user's files) can type: terminal
escapes (OSC 52 writes the clipboard), Rich/Textual markup (`[/]` raised MarkupError and killed
the app; `[@click=app.quit]` made a clickable action), bidi overrides, newlines, lone surrogates,
very long strings. Each scenario runs the whole app (HeatmapApp) against the embedded server,
starting the way a later run does (the remembered application, view and device), walks to a
screen or dialog and checks the frame the terminal would be sent:

- no raw control, bidi or surrogate character in any segment of text, and none in the bytes the
  driver would write other than Textual's own colour and cursor sequences;
- no link and no click action that came from data;
- the literal text, as `visible` escapes it, is on screen.

Each scenario runs once with fixed worst cases and a few times with strings drawn by hypothesis.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._toast import Toast

from heatmap_tui.core.config import Config, Profile, save_config
from heatmap_tui.core.models import RumApplication, Snapshot
from heatmap_tui.core.paths import DATA_ENV
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import SiteError, redact_url, resolve_site
from heatmap_tui.core.state import Position, state_path
from heatmap_tui.core.state import remember as remember_position
from heatmap_tui.core.trash import Trash
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.auth import User
from heatmap_tui.devserver.clock import epoch_ms
from heatmap_tui.devserver.events import ViewEvent
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.dialogs.bulk_progress import BulkDeleteProgress
from heatmap_tui.ui.dialogs.cleanup_dialog import CleanupDialog
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDialog
from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm
from heatmap_tui.ui.dialogs.replay_picker import ReplayPicker
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.dialogs.view_picker import ViewPicker
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.help import HelpScreen
from heatmap_tui.ui.screens.site_picker import SitePicker
from heatmap_tui.ui.screens.trash_screen import TrashScreen
from heatmap_tui.ui.screenshots import settle
from tests.apps.shell_app import DEMO_ENV, NOW, SIZE, app_id, make_services, no_keyring

# --- the strings ----------------------------------------------------------------------

WORST = [
    # First: the remembered view and the cursor's snapshot, so it holds a bit of everything.
    "close [/] \x1b]52;c;aGk=\x07\u202e\x85 only",
    "close [/] only",
    "[@click=app.quit]quit me[/]",
    "[link=file:///etc/passwd]x[/link] [/]",
    "[b]bold[/b] [$accent]v[/] [red on blue]r \\[esc]",
    "A \x1b]52;c;aGVsbG8=\x07 B",  # OSC 52: writes the clipboard
    "T \x1b]0;title\x07 \x1b[2J\x1b[H C \x1b[31mred",  # window title, clear screen, colour
    "RTL \u202egnp.exe\u202c \u2066iso\u2069 \u200fmark",
    "l1\nl2\r\n\tl3 \u2028 \u2029 end",
    "C1 \x85 \x9b31m DEL \x7f NUL \x00 BEL \x07",
    "wide 漢字 🔥 é " + "x" * 300 + " [/]",
]
# Only where JSON escapes can carry them (the trash file, typed values): a server's UTF-8 cannot.
SURROGATES = ["lone \ud800 high", "\udfff low [/]"]

FRAGMENTS = [
    "[/]",
    "[",
    "]",
    "[@click=app.quit]",
    "[@click=app.bell]",
    "[link=file:///etc/passwd]",
    "[/link]",
    "[b]",
    "[$accent]",
    "\\",
    "\x1b]52;c;aGk=\x07",
    "\x1b[2J",
    "\x1b",
    "\x07",
    "\x9b",
    "\x85",
    "\x00",
    "\x7f",
    "\u202e",
    "\u2066",
    "\u200f",
    "\n",
    "\r",
    "\t",
    "\u2028",
    "漢",
    "🔥",
    "é",
]
PLAIN = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=6)
HOSTILE = (
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), PLAIN), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda s: bool(s.strip()))
)
HOSTILE_LONG = st.one_of(HOSTILE, HOSTILE.map(lambda s: (s + " ") * 30))
STRINGS = st.lists(HOSTILE_LONG, min_size=2, max_size=3, unique=True)
DRAWN = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a whole app run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- what the terminal is sent ----------------------------------------------------------

# C0, DEL, C1, the bidi marks, embeddings, overrides and isolates, line and paragraph
# separators, surrogates: none of them may reach the terminal as text.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
SURROGATE = re.compile("[\ud800-\udfff]")
# What Textual itself writes around the text: colours and cursor moves.
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[[0-9]+;[0-9]+H|\n")
# Squashed away before looking for a literal: spaces, box drawing and block elements of
# borders and scrollbars, the ellipsis of a cut cell.
SQUASH = re.compile(r"[\s\u2500-\u259f…]")


@dataclass
class Frame:
    strips: list[Strip]  # one per screen line
    problems: list[str]

    def text(self, region: Region | None = None) -> str:
        """The characters shown, or those inside `region` (screen coordinates)."""
        if region is None:
            return "\n".join(strip.text for strip in self.strips)
        lines = self.strips[region.y : region.bottom]
        return "\n".join(strip.crop(region.x, region.right).text for strip in lines)


def frame(app: App[Any]) -> Frame:
    """The whole screen as a full update, the way the app sends it to the terminal."""
    update: Any = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    problems: list[str] = []
    lines: list[Strip] = []
    for line in update.strips:
        strips = [line] if isinstance(line, Strip) else list(line)
        segments: list[Segment] = [segment for strip in strips for segment in strip]
        for segment in segments:
            if segment.control:
                continue
            if UNSAFE.search(segment.text):
                problems.append(f"raw character in {segment.text!r}")
            style = segment.style
            if style is not None and style.link:
                problems.append(f"a link to {style.link!r} on {segment.text!r}")
            if style is not None and style.meta and "@click" in style.meta:
                problems.append(f"a click action {style.meta['@click']!r} on {segment.text!r}")
        lines.append(Strip([s for s in segments if not s.control]))
    written = OWN_SEQUENCES.sub("", update.render_segments(app.console))
    if UNSAFE.search(written):
        found = sorted({repr(c) for c in UNSAFE.findall(written)})
        problems.append(f"the driver would write {', '.join(found)}")
    return Frame(lines, problems)


def shown_form(text: str, cells: int = 10) -> str:
    """The start of `text` as `visible` shows it, short enough for any cell it is put in."""
    out = ""
    for char in visible(text).lstrip():
        if cell_len(out + char) > cells:
            break
        out += char
    return out


def glyphs(text: str) -> str:
    """How an input field shows its value: one glyph per unsafe character (a control picture
    for C0 and DEL, U+FFFD for the rest), so the cursor still points at the right character."""

    def one(char: str) -> str:
        if not UNSAFE.match(char):
            return char
        code = ord(char)
        return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"

    return "".join(map(one, text))


def short(text: str) -> str:
    """`text` stripped and cut to 40 characters once escaped: for a value that messages repeat
    before the part a check looks for (the server's words)."""
    text = text.strip()
    while len(visible(text)) > 40:
        text = text[:-1].strip()
    return text


def said(text: str) -> str:
    """A server's message as the client keeps it: one line (whitespace runs become a space)."""
    return " ".join(text.split())


def json_shown(text: str) -> str:
    """How the JSON view shows a string: JSON's escapes, and \\uXXXX for what JSON leaves raw."""
    encoded = json.dumps(text, ensure_ascii=False)[1:-1]
    return "".join(f"\\u{ord(c):04x}" if UNSAFE.match(c) else c for c in encoded)


class Look:
    """Checks a frame at each step of a scenario; collects every problem before failing."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.failures: list[str] = []
        self.screens: list[str] = []

    @property
    def app(self) -> HeatmapApp:
        return self.pilot.app  # type: ignore[return-value]

    async def __call__(
        self,
        where: str,
        *,
        shows: Iterable[str] = (),
        literal: Iterable[str] = (),
        inputs: Iterable[str] = (),
        within: str | type[Widget] | None = None,
        cells: int = 10,
    ) -> Frame:
        """`shows`: outside strings whose escaped start must be on screen (inside the widgets
        `within` selects, when given); `inputs`: the same in an input field, one glyph for each
        unsafe character; `literal`: exact texts that must be there too."""
        await settle(self.pilot)
        seen = frame(self.app)
        self.screens.append(where)
        self.failures += [f"{where}: {p}" for p in seen.problems]
        if within is None:
            squashed = SQUASH.sub("", seen.text())
        else:
            widgets = list(self.app.screen.query(within))
            if not widgets:
                self.failures.append(f"{where}: nothing matches {within!r}")
            squashed = "\n".join(SQUASH.sub("", seen.text(w.region)) for w in widgets)
        for text in shows:
            expected = SQUASH.sub("", shown_form(text, cells))
            if expected and expected not in squashed:
                self.failures.append(f"{where}: {visible(text)[:40]!r} is not on screen")
        for text in inputs:
            expected = SQUASH.sub("", shown_form(glyphs(text)))
            if expected and expected not in squashed:
                self.failures.append(f"{where}: {glyphs(text)[:40]!r} is not in an input")
        for text in literal:
            if SQUASH.sub("", text) not in squashed:
                self.failures.append(f"{where}: {text!r} is not on screen")
        return seen

    def check(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def toasts(app: HeatmapApp) -> list[str]:
    return [n.message for n in app._notifications]


def last_toast(app: HeatmapApp) -> str:
    messages = toasts(app)
    assert messages, "no toast"
    return messages[-1]


# --- the world: a server with hostile data, a config that resumes it ------------------------


@dataclass
class World:
    server: DevServer
    tmp: Path
    texts: list[str]

    @property
    def config_path(self) -> Path:
        return self.tmp / "config.toml"

    @property
    def trash(self) -> Trash:
        return Trash(self.tmp / "trash.jsonl")

    def __post_init__(self) -> None:
        self.app_id = app_id(self.server)  # by name, before a scenario renames it

    @property
    def view(self) -> str:
        """The remembered view: the first string, stripped as the browser strips a view (and
        short enough that the messages which name it still show what follows)."""
        return short(self.texts[0])

    def remember(
        self,
        *,
        view: str | None = None,
        device: str | None = None,
        app: bool = True,
        others: dict[str, Profile] | None = None,
        **kw: Any,
    ) -> None:
        """The config (profile "default" on EU1, `others`, `kw` settings) and, with `app`, the
        state file's note of where the last run left off: this app, `view` and `device`."""
        profiles = {"default": Profile(site="EU1"), **(others or {})}
        save_config(Config(active_profile="default", profiles=profiles, **kw), self.config_path)
        if app:
            position = Position(site="EU1", application_id=self.app_id, view_name=view, device_type=device)
            remember_position("default", position, state_path())

    def rename_app(self, name: str) -> None:
        store = self.server.store
        old = store.applications[self.app_id]
        attributes = old.attributes.model_copy(update={"name": name})
        store.applications[self.app_id] = RumApplication(id=old.id, attributes=attributes)

    def add_apps(self, names: Sequence[str]) -> None:
        apps = []
        for index, name in enumerate(names):
            app = str(uuid.uuid4())
            attributes = {"application_id": app, "name": name, "type": names[-1 - index], "is_active": True}
            apps.append(RumApplication.model_validate({"id": app, "attributes": attributes}))
        self.server.store.add_applications(apps)

    def add_snapshots(
        self, view: str, texts: Sequence[str], device: str = "desktop", *, odd_ids: bool = False
    ) -> list[Snapshot]:
        """A snapshot per text (its name; the author the text from the other end); `odd_ids`:
        ids with markup in them, as a server could send (never a control: the client refuses those)."""
        made = []
        for index, text in enumerate(texts):
            snapshot_id = f"[/][b]{uuid.uuid4()}[@click=app.quit]" if odd_ids else None
            author = texts[-1 - index]
            user = User(author, f"{author}@example", 4242 + index)
            made.append(
                self.server.store.new_snapshot(
                    application_id=self.app_id,
                    view_name=view,
                    device_type=device,
                    snapshot_name=text,
                    user=user,
                    modified_at=NOW - timedelta(days=400 + index),
                    id=snapshot_id,
                )
            )
        return made

    def add_events(self, views: Sequence[str], urls: Sequence[str], device: str = "desktop") -> None:
        events = []
        for index, view in enumerate(views):
            for copy in range(70):  # busier than any seeded view: the view picker lists them first
                date = epoch_ms(NOW - timedelta(minutes=1 + index * 70 + copy))
                events.append(
                    ViewEvent(
                        id=str(uuid.uuid4()),
                        date=date,
                        application_id=self.app_id,
                        # Ids are the server's too: the newest rows' hold an escape and markup.
                        session_id=f"\x1b[2J[/]{uuid.uuid4()}" if copy < 3 else str(uuid.uuid4()),
                        has_replay=True,
                        view_id=f"\u202e[b]{uuid.uuid4()}" if copy < 3 else str(uuid.uuid4()),
                        view_name=view,
                        url=urls[(index + copy) % len(urls)],
                        time_spent_ms=1234,
                        device_type=device,
                        session_start=date - 5000,
                    )
                )
        self.server.store.add_events(events)

    def app(self, **kw: Any) -> HeatmapApp:
        """The app on the demo keys (from the environment) and no OS keyring, unless `kw` says."""
        kw.setdefault("env", DEMO_ENV)
        kw.setdefault("store", no_keyring())
        services = make_services(self.server, self.config_path, **kw)
        services.trash = self.trash
        return HeatmapApp(services)


Scenario = Callable[[World], Coroutine[Any, Any, Look]]


@contextmanager
def data_dir(path: Path) -> Iterator[None]:
    """HEATMAP_TUI_DATA (the state file, the trash) at `path` for one run: never the user's."""
    before = os.environ.get(DATA_ENV)
    os.environ[DATA_ENV] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ[DATA_ENV]
        else:
            os.environ[DATA_ENV] = before


def run(scenario: Scenario, texts: Sequence[str]) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="hostile-") as tmp,
        data_dir(Path(tmp) / "data"),
        DevServer(seed=True, now=NOW) as server,
    ):
        look = asyncio.run(scenario(World(server, Path(tmp), list(texts))))
    look.check()


# --- the scenarios ---------------------------------------------------------------------


async def browser_scenario(world: World) -> Look:
    """Resume into the browser on a hostile view; table, details, JSON, copy-id toast, errors."""
    texts = world.texts
    world.rename_app(texts[-1])
    snapshots = world.add_snapshots(world.view, texts)
    world.remember(view=world.view, device="desktop")
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen), app.screen
        assert browser.table.model.total_count == len(snapshots)
        await look("status line", shows=[texts[-1]], within="#status")
        await look("filter bar", inputs=[world.view], within="#filters")
        for snapshot in snapshots:  # each row, with its details pane
            browser.table.move_cursor(browser.table.model.index_of(snapshot.id) or 0)
            author = snapshot.attributes.created_by or ""
            await look("table", shows=[snapshot.name, snapshot.view_name, author], within="#snapshots")
            await look("details", shows=[snapshot.name], within="#detail")
        for snapshot in snapshots:  # each one full screen (enter), and as JSON there (J)
            browser.table.move_cursor(browser.table.model.index_of(snapshot.id) or 0)
            await pilot.press("enter")
            await look("detail view", shows=[snapshot.name], within="#detail-full")
            await look("detail view title", shows=[repr(snapshot.name)], within="#detail-title")
            await pilot.press("J")
            await look("JSON view", literal=[json_shown(snapshot.name)[:10]], within="#detail-full")
            await pilot.press("escape")
            await settle(pilot)
        cursor = browser.table.cursor_snapshot
        assert cursor is not None
        await pilot.press("y")
        assert last_toast(app) == visible(f"Copied the id of {cursor.name!r}: {cursor.id}")
        await look("copy-id toast", shows=[repr(cursor.name)], within=Toast)
        app.clear_notifications()
        # The server's own words in an error: a toast and the status line.
        message = f"filter[view_name]: {texts[1]}"
        world.server.faults.fail_next(400, method="GET", message=message)
        await pilot.press("r")
        await look("load error", shows=[said(message)], cells=40, within=Toast)
        await look("load error status", literal=["✗"], within="#status")
        app.clear_notifications()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await look("help", literal=["Snapshot browser"], within="#help")
        await pilot.press("escape")
        await pilot.press("s")
        await look("sort menu", within="#sort-menu")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await look("command palette")
        await pilot.press("escape")
    return look


async def delete_scenario(world: World) -> Look:
    """Delete one (its dialog and toast), then the rest in bulk (dialog, progress, summary)."""
    texts = world.texts
    snapshots = world.add_snapshots(world.view, [*texts, *reversed(texts)])  # 4 or more
    world.remember(view=world.view)
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen), app.screen
        first = browser.table.cursor_snapshot
        assert first is not None
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await look("delete one", shows=[first.name, first.view_name], within="#confirm-delete")
        await pilot.click("#delete")
        await look("deleted toast", shows=[repr(first.name)], within=Toast)
        assert last_toast(app).startswith(visible(f"Deleted snapshot {first.name!r}"))
        app.clear_notifications()
        # One of the rest fails with the server's words; the others go.
        rest = [s for s in snapshots if s.id != first.id]
        world.server.faults.fail_next(
            400,
            method="DELETE",
            path_prefix=f"/api/v2/replay/heatmap/snapshots/{rest[0].id}",
            message=texts[0],
        )
        await pilot.press("A")
        marked = browser.table.marked_snapshots
        assert {s.id for s in marked} == {s.id for s in rest}
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        # The first rows of the list (a long one may be several lines high).
        await look("delete many", shows=[s.name for s in marked[:2]], within="#confirm-delete")
        await pilot.click("#delete")
        await settle(pilot)
        assert isinstance(app.screen, BulkDeleteProgress), app.screen
        await look("bulk summary", shows=[rest[0].name], within="#bulk-progress")
        await look("bulk error", shows=[said(texts[0])], cells=40, within="#bulk-progress")
        await pilot.press("escape")
        await look("bulk toast", within=Toast)
        app.clear_notifications()
        await pilot.press("T")
        assert isinstance(app.screen, TrashScreen), app.screen
        await look("trash after deletes", shows=[first.name], within="#trash-table")
    return look


async def form_scenario(world: World) -> Look:
    """The edit form of a hostile snapshot, the create form on a hostile view, a save error."""
    texts = world.texts
    snapshots = world.add_snapshots(world.view, texts, odd_ids=True)
    world.remember(view=world.view, device="desktop")  # the new snapshot's device
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen), app.screen
        cursor = browser.table.cursor_snapshot
        assert cursor is not None and cursor.id in {s.id for s in snapshots}
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, SnapshotForm)
        assert form.query_one("#f-snapshot_name", Input).value == cursor.name  # the value itself is kept
        await look("edit form", shows=[repr(cursor.name)], within="#snapshot-form")
        await look("edit form id", literal=[f"id {cursor.id}"[:30]], within="#snapshot-form")
        await pilot.press("escape")
        for snapshot in snapshots:  # every name in the form's title ('[link=…]' crashed e)
            browser.table.move_cursor(browser.table.model.index_of(snapshot.id) or 0)
            await pilot.press("e")
            assert isinstance(app.screen, SnapshotForm), app.screen
            await look("edit form", shows=[repr(snapshot.name)], within="#snapshot-form")
            await pilot.press("escape")
        browser.table.move_cursor(browser.table.model.index_of(cursor.id) or 0)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, SnapshotForm)
        world.server.faults.fail_next(400, method="PATCH", message=texts[1])
        form.query_one("#f-start", Input).value = "1.5s"
        await pilot.press("ctrl+s")
        await look("edit error", shows=[said(texts[1])], cells=40, within="#snapshot-form")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SnapshotForm)
        assert form.query_one("#f-view_name", Input).value == world.view
        name_input = form.query_one("#f-snapshot_name", Input)
        name_input.value = texts[-1]  # typed or pasted by the person
        name_input.focus()
        await look("create form", within="#snapshot-form")
        name_input.value = short(texts[-1])  # the error repeats the name before the server's words
        world.server.faults.fail_next(400, method="POST", message=texts[-1])
        form.query_one("#f-event_id", Input).value = str(uuid.uuid4())
        form.query_one("#f-start", Input).value = "2s"
        await pilot.press("ctrl+s")
        await look("create error", shows=[said(texts[-1])], cells=40, within="#snapshot-form")
        name_input.value = (
            f"{short(texts[-1])} \ud800"  # pasted: a lone surrogate, which no request can carry
        )
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SnapshotForm), app.screen  # refused, in words, and still there
        await look("create with a lone surrogate", inputs=[name_input.value], within="#snapshot-form")
    return look


async def views_scenario(world: World) -> Look:
    """Discovered views with hostile names: view picker; replay events: replay picker."""
    texts = world.texts
    views = list(dict.fromkeys(short(t) for t in texts))
    world.add_events(views, urls=texts)
    world.add_snapshots(views[0], texts)
    world.remember(view=views[0], device="desktop")
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen), app.screen
        await pilot.press("v")
        assert isinstance(app.screen, ViewPicker)
        await look("view picker", shows=views, within="#view-picker")
        await pilot.press("escape")
        await pilot.press("a")  # all views: the discovered ones too
        await look("all views", within="#snapshots")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SnapshotForm)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ReplayPicker), app.screen
        await look("replay picker", shows=[views[0]], within="#replay-picker")
        await pilot.press("enter", "enter")  # the view, then its moment: the hints name the event
        await look("replay filled", within="#snapshot-form")
        await pilot.press("escape")
        await settle(pilot)
        # The view filter, typed: completion from the discovered names never shows a raw one.
        browser.filter_bar.focus_view()
        browser.filter_bar.show_view("")
        await pilot.press(*(c for c in views[-1][:2] if c.isprintable() and c.isascii() and c not in "[]"))
        await look("view filter", within="#filters")
        empty = f"{views[-1]} (none)"  # a view without snapshots: the table says so, naming it
        browser.apply_view(empty)
        await look("empty view", shows=[repr(empty)], within="#snapshots")
    return look


async def cleanup_scenario(world: World) -> Look:
    """The clean-up dialog: scope (the view), authors offered, the preview of hostile rows."""
    texts = world.texts
    world.add_snapshots(world.view, texts)
    world.remember(view=world.view)
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, CleanupDialog), app.screen
        await look("cleanup", shows=[world.view], within="#cleanup")
        dialog.query_one("#cleanup-age", Input).value = "30d"
        await settle(pilot)
        preview = dialog.preview_table
        assert preview.row_count == len(texts)
        for row in range(preview.row_count):  # each row in turn (a long one is a few lines high)
            preview.move_cursor(row=row)
            name = world.server.store.snapshots[
                str(preview.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value)
            ].name
            await look("cleanup preview", shows=[name], within="#cleanup-preview")
        author = dialog.query_one("#cleanup-author", Input)
        author.value = texts[1]
        author.focus()
        await look("cleanup by author", shows=[texts[1]], within="#cleanup-count")
    return look


async def pickers_scenario(world: World) -> Look:
    """The application picker with hostile app names and types; the site picker's errors."""
    texts = world.texts
    world.add_apps(texts)
    # Another profile on a custom URL: its path may hold anything (the palette names it).
    url = usable_url(texts)
    other = Profile(api_url=url)
    # A keymap the file's author got wrong: keys no terminal sends, a binding id that is not one.
    keymap = {"apps.refresh": f"{short(texts[0])},\x1b", f"apps.{short(texts[1])}": "q"}
    world.remember(app=False, others={"other": other}, keymap=keymap)
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        assert isinstance(app.screen, AppPicker), app.screen
        await look("app picker", shows=texts, within="#apps-table")
        await look("keymap warning", shows=[repr(f"apps.{short(texts[1])}")], cells=30, within=Toast)
        app.clear_notifications()
        await pilot.press("f1")
        await look("help", literal=["Application picker", "ctrl+r"], within="#help")
        await pilot.press("escape")
        world.server.faults.fail_next(403, message=texts[0])
        await pilot.press("ctrl+r")
        await look("apps error", shows=[said(texts[0])], cells=40, within=Toast)
        app.clear_notifications()
        await pilot.press("ctrl+p")
        await look("command palette", literal=["Switch profile: other"])
        await pilot.press(*"profile")
        await look("command palette search", literal=["Use profile 'other'"])
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        sites: Any = app.screen  # escape went back to the sites
        assert isinstance(sites, SitePicker), sites
        custom = sites.query_one("#custom-url", Input)
        custom.value = texts[1]
        custom.focus()
        await pilot.press("enter")
        # (What stands before an @ is cut from a URL in messages: it may be a password.)
        await look("site picker error", shows=[redact_url(texts[1].strip())], within="#custom-error")
        profile = sites.query_one("#profile-input", Input)
        profile.value = f"{texts[0]} [/]"  # never a usable profile name: it has a space
        profile.focus()
        await pilot.press("enter")
        await look("profile error", shows=[profile.value.strip()], within="#profile-error")
    return look


async def trash_scenario(world: World) -> Look:
    """The trash screen reads a file: names, views, devices, errors, lone surrogates too."""
    texts = world.texts
    trash = world.trash
    # The trash writes UTF-8, which has no lone surrogates: a placeholder is written, then
    # swapped for the JSON escape a hand edit (or another program) could leave in the file.
    placeholders = {f"surrogate-{i}-here": text for i, text in enumerate(texts) if SURROGATE.search(text)}
    written = [next((k for k, v in placeholders.items() if v == text), text) for text in texts]
    for index, text in enumerate(written):
        attributes = {
            "application_id": world.app_id,
            "view_name": written[-1 - index],
            "device_type": text,
            "snapshot_name": text,
            "event_id": str(uuid.uuid4()),
            "start": 1000,
            "is_device_type_selected_by_user": False,
        }
        snapshot = Snapshot.model_validate({"id": str(uuid.uuid4()), "attributes": attributes})
        batch = f"batch-{index}"
        trash.record(snapshot, site="EU1", profile="default", batch_id=batch)
        trash.record_failure(snapshot.id, batch, written[-1 - index])
    content = trash.path.read_text()
    for placeholder, text in placeholders.items():
        content = content.replace(placeholder, json.dumps(text)[1:-1])
    trash.path.write_text(content)
    world.add_snapshots(world.view, texts[:1])
    world.remember(view=world.view)
    app = world.app()
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TrashScreen), app.screen
        await look("trash", shows=texts, within="#trash-table")
        for _ in texts:
            await look("trash entry", within="#trash-detail")
            await pilot.press("j")
        await pilot.press("space", "p")
        await look("purge dialog", within="#confirm-delete")
        await pilot.press("escape")
        # Restore the marked entry: the server refuses it, in its own words.
        world.server.faults.fail_next(400, method="POST", message=texts[0])
        await pilot.press("r")
        await settle(pilot)
        await look("restore report", literal=["failed"], within="#restore-progress")
        await pilot.press("escape")
        await look("restore toast", within=Toast)
    return look


async def crash_offer_scenario(world: World) -> Look:
    """The offer of a clean start reads the crash note, a file: shown as data too."""
    texts = world.texts
    marker = world.tmp / "last-run-crashed.json"
    note = {"at": texts[0], "error": texts[1], "where": texts[-1]}
    marker.write_text(json.dumps(note))  # JSON escapes: lone surrogates too
    world.add_snapshots(world.view, texts)
    world.remember(view=world.view)
    app = world.app(crash_marker=marker)
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        await look("crash offer", shows=[texts[0]], within="#crash-offer")
        await pilot.press("escape")  # start clean
        await look("clean start")
    return look


def custom_url(texts: Sequence[str]) -> str:
    """A loopback URL whose path is made of `texts`: markup, escapes, bidi, whatever they hold."""
    path = "".join(c for c in short(texts[0]) + short(texts[1]) if c not in "?#%\\ ")
    return f"http://127.0.0.1:1/{path}"


def usable_url(texts: Sequence[str]) -> str:
    """The same without what no URL may hold (controls, bidi): markup and the rest stay."""
    url = "".join(c for c in custom_url(texts) if not UNSAFE.match(c))
    try:
        resolve_site(None, url)
    except SiteError:  # a fixed worst case instead
        return "http://127.0.0.1:1/[@click=app.quit]x[/]"
    return url


async def keys_scenario(world: World) -> Look:
    """A config naming a custom URL that holds anything, and no keys: the start (told, not
    dead), the site picker, the keys form that names the site, keys that cannot be checked."""
    texts = world.texts
    url, usable = custom_url(texts), usable_url(texts)
    save_config(
        Config(active_profile="default", profiles={"default": Profile(api_url=url)}), world.config_path
    )
    app = world.app(env={})
    async with app.run_test(size=SIZE, notifications=True, tooltips=True) as pilot:
        look = Look(pilot)
        await settle(pilot)
        sites: Any = app.screen
        assert isinstance(sites, SitePicker), sites
        await look("start on a custom URL", within="#site-picker")
        custom = sites.query_one("#custom-url", Input)
        custom.value = usable
        custom.focus()
        await pilot.press("enter")
        await settle(pilot)
        form: Any = app.screen
        assert isinstance(form, CredentialsForm), form
        await look("keys form", shows=[usable], cells=30, within="#credentials")
        form.query_one("#api-key", Input).value = "a" * 32
        form.query_one("#app-key", Input).value = "b" * 40
        await pilot.press("ctrl+s")
        await look("keys error", within="#credentials")
    return look


SCENARIOS: dict[str, Scenario] = {
    "browser": browser_scenario,
    "delete": delete_scenario,
    "form": form_scenario,
    "views": views_scenario,
    "cleanup": cleanup_scenario,
    "pickers": pickers_scenario,
    "trash": trash_scenario,
    "crash offer": crash_offer_scenario,
    "keys": keys_scenario,
}
# The server's strings never hold lone surrogates; the trash file's and the typed ones may.
LOCAL = {"trash", "crash offer"}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_worst_cases_are_shown_not_obeyed(name: str) -> None:
    texts = WORST + SURROGATES if name in LOCAL else WORST
    run(SCENARIOS[name], texts)


@pytest.mark.parametrize("name", list(SCENARIOS))
@DRAWN
@given(texts=STRINGS, surrogate=st.sampled_from(SURROGATES))
def test_drawn_strings_are_shown_not_obeyed(name: str, texts: list[str], surrogate: str) -> None:
    if name in LOCAL:
        texts = [*texts, surrogate]
    run(SCENARIOS[name], texts)


async def test_the_frame_check_sees_what_it_looks_for() -> None:
    """The checks above are not vacuous: markup parsed from data and raw escapes are caught."""

    class Naive(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("[@click=app.quit]quit[/] [link='file:///etc/passwd']x[/link]")  # parsed
            yield Static("raw \x1b]52;c;aGk=\x07 \u202e", markup=False)  # written as it is

    app = Naive()
    async with app.run_test(size=(60, 5)):
        problems = frame(app).problems
    assert any("click action 'app.quit'" in p for p in problems), problems
    assert any("a link to 'file:///etc/passwd'" in p for p in problems), problems
    assert any(p.startswith("raw character") for p in problems), problems
    assert any(p.startswith("the driver would write") and "\\x1b" in p for p in problems), problems
