"""Hostile text from the server, the trash or the config, shown by the real CLI (issue 12, 13.7).

A snapshot's name, its view, its author, an application's name, an event's URL and a server's
error message are typed by any member of a Datadog org. The CLI must show them as data: no
control character reaches the terminal (OSC 52 writes the clipboard, CSI clears the screen, C1
controls are CSI to some terminals, bidi overrides reorder the line), a newline cannot split a
table row, columns stay aligned in terminal cells (CJK and emoji take two), and CSV cells never
start a formula.

The CLI runs as a subprocess against the embedded dev server on loopback; output is read as bytes
(text mode would turn a stray carriage return into a newline and hide it).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from scripts.cli_runner import Cli

from heatmap_tui.cli import build_parser, main
from heatmap_tui.core.models import RumApplication, RumApplicationAttributes
from heatmap_tui.core.safe_text import visible
from heatmap_tui.devserver import DevServer
from heatmap_tui.devserver.auth import User
from heatmap_tui.devserver.clock import epoch_ms
from heatmap_tui.devserver.events import ViewEvent

# What must never reach a terminal: C0 controls but the line-ending newline (tab included), DEL,
# C1, the bidi marks, embeddings, overrides and isolates, the line and paragraph separators.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)

OSC52 = "A \x1b]52;c;aGk=\x07 B"  # writes "hi" to the clipboard
TITLE = "\x1b]0;title\x07 renamed"  # sets the window title
CLEAR = "wipe \x1b[2J\x1b[H here"  # clears the screen
C1 = "c1 \x9b31m red \x85 next"  # 8-bit CSI and NEL
BIDI = "invoice \u202egnp.exe"  # shows as "invoice exe.png"
NEWLINES = "two\nlines\r\nand a\rreturn"
MARKUP = "close [/] only [bold]x[/bold] [@click=app.quit]q[/]"
CJK = "日本語の名前"
EMOJI = "party 🎉🎉 done"
FORMULA = '=HYPERLINK("http://evil.example","click")'
TAB_FORMULA = "\t=1+2"
HOSTILE_NAMES = (
    OSC52,
    TITLE,
    CLEAR,
    C1,
    BIDI,
    NEWLINES,
    MARKUP,
    CJK,
    EMOJI,
    FORMULA,
    TAB_FORMULA,
    "+1",
    "@x",
)

HOSTILE_VIEW = "/v \x1b]0;view\x07 日本 \u202e"
HOSTILE_APP = "Shop \x1b[31mred\x1b[0m 🎉"
HOSTILE_URL = "https://shop.example/\x1b]52;c;aGk=\x07\n?q=\u202e"
HOSTILE_AUTHOR = User("Eve \x1b]0;pwn\x07", "eve\u202e@evil\n.example", 9000001)
HOSTILE_MESSAGE = "denied \x1b]52;c;aGk=\x07 \x9b2J\nheatmap-tui: 0 deleted (forged line) \u202e"
SHOWN_MESSAGE = "denied \\x1b]52;c;aGk=\\x07 \\x9b2J"  # how its start must show

SNAPSHOTS_PATH = "/api/v2/replay/heatmap/snapshots"


# --- running the CLI ----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return f"heatmap-tui {self.args!r} -> {self.code}\n--- stdout\n{self.stdout!r}\n--- stderr\n{self.stderr!r}"


def run_cli(cli: Cli, *args: str) -> Run:
    """The real CLI in a subprocess; stdout and stderr as bytes, decoded strictly as UTF-8."""
    done = subprocess.run(
        cli.command(*args), stdin=subprocess.DEVNULL, capture_output=True, env=cli.env, timeout=60
    )
    result = Run(args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))
    assert "Traceback" not in result.stderr, str(result)
    return result


def assert_terminal_safe(result: Run) -> None:
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        found = RAW_CONTROL.search(text)
        assert found is None, f"raw {found.group()!r} on {name} of {result}"


def at_cell(line: str, offset: int) -> str:
    """What `line` shows from terminal column `offset` on (columns counted in cells).

    Zero-width characters (combining marks) belong to the cell before them, so they are dropped
    from the start of the answer; compare with `shown_from`.
    """
    width = 0
    for i, char in enumerate(line):
        if width >= offset:
            return shown_from(line[i:])
        width += cell_len(char)
    return ""


def shown_from(text: str) -> str:
    """`text` without the zero-width characters it starts with."""
    i = 0
    while i < len(text) and cell_len(text[i]) == 0:
        i += 1
    return text[i:]


def assert_columns(
    lines: Sequence[str], headers: Sequence[str], rows: Sequence[Sequence[str | None]]
) -> None:
    """Each row's cells start at the terminal column where their header starts, after a gap.

    `rows` holds the expected cell of each column, or None for a column not checked.
    """
    header = lines[0]
    starts = [cell_len(header[: header.index(label)]) for label in headers]
    assert len(lines) == len(rows) + 1, "one line per row"
    for line, expected in zip(lines[1:], rows, strict=True):
        padded = line + " " * (starts[-1] + 2)  # the last cell's padding was stripped
        for start, cell in zip(starts, expected, strict=True):
            if cell is not None:
                assert at_cell(padded, start).startswith(shown_from(cell)), (
                    f"{cell!r} not at {start} in {line!r}"
                )
            if start:  # the column gap ends right there
                assert at_cell(padded, start - 2).startswith("  "), (
                    f"no gap before column {start} in {line!r}"
                )


def csv_expected(text: str) -> str:
    """What a text cell of `--csv` must hold: a formula start guarded by `'`, controls escaped."""
    guarded = "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and text else text
    return visible(guarded)


# --- the hostile org ------------------------------------------------------------------------


@dataclass
class HostileOrg:
    server: DevServer
    cli: Cli
    app_id: str
    ids: dict[str, str]  # snapshot name -> id


def add_hostile_org(
    server: DevServer, names: Sequence[str], view: str = HOSTILE_VIEW
) -> tuple[str, dict[str, str]]:
    """An application, replay view events and one snapshot per name, all holding hostile text."""
    app_id = str(uuid.uuid4())
    server.store.add_applications(
        [
            RumApplication(
                id=app_id, attributes=RumApplicationAttributes(application_id=app_id, name=HOSTILE_APP)
            )
        ]
    )
    now = epoch_ms(server.clock())
    server.store.add_events(
        ViewEvent(
            id=str(uuid.uuid4()),
            date=now - (i + 1) * 60_000,
            application_id=app_id,
            session_id=f"session-{i}",
            has_replay=True,
            view_id=f"view-{i}",
            view_name=view,
            url=HOSTILE_URL,
            time_spent_ms=1_500,
            device_type="desktop",
            session_start=now - (i + 2) * 60_000,
        )
        for i in range(3)
    )
    ids = {}
    for name in names:
        snapshot = server.store.new_snapshot(
            application_id=app_id,
            view_name=view,
            snapshot_name=name,
            user=HOSTILE_AUTHOR,
            modified_at=server.clock() - timedelta(minutes=len(ids)),
        )
        ids[name] = snapshot.id
    return app_id, ids


@pytest.fixture
def org(tmp_path: Path) -> Iterator[HostileOrg]:
    with DevServer(seed=False) as server:
        app_id, ids = add_hostile_org(server, HOSTILE_NAMES)
        yield HostileOrg(server, Cli(tmp_path, server.url), app_id, ids)


# --- snapshots list, --csv, --json --------------------------------------------------------


def test_snapshots_table_shows_names_as_escaped_text_one_line_per_row_aligned(org: HostileOrg) -> None:
    result = run_cli(org.cli, "snapshots", "list", "--view", HOSTILE_VIEW, "--api-url", org.cli.url)
    assert result.code == 0, result
    assert_terminal_safe(result)
    lines = result.stdout.splitlines()
    # Newest first: the order the names were created in.
    rows = [
        [
            visible(name),
            visible(HOSTILE_VIEW),
            "desktop",
            None,
            visible(HOSTILE_AUTHOR.handle),
            None,
            org.ids[name],
        ]
        for name in HOSTILE_NAMES
    ]
    assert_columns(lines, ("NAME", "VIEW", "DEVICE", "START", "AUTHOR", "MODIFIED", "ID"), rows)
    for literal in ("A \\x1b]52;c;aGk=\\x07 B", "wipe \\x1b[2J\\x1b[H here", "c1 \\x9b31m red \\x85 next"):
        assert literal in result.stdout
    assert "invoice \\u202egnp.exe" in result.stdout and "two\\nlines\\r\\nand a\\rreturn" in result.stdout
    assert MARKUP in result.stdout and CJK in result.stdout and EMOJI in result.stdout


def test_csv_guards_formulas_and_keeps_one_line_per_row(org: HostileOrg) -> None:
    result = run_cli(org.cli, "snapshots", "list", "--view", HOSTILE_VIEW, "--csv", "--api-url", org.cli.url)
    assert result.code == 0, result
    assert_terminal_safe(result)
    assert len(result.stdout.splitlines()) == len(HOSTILE_NAMES) + 1
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    for name, snapshot_id in org.ids.items():
        row = rows[snapshot_id]
        assert row["snapshot_name"] == csv_expected(name)
        assert row["view_name"] == visible(HOSTILE_VIEW)
        assert row["created_by_handle"] == visible(HOSTILE_AUTHOR.handle)
    assert rows[org.ids[FORMULA]]["snapshot_name"] == "'" + FORMULA
    assert rows[org.ids[TAB_FORMULA]]["snapshot_name"] == "'\\t=1+2"
    assert rows[org.ids["+1"]]["snapshot_name"] == "'+1" and rows[org.ids["@x"]]["snapshot_name"] == "'@x"
    assert rows[org.ids[CJK]]["snapshot_name"] == CJK


def test_json_keeps_the_exact_text_and_nothing_that_acts_on_a_terminal(org: HostileOrg) -> None:
    result = run_cli(org.cli, "snapshots", "list", "--view", HOSTILE_VIEW, "--json", "--api-url", org.cli.url)
    assert result.code == 0, result
    assert_terminal_safe(result)
    names = {s["attributes"]["snapshot_name"] for s in json.loads(result.stdout)["data"]}
    assert names == set(HOSTILE_NAMES)


# --- views, events, errors ---------------------------------------------------------------


def test_views_and_events_tables(org: HostileOrg) -> None:
    views = run_cli(org.cli, "views", "list", "--api-url", org.cli.url)
    events = run_cli(org.cli, "events", "list", "--view", HOSTILE_VIEW, "--api-url", org.cli.url)
    for result in (views, events):
        assert result.code == 0, result
        assert_terminal_safe(result)
    assert_columns(
        views.stdout.splitlines(),
        ("APPLICATION", "VIEW", "VIEWS", "SNAPSHOTS"),
        [[visible(HOSTILE_APP), visible(HOSTILE_VIEW), "3", str(len(HOSTILE_NAMES))]],
    )
    lines = events.stdout.splitlines()
    assert_columns(
        lines,
        ("TIME", "SESSION ID", "VIEW ID", "DEVICE", "TIME SPENT", "URL", "EVENT ID"),
        [
            [None, f"session-{i}", f"view-{i}", "desktop", "1.5s", visible(HOSTILE_URL), None]
            for i in range(3)
        ],
    )


def test_a_server_error_message_is_one_visible_line_on_stderr(org: HostileOrg) -> None:
    org.server.faults.fail_next(400, method="GET", path_prefix=SNAPSHOTS_PATH, message=HOSTILE_MESSAGE)
    result = run_cli(org.cli, "snapshots", "list", "--view", HOSTILE_VIEW, "--api-url", org.cli.url)
    assert result.code == 1, result
    assert_terminal_safe(result)
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()  # the message's newline forges no second line
    assert line.startswith("heatmap-tui: Could not list the snapshots of " + visible(HOSTILE_VIEW))
    assert SHOWN_MESSAGE in line and line.endswith("(forged line) \\u202e.")


def test_auth_status_shows_a_server_message_on_one_line(org: HostileOrg) -> None:
    org.server.faults.fail_next(400, count=2, message=HOSTILE_MESSAGE)
    result = run_cli(org.cli, "auth", "status", "--api-url", org.cli.url)
    assert result.code == 1, result
    assert_terminal_safe(result)
    (problem,) = [line for line in result.stdout.splitlines() if "denied" in line]
    assert SHOWN_MESSAGE in problem and "(forged line)" in problem


# --- delete, trash list, restore -------------------------------------------------------------


def test_delete_trash_list_and_restore_show_names_escaped(org: HostileOrg) -> None:
    doomed = [OSC52, NEWLINES, C1, CJK, EMOJI, BIDI]
    ids = [org.ids[name] for name in doomed]
    # The second delete fails with a hostile message: its progress line quotes it.
    org.server.faults.fail_next(
        403, method="DELETE", path_prefix=f"{SNAPSHOTS_PATH}/{ids[1]}", message=HOSTILE_MESSAGE
    )
    deleted = run_cli(
        org.cli,
        "snapshots",
        "delete",
        *ids,
        "--view",
        HOSTILE_VIEW,
        "--yes",
        "--concurrency",
        "1",
        "--api-url",
        org.cli.url,
    )
    assert deleted.code == 1, deleted
    assert_terminal_safe(deleted)
    assert SHOWN_MESSAGE in deleted.stderr and "5 deleted, 1 failed" in deleted.stderr
    assert not any(line.startswith("heatmap-tui: 0 deleted") for line in deleted.stderr.splitlines())

    listing = run_cli(org.cli, "trash", "list")
    assert listing.code == 0, listing
    assert_terminal_safe(listing)
    # Oldest first; the failed delete's entry stays in the trash, marked as such.
    entries = {e["id"]: e for e in json.loads(run_cli(org.cli, "trash", "list", "--json").stdout)["data"]}
    lines = listing.stdout.splitlines()
    assert set(entries) == set(ids) and len(lines) == len(entries) + 1
    ordered = [next(i for i in ids if i in line) for line in lines[1:]]
    by_id = dict(zip(ids, doomed, strict=True))
    assert_columns(
        lines,
        ("DELETED", "STATE", "NAME", "VIEW", "DEVICE", "ID", "BATCH", "FROM"),
        [
            [None, entries[i]["state"], visible(by_id[i]), visible(HOSTILE_VIEW), "desktop", i, None, None]
            for i in ordered
        ],
    )

    restored = run_cli(org.cli, "trash", "restore", "--last", "--api-url", org.cli.url)
    assert restored.code == 0, restored
    assert_terminal_safe(restored)
    restored_lines = [line for line in restored.stdout.splitlines() if line.startswith("restored")]
    assert len(restored_lines) == 5 and len(restored.stdout.splitlines()) == 6  # and the skipped one
    assert any(visible(OSC52) in line for line in restored_lines)


def test_profiles_list_shows_config_values_escaped(tmp_path: Path) -> None:
    cli = Cli(tmp_path, "http://127.0.0.1:9")
    (tmp_path / "config.toml").write_text(
        'active_profile = "default"\n\n'
        "[profiles.default]\n"
        'site = "EU1"\n'
        'last_application_id = "app \\u001b]0;pwn\\u0007\\nnext \\u009b2J \\u202e"\n\n'
        "[profiles.work]\n"
        'site = "US5"\n',
        encoding="utf-8",
    )
    result = run_cli(cli, "profiles", "list")
    assert result.code == 0, result
    assert_terminal_safe(result)
    lines = result.stdout.splitlines()
    assert lines == [
        "* default  EU1  app app \\x1b]0;pwn\\x07\\nnext \\x9b2J \\u202e",
        "  work     US5",
    ]


# --- any name: a hypothesis strategy of hostile strings ----------------------------------------

FRAGMENTS = st.sampled_from(
    [
        *("\x1b]52;c;aGk=\x07", "\x1b]0;t\x07", "\x1b[2J", "\x9b", "\x85", "\u202e", "\u2066", "\u2028"),
        *("\n", "\r\n", "\t", "[/]", "[bold]", "=", "+", "-", "@", " ", ","),
        *("日本", "語", "🎉", "👍🏽", "ｗｉｄｅ", "e\u0301"),
    ]
)
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs",))  # the wire is UTF-8
HOSTILE_TEXT = st.lists(FRAGMENTS | CHARACTERS, min_size=1, max_size=12).map("".join)


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[DevServer]:
    with DevServer(seed=False) as server:
        yield server


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(HOSTILE_TEXT, min_size=1, max_size=6, unique=True))
def test_any_names_table_and_csv(fuzz_server: DevServer, tmp_path: Path, names: list[str]) -> None:
    view = f"/fuzz-{uuid.uuid4()}"
    _, ids = add_hostile_org(fuzz_server, names, view=view)
    cli = Cli(tmp_path, fuzz_server.url)
    table = run_cli(cli, "snapshots", "list", "--view", view, "--api-url", cli.url)
    as_csv = run_cli(cli, "snapshots", "list", "--view", view, "--csv", "--api-url", cli.url)
    for result in (table, as_csv):
        assert result.code == 0, result
        assert_terminal_safe(result)
    rows = [
        [visible(name), view, "desktop", None, visible(HOSTILE_AUTHOR.handle), None, ids[name]]
        for name in names
    ]
    assert_columns(
        table.stdout.splitlines(), ("NAME", "VIEW", "DEVICE", "START", "AUTHOR", "MODIFIED", "ID"), rows
    )
    assert len(as_csv.stdout.splitlines()) == len(names) + 1
    by_id = {row["id"]: row["snapshot_name"] for row in csv.DictReader(io.StringIO(as_csv.stdout))}
    assert by_id == {ids[name]: csv_expected(name) for name in names}


# --- the output layer in process: any text, surrogates included -------------------------------

ANY_TEXT = st.lists(FRAGMENTS | st.characters(), max_size=10).map("".join)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(ANY_TEXT, min_size=3, max_size=3), min_size=1, max_size=5))
def test_print_table_of_any_text(rows: list[list[str]]) -> None:
    from heatmap_tui.commands import common
    from heatmap_tui.commands.output import print_table

    out = io.StringIO()
    real = common.sys.stdout
    common.sys.stdout = out
    try:
        print_table(("A", "B", "C"), rows)
    finally:
        common.sys.stdout = real
    text = out.getvalue()
    assert RAW_CONTROL.search(text) is None and re.search("[\ud800-\udfff]", text) is None
    expected = [[visible(cell) for cell in row] for row in rows]
    assert_columns(text.splitlines(), ("A", "B", "C"), expected)


def test_wide_characters_keep_columns_aligned(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13.7: padding counts terminal cells, so CJK and emoji (two cells each) align."""
    from heatmap_tui.commands.output import print_table

    print_table(("NAME", "ID"), [["日本語の名前", "id-1"], ["party 🎉🎉", "id-2"], ["plain", "id-3"]])
    lines = capsys.readouterr().out.splitlines()
    assert [cell_len(line[: line.index("id-")]) for line in lines[1:]] == [14, 14, 14]  # 12 cells + gap
    assert cell_len(lines[0][: lines[0].index("ID")]) == 14


