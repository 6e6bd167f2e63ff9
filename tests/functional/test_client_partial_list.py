"""One snapshot the client cannot read does not hide the others: they are listed, it is named.

The embedded server answers a real list with one item spoiled (`bad_item_next`: a `start` that is
not a number). The service returns every other snapshot and names the bad one (its id and why);
`snapshots list` prints them and a warning on stderr; the TUI's browser shows them and a toast.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults import RecordingSleep, make_client

from heatmap_tui.core.errors import InvalidResponse
from heatmap_tui.core.snapshots import PATH, SnapshotService
from heatmap_tui.devserver import DevServer
from tests.apps.browser_app import BrowserApp, notifications, server, settle
from tests.scripts.cli_runner import Cli


def listed_ids(server: DevServer, view: str) -> list[str]:
    """The ids the server lists for `view`, in its order (newest modified first)."""
    return [s.id for s in server.store.list_snapshots(view, limit=1000)]


async def test_the_good_snapshots_come_back_and_the_bad_one_is_named(devserver: DevServer) -> None:
    expected = listed_ids(devserver, "/home")
    devserver.faults.bad_item_next(path_prefix=PATH, index=2)
    async with make_client(devserver, RecordingSleep()) as client:
        page = await SnapshotService(client).list("/home")
    assert [s.id for s in page.items] == expected[:2] + expected[3:]
    assert [(s.id, s.reason) for s in page.skipped] == [
        (
            expected[2],
            "attributes.start: Input should be a valid integer, unable to parse string as an integer",
        )
    ]
    message = page.skipped_message("/home")
    assert message == (
        f"1 snapshot of /home could not be read and is left out: {expected[2]} "
        "(attributes.start: Input should be a valid integer, unable to parse string as an integer)."
    )


async def test_items_without_an_id_or_not_objects_are_named_too() -> None:
    import httpx

    good = {
        "id": "good-1",
        "type": "snapshots",
        "attributes": {
            "application_id": "a",
            "view_name": "/v",
            "device_type": "desktop",
            "snapshot_name": "n",
            "event_id": "e",
            "start": 1,
        },
    }
    body = {"data": [good, {"type": "snapshots"}, "nonsense", {"id": "x\x1b[2Jy", "attributes": {}}]}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    async with make_client(
        "http://127.0.0.1:9", RecordingSleep(), transport=httpx.MockTransport(answer)
    ) as c:
        page = await SnapshotService(c).list("/v")
    assert [s.id for s in page.items] == ["good-1"]
    assert [s.id for s in page.skipped] == [None, None, "x\x1b[2Jy"]
    message = page.skipped_message("/v")
    assert message is not None and message.startswith(
        "3 snapshots of /v could not be read and are left out: "
    )
    assert "an item without an id (id: Field required" in message and "x\\x1b[2Jy (attributes." in message
    assert "\x1b" not in message


async def test_a_body_that_is_not_a_list_still_fails_whole(devserver: DevServer) -> None:
    devserver.faults.malformed_next(path_prefix=PATH)
    async with make_client(devserver, RecordingSleep()) as client:
        with pytest.raises(InvalidResponse):
            await SnapshotService(client).list("/home")


def test_the_cli_lists_the_others_and_warns_on_stderr(tmp_path: Path, devserver: DevServer) -> None:
    expected = listed_ids(devserver, "/home")
    devserver.faults.bad_item_next(path_prefix=PATH, index=0)
    result = Cli(tmp_path, devserver.url).api("snapshots", "list", "--view", "/home", "--json")
    assert result.code == 0, str(result)
    assert sorted(s["id"] for s in json.loads(result.stdout)["data"]) == sorted(expected[1:])
    assert (
        f"Warning: 1 snapshot of /home could not be read and is left out: {expected[0]} "
        "(attributes.start: Input should be a valid integer" in result.stderr
    ), str(result)


async def test_the_browser_shows_the_others_and_names_the_bad_one(server: DevServer) -> None:
    expected = listed_ids(server, "/home")
    server.faults.bad_item_next(path_prefix=PATH, index=5)
    app = BrowserApp(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = {row.id for row in app.browser.table.model.shown}
        assert shown == set(expected) - {expected[5]}
        toasts = notifications(app)
        assert any(
            f"1 snapshot of /home could not be read and is left out: {expected[5]}" in t for t in toasts
        ), toasts
