"""Issue 15: a time reads the same in the TUI and in the CLI. For the same snapshots, the browser's
Start and Modified cells are the START and MODIFIED of `snapshots list`; for the same replay view
events, the replay picker's Date and Time spent are the TIME and TIME SPENT of `events list`.
The formatters themselves: tests/unit/test_timefmt.py."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.cli_runner import Cli

from heatmap_tui.devserver import DevServer
from heatmap_tui.ui.dialogs.replay_picker import COLUMNS, ReplayPicker
from heatmap_tui.ui.widgets.table_model import COLUMN_INDEX
from tests.apps.shell_app import SIZE, app_id, config_path, settle
from tests.functional.test_demo_place import browser_of
from tests.functional.test_tui_open_at import profile, tui_app


def table_rows(stdout: str) -> list[dict[str, str]]:
    """The rows of a CLI table, each cell by its header (cells start where their header starts)."""
    header, *lines = stdout.splitlines()
    spans = [(m.group(), m.start()) for m in re.finditer(r"\S+(?: \S+)*", header)]
    ends = [start for _, start in spans[1:]] + [None]
    return [
        {label: line[start:end].strip() for (label, start), end in zip(spans, ends, strict=True)}
        for line in lines
    ]


async def test_start_age_moment_and_duration_read_the_same_in_the_tui_and_the_cli(
    devserver: DevServer, profile: object, tmp_path: Path
) -> None:
    cli = Cli(tmp_path / "cli", devserver.url)
    listed = cli.api("snapshots", "list", "--view", "/home", "--app", "Shop Web", "--device", "mobile")
    events = cli.api(
        "events", "list", "--view", "/home", "--device", "mobile", "--app", "Shop Web", "--limit", "200"
    )
    assert listed.code == events.code == 0, (listed, events)
    by_id = {row["ID"]: row for row in table_rows(listed.stdout)}
    timed = {row["EVENT ID"]: row for row in table_rows(events.stdout)}

    app = tui_app("--app", app_id(devserver), "--view", "/home", "--device", "mobile")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        model = browser_of(app).table.model
        cells = {row.id: model.cells(row) for row in model.shown}
        assert set(cells) == set(by_id) and len(cells) > 5
        for snapshot_id, shown in cells.items():
            assert shown[COLUMN_INDEX["start"]] == by_id[snapshot_id]["START"]
        # An age is counted from when each list was made, seconds apart: compare those that
        # read in days or more, which cannot have turned over in between.
        aged = {
            i: c[COLUMN_INDEX["modified"]]
            for i, c in cells.items()
            if re.search(r"(d|mo|y) ago$", c[COLUMN_INDEX["modified"]])
        }
        assert len(aged) > 5
        assert aged == {i: by_id[i]["MODIFIED"] for i in aged}

        await pilot.press("n")  # the create form, on /home and mobile ...
        await settle(pilot)
        await pilot.press("ctrl+r")  # ... and its replay picker
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ReplayPicker)
        date, spent = COLUMNS.index("Date"), COLUMNS.index("Time spent")
        rows = {e.event_id: picker.table.get_row(e.event_id) for e in picker.events}
        both = set(rows) & set(timed)
        assert len(both) > 5
        for event_id in both:
            assert (str(rows[event_id][date]), str(rows[event_id][spent])) == (
                timed[event_id]["TIME"],
                timed[event_id]["TIME SPENT"],
            )
        assert any(re.fullmatch(r"\d+m \d\ds", timed[e]["TIME SPENT"]) for e in both)  # "1m 05s", not "65.0s"
