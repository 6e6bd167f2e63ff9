"""Ids go into request paths percent-encoded, as one segment; ids no path can carry are refused.

Every id here is held by a real snapshot in the embedded server, next to the snapshots an
unencoded id would reach instead (`a` for `a#frag`, `x` for `x?y=1`). The server's request log
keeps each request-target exactly as it arrived, so the tests compare the raw bytes on the wire,
and then check that the right snapshot, and only it, was changed.
"""

from __future__ import annotations

import pytest
from faults import RecordingSleep, make_client

from heatmap_tui.core.errors import InvalidId
from heatmap_tui.core.models import SnapshotUpdateAttributes
from heatmap_tui.core.snapshots import PATH, SnapshotService
from heatmap_tui.devserver import DevServer

# id -> the path segment that must arrive: written out, not computed with the code under test.
HOSTILE = {
    "../../../v1/org/evil": "..%2F..%2F..%2Fv1%2Forg%2Fevil",
    "a#frag": "a%23frag",
    "x?y=1": "x%3Fy%3D1",
    "a/b": "a%2Fb",
    "%2e%2e": "%252e%252e",
    "é☃": "%C3%A9%E2%98%83",
    "a b+c": "a%20b%2Bc",
    "~u;x=1&z": "~u%3Bx%3D1%26z",
    "...": "...",
}
DECOYS = ("a", "x", "b", "evil", "..")  # where an unencoded id would land
REFUSED = [
    "",
    ".",
    "..",
    "a\x1b[2Jb",
    "line\nbreak",
    "tab\there",
    "nul\x00",
    "del\x7f",
    "rlo\u202eevil",
    "c1\x9b",
]


@pytest.fixture
def seeded(devserver: DevServer) -> DevServer:
    app_id = next(iter(devserver.store.applications))
    for snapshot_id in (*HOSTILE, *DECOYS):
        devserver.store.new_snapshot(
            application_id=app_id, view_name="/hostile", id=snapshot_id, snapshot_name=f"n {snapshot_id}"
        )
    devserver.reset_stats()
    return devserver


def targets(server: DevServer) -> list[str]:
    return [r.target for r in server.requests]


@pytest.mark.parametrize("snapshot_id", list(HOSTILE))
async def test_update_and_delete_send_the_id_as_one_encoded_segment(
    seeded: DevServer, snapshot_id: str
) -> None:
    expected = f"{PATH}/{HOSTILE[snapshot_id]}"
    before = {i: s for i, s in seeded.store.snapshots.items() if i != snapshot_id}
    async with make_client(seeded, RecordingSleep()) as client:
        service = SnapshotService(client)
        attributes = SnapshotUpdateAttributes(
            event_id="ev-hostile", is_device_type_selected_by_user=True, start=7
        )
        updated = await service.update(snapshot_id, attributes)
        assert updated.id == snapshot_id and updated.attributes.event_id == "ev-hostile"
        await service.delete(snapshot_id)
    assert targets(seeded) == [expected, expected]
    assert [(r.method, r.status) for r in seeded.requests] == [("PATCH", 200), ("DELETE", 204)]
    assert seeded.store.get_snapshot(snapshot_id) is None
    assert dict(seeded.store.snapshots) == before  # nothing else touched


@pytest.mark.parametrize("snapshot_id", REFUSED)
async def test_ids_no_path_can_carry_are_refused_before_any_request(
    seeded: DevServer, snapshot_id: str
) -> None:
    decoy = seeded.store.get_snapshot("a")
    assert decoy is not None
    async with make_client(seeded, RecordingSleep()) as client:
        service = SnapshotService(client)
        with pytest.raises(InvalidId) as deleting:
            await service.delete(snapshot_id)
        attributes = SnapshotUpdateAttributes(event_id="e", is_device_type_selected_by_user=True, start=1)
        with pytest.raises(InvalidId):
            await service.update(snapshot_id, attributes)
        assert seeded.requests == []
        # In a bulk delete the refused id fails alone; the others still go.
        result = await service.delete_many([decoy, decoy.model_copy(update={"id": snapshot_id})])
    assert targets(seeded) == [f"{PATH}/a"]
    assert result.deleted == ["a"] and list(result.failed) == [snapshot_id]
    text = str(deleting.value)
    assert text.startswith("Could not delete snapshot ") and "the id" in text, text
    assert not any(c in text for c in "\x00\x1b\n\t\x7f\x9b\u202e"), text
