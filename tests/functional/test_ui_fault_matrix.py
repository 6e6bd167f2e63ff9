"""The browser's list, edit and delete against every fault the embedded server makes, under Pilot.

Each cell opens the browser on /home, arms one fault at the server for the operation's method and
the snapshots path, and drives the operation by its keys: `r` (refresh), `e` + a new start +
ctrl+s (edit), `d` + Delete (delete). It checks: the app still runs and shows the expected screen;
a plain message naming what failed is shown (a notification or the form's inline error), with no
traceback or key in it; a failed save keeps the typed value in the form; a failed delete keeps the
row. Then the faults are cleared, `r` refreshes, and the table's ids equal the server's for /home.

Faults are armed for 3 requests (enough to use up the retries of a GET or DELETE). "malformed" and
"empty" spoil the answer of a request that was handled (as in test_fault_matrix.py): a DELETE's
204 has no body to spoil, so those deletes succeed. A 404 on DELETE means "already deleted
elsewhere": the row leaves the table, and the refresh brings it back (the server still has it).
The last test prints the operations x faults grid with the pass counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from faults import matrix_lines, report
from textual.widgets import Input, Static

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDelete
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from tests.apps.browser_app import (
    BrowserApp,
    data_dir,
    form_of,
    notifications,
    server,
    settle,
    store_snapshots,
)

SIZE = (120, 40)
PATH = "/api/v2/replay/heatmap/snapshots"
VIEW = "/home"
TRIES = 3
# What the edit types into the start field: inside its frame's view (01:18.175-02:50.050), since
# a start past the view's end is refused before any request (issue 15, bug 7).
TYPED_START = "2:00.007"

Arm = Callable[[DevServer, str], None]  # (server, method)


def fail(status: int) -> Arm:
    return lambda s, m: s.faults.fail_next(status, count=TRIES, method=m, path_prefix=PATH, reset=1)


@dataclass(frozen=True)
class Fault:
    arm: Arm
    says: tuple[str, ...]  # the message mentions one of these (case-insensitive)
    delete_outcome: str = "failed"  # "failed" | "done" (the delete succeeds) | "gone" (404: done elsewhere)


FAULTS: dict[str, Fault] = {
    "429": Fault(fail(429), ("rate limit",)),
    "500": Fault(fail(500), ("HTTP 500",)),
    "503": Fault(fail(503), ("HTTP 503",)),
    "502": Fault(fail(502), ("HTTP 502",)),
    "html": Fault(
        lambda s, m: s.faults.html_next(TRIES, method=m, path_prefix=PATH, status=502), ("HTML page",)
    ),
    "malformed": Fault(
        lambda s, m: s.faults.malformed_next(TRIES, method=m, path_prefix=PATH, after_apply=True),
        ("not valid JSON",),
        delete_outcome="done",
    ),
    "empty": Fault(
        lambda s, m: s.faults.empty_next(TRIES, method=m, path_prefix=PATH, after_apply=True),
        ("was empty",),
        delete_outcome="done",
    ),
    "drop": Fault(
        lambda s, m: s.faults.drop_next(TRIES, method=m, path_prefix=PATH),
        ("closed before the answer arrived", "broke while reading the answer"),
    ),
    "403": Fault(fail(403), ("HTTP 403",)),
    "404": Fault(
        fail(404), ("HTTP 404", "no longer exists", "already deleted elsewhere"), delete_outcome="gone"
    ),
}
OPS = {"list": "GET", "edit": "PATCH", "delete": "DELETE"}

RESULTS: dict[tuple[str, str], bool] = {}  # (fault, op) -> passed

NOT_PLAIN = (
    "Traceback",
    "httpx",
    "httpcore",
    "pydantic",
    "ValidationError",
    "object at 0x",
    "<class",
    "<html",
)


def shown_messages(app: BrowserApp) -> list[str]:
    """Every notification, plus the form's inline error when the form is on top."""
    texts = list(notifications(app))
    if isinstance(app.screen, SnapshotForm):
        error = app.screen.query_one("#form-error", Static)
        if error.display:
            texts.append(str(error.render()))
    return texts


def assert_plain_message(new: list[str], fault: Fault, fault_name: str) -> None:
    assert new, f"no message shown for {fault_name}"
    for text in new:
        for bad in (*NOT_PLAIN, DEMO_API_KEY, DEMO_APP_KEY):
            assert bad not in text, f"{bad!r} in {text!r}"
    assert any(any(s.lower() in t.lower() for s in fault.says) for t in new), (
        f"none of {fault.says} in {new!r}"
    )


def table_ids(app: BrowserApp) -> list[str]:
    return sorted(row.id for row in app.browser.table.model.shown)


def truth(server: DevServer) -> list[str]:
    return sorted(s.id for s in store_snapshots(server, VIEW))


async def run_cell(server: DevServer, fault_name: str, op: str) -> None:
    fault = FAULTS[fault_name]
    app = BrowserApp(server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.browser.table
        assert table_ids(app) == truth(server)
        target = table.cursor_snapshot
        assert target is not None
        before = len(shown_messages(app))
        fault.arm(server, OPS[op])

        if op == "list":
            await pilot.press("r")
            await settle(pilot)
            assert app.is_running and app.screen is app.browser
        elif op == "edit":
            await pilot.press("e")
            await settle(pilot)
            form = form_of(app)
            form.query_one("#f-start", Input).value = TYPED_START
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.is_running and form_of(app) is form
            assert form.query_one("#f-start", Input).value == TYPED_START
        else:
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDelete)
            await pilot.click("#delete")
            await settle(pilot)
            assert app.is_running and app.screen is app.browser
            present = table.model.index_of(target.id) is not None
            if fault.delete_outcome == "failed":
                assert present and server.store.get_snapshot(target.id) is not None
            elif fault.delete_outcome == "gone":
                assert not present and server.store.get_snapshot(target.id) is not None
            else:
                assert not present and server.store.get_snapshot(target.id) is None

        new = shown_messages(app)[before:]
        if op == "delete" and fault.delete_outcome == "done":
            assert any("Deleted snapshot" in t for t in new), new
        else:
            assert_plain_message(new, fault, fault_name)

        # Recovery: faults off, back to the browser, refresh: the table is the server's truth.
        server.faults.clear()
        if isinstance(app.screen, SnapshotForm):
            await pilot.press("escape")
            await settle(pilot)
        assert app.screen is app.browser
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running and app.screen is app.browser
        assert table_ids(app) == truth(server)


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("fault_name", list(FAULTS))
async def test_ui_fault_cell(server: DevServer, fault_name: str, op: str) -> None:
    RESULTS[(fault_name, op)] = False
    await run_cell(server, fault_name, op)
    RESULTS[(fault_name, op)] = True


def test_zz_print_ui_matrix_summary(request: pytest.FixtureRequest) -> None:
    lines = matrix_lines("UI fault matrix", FAULTS, OPS, RESULTS)
    report(request.config, lines)
    failed = [cell for cell, good in RESULTS.items() if not good]
    assert not failed, f"failed cells: {failed}"