# --- argparse: no abbreviations ------------------------------------------------------------


def all_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from all_parsers(child)


def test_no_parser_accepts_an_abbreviation() -> None:
    parsers = list(all_parsers(build_parser()))
    assert len(parsers) > 20  # every command and action
    assert [p.prog for p in parsers if p.allow_abbrev] == []


@pytest.mark.parametrize(
    ("args", "unrecognized"),
    [
        (["trash", "restore", "--last", "--app", "x"], "--app"),  # was --app-key
        (["auth", "status", "--app", "x"], "--app"),  # was --app-key
        (["snapshots", "list", "--view", "/home", "--dev", "mobile"], "--dev mobile"),  # was --device
        (["snapshots", "delete", "id-1", "--ye"], "--ye"),  # was --yes
    ],
)
def test_an_abbreviation_is_a_usage_error(
    args: list[str],
    unrecognized: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in Cli(tmp_path, "http://127.0.0.1:9").env.items():
        monkeypatch.setenv(key, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"heatmap-tui: error: unrecognized arguments: {unrecognized}" in err, err
    assert "Traceback" not in err


def test_a_usage_error_shows_the_argument_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "list", "\x1b]0;x\x07"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: \\x1b]0;x\\x07" in err and RAW_CONTROL.search(err) is None
