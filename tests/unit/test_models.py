import json
from datetime import UTC, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from heatmap_tui.core.models import (
    ErrorBody,
    RumApplication,
    Snapshot,
    SnapshotCreateAttributes,
    SnapshotCreateRequest,
    SnapshotUpdateAttributes,
    SnapshotUpdateRequest,
    create_attributes_from,
    pack_snapshot,
    unpack_snapshot,
)

SNAPSHOT = {
    "id": "0a1b",
    "type": "snapshots",
    "attributes": {
        "application_id": "app-1",
        "view_name": "/home",
        "device_type": "desktop",
        "snapshot_name": "Home desktop",
        "event_id": "ev-1",
        "start": 12345,
        "session_id": "s-1",
        "view_id": "v-1",
        "is_device_type_selected_by_user": True,
        "created_at": "2026-11-20T10:11:12.345Z",
        "modified_at": "2026-11-21T00:00:00Z",
        "created_by": "Ada",
        "created_by_handle": "ada@example.com",
        "created_by_user_id": 42,
        "org_id": 7,
        "brand_new_field": {"x": 1},
    },
}


def test_snapshot_parses_every_attribute_and_ignores_unknown_ones() -> None:
    s = Snapshot.model_validate(SNAPSHOT)
    a = s.attributes
    assert (s.name, s.view_name, s.device_type, s.application_id) == (
        "Home desktop",
        "/home",
        "desktop",
        "app-1",
    )
    assert a.start == 12345 and a.session_id == "s-1" and a.view_id == "v-1"
    assert a.created_at == datetime(2026, 11, 20, 10, 11, 12, 345000, tzinfo=UTC)
    assert a.created_by_user_id == 42 and a.org_id == 7
    assert not hasattr(a, "brand_new_field")


def test_wrong_type_is_a_typed_error_naming_the_field() -> None:
    bad = json.loads(json.dumps(SNAPSHOT))
    bad["attributes"]["start"] = "soon"
    with pytest.raises(ValidationError) as info:
        Snapshot.model_validate(bad)
    assert info.value.errors()[0]["loc"] == ("attributes", "start")


def test_type_must_be_snapshots() -> None:
    with pytest.raises(ValidationError):
        Snapshot.model_validate({**SNAPSHOT, "type": "dashboards"})


def test_create_payload_has_the_api_shape_and_omits_unset_optionals() -> None:
    attrs = SnapshotCreateAttributes(
        application_id="app",
        device_type="mobile",
        event_id="ev",
        is_device_type_selected_by_user=False,
        snapshot_name="n",
        start=0,
        view_name="/cart",
    )
    body = SnapshotCreateRequest.of(attrs).model_dump(mode="json", exclude_none=True)
    assert body == {
        "data": {
            "type": "snapshots",
            "attributes": {
                "application_id": "app",
                "device_type": "mobile",
                "event_id": "ev",
                "is_device_type_selected_by_user": False,
                "snapshot_name": "n",
                "start": 0,
                "view_name": "/cart",
            },
        }
    }


@pytest.mark.parametrize("field", ["snapshot_name", "view_name", "device_type", "application_id"])
def test_update_payload_cannot_carry_immutable_fields(field: str) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        SnapshotUpdateAttributes(event_id="e", is_device_type_selected_by_user=True, start=1, **{field: "x"})


def test_update_payload_shape() -> None:
    attrs = SnapshotUpdateAttributes(event_id="e", is_device_type_selected_by_user=True, start=5, view_id="v")
    body = SnapshotUpdateRequest.of("id-1", attrs).model_dump(mode="json", exclude_none=True)
    assert body == {
        "data": {
            "id": "id-1",
            "type": "snapshots",
            "attributes": {
                "event_id": "e",
                "is_device_type_selected_by_user": True,
                "start": 5,
                "view_id": "v",
            },
        }
    }


@pytest.mark.parametrize("start", [-1, 2**63, "10", 1.5, True])
def test_request_start_must_be_a_non_negative_int64(start: object) -> None:
    with pytest.raises(ValidationError):
        SnapshotUpdateAttributes(event_id="e", is_device_type_selected_by_user=True, start=start)


def test_create_attributes_from_a_snapshot() -> None:
    s = Snapshot.model_validate(SNAPSHOT)
    attrs = create_attributes_from(s, application_id="other")
    assert attrs.application_id == "other" and attrs.event_id == "ev-1" and attrs.view_id == "v-1"


def test_rum_application_tolerates_real_payload_extras() -> None:
    app = RumApplication.model_validate(
        {
            "type": "rum_application",
            "id": "u1",
            "attributes": {
                "application_id": "u1",
                "name": "Shop",
                "type": "ios",
                "org_id": 321813,
                "is_active": False,
                "created_at": 1755612200050,
                "updated_at": 1755612200050,
                "hash": "h",
                "client_token": "t",
                "tags": [],
                "product_scales": {},
                "product_analytics_replay_sample_rate": 100,
            },
        }
    )
    assert (app.name, app.application_id, app.attributes.type, app.attributes.is_active) == (
        "Shop",
        "u1",
        "ios",
        False,
    )


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ({"errors": ["Bad Request"]}, ["Bad Request"]),
        ({"errors": ["Application Not Found not found"]}, ["Application Not Found not found"]),
        (
            {"errors": [{"status": "400", "title": "Bad Request", "detail": 'got type "x"'}]},
            ['Bad Request: got type "x"'],
        ),
        ({"errors": [{"title": "Forbidden"}]}, ["Forbidden"]),
        ({"errors": [{"status": "500"}]}, ["status 500"]),
    ],
)
def test_both_error_shapes(body: dict, messages: list[str]) -> None:
    assert ErrorBody.model_validate(body).messages() == messages


_text = st.text(min_size=1, max_size=30)
_opt = st.none() | _text
_dt = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(
    st.builds(
        dict,
        application_id=_text,
        view_name=_text,
        device_type=_text,
        snapshot_name=_text,
        event_id=_text,
        start=st.integers(0, 2**63 - 1),
        is_device_type_selected_by_user=st.booleans(),
        session_id=_opt,
        view_id=_opt,
        created_at=st.none() | _dt,
        modified_at=st.none() | _dt,
        created_by=_opt,
        created_by_handle=_opt,
        created_by_user_id=st.none() | st.integers(0, 2**63 - 1),
        org_id=st.none() | st.integers(0, 2**63 - 1),
    ),
    _text,
)
def test_json_round_trip(attributes: dict, snapshot_id: str) -> None:
    s = Snapshot.model_validate({"id": snapshot_id, "type": "snapshots", "attributes": attributes})
    assert Snapshot.model_validate_json(s.model_dump_json()) == s
    # The compact form the table keeps gives the same model back, whatever the values.
    packed = pack_snapshot(s)
    assert type(packed) is tuple and packed[0] == snapshot_id
    assert unpack_snapshot(packed) == s
    assert unpack_snapshot(packed).model_dump_json() == s.model_dump_json()


def test_packed_snapshot_shares_the_parsed_values() -> None:
    s = Snapshot.model_validate(SNAPSHOT)
    packed = pack_snapshot(s)
    assert packed[1:] == tuple(s.attributes.model_dump().values())
    assert all(a is b for a, b in zip(packed[1:], s.attributes.__dict__.values(), strict=False))  # no copies
