"""Contract test: Datadog's official client drives the embedded server, and its models accept every answer."""

from __future__ import annotations

import pytest
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.exceptions import ApiException, NotFoundException
from datadog_api_client.v2.api.rum_api import RUMApi
from datadog_api_client.v2.api.rum_replay_heatmaps_api import RumReplayHeatmapsApi
from datadog_api_client.v2.model.snapshot_create_request import SnapshotCreateRequest
from datadog_api_client.v2.model.snapshot_create_request_data import SnapshotCreateRequestData
from datadog_api_client.v2.model.snapshot_create_request_data_attributes import (
    SnapshotCreateRequestDataAttributes,
)
from datadog_api_client.v2.model.snapshot_update_request import SnapshotUpdateRequest
from datadog_api_client.v2.model.snapshot_update_request_data import SnapshotUpdateRequestData
from datadog_api_client.v2.model.snapshot_update_request_data_attributes import (
    SnapshotUpdateRequestDataAttributes,
)
from datadog_api_client.v2.model.snapshot_update_request_data_type import SnapshotUpdateRequestDataType

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY


@pytest.fixture
def api_client(devserver):
    config = Configuration(
        host=devserver.url, api_key={"apiKeyAuth": DEMO_API_KEY, "appKeyAuth": DEMO_APP_KEY}
    )
    with ApiClient(config) as client:
        yield client


def test_official_client_lists_applications(api_client) -> None:
    response = RUMApi(api_client).get_rum_applications()
    assert len(response.data) >= 3
    first = response.data[0]
    assert str(first.type) == "rum_application"
    assert first.attributes.application_id and first.attributes.name and first.attributes.org_id


def test_official_client_full_snapshot_lifecycle(api_client, devserver) -> None:
    apps = RUMApi(api_client).get_rum_applications().data
    app_id = next(a.attributes.application_id for a in apps if a.attributes.type == "browser")
    api = RumReplayHeatmapsApi(api_client)

    listed = api.list_replay_heatmap_snapshots(
        filter_view_name="/home", filter_application_id=app_id, page_limit=500
    )
    assert listed.data and all(s.attributes.view_name == "/home" for s in listed.data)
    assert listed.data[0].attributes.created_at.tzinfo is not None
    mobile = api.list_replay_heatmap_snapshots(filter_view_name="/home", filter_device_type="mobile")
    assert mobile.data and all(s.attributes.device_type == "mobile" for s in mobile.data)

    created = api.create_replay_heatmap_snapshot(
        SnapshotCreateRequest(
            data=SnapshotCreateRequestData(
                type="snapshots",
                attributes=SnapshotCreateRequestDataAttributes(
                    application_id=app_id,
                    device_type="desktop",
                    event_id="ev-contract",
                    is_device_type_selected_by_user=False,
                    snapshot_name="contract",
                    start=1234,
                    view_name="/home",
                    session_id="s-contract",
                    view_id="v-contract",
                ),
            )
        )
    )
    snapshot_id = created.data.id
    assert created.data.attributes.snapshot_name == "contract"
    assert created.data.attributes.created_by_handle
    assert snapshot_id in devserver.store.snapshots

    updated = api.update_replay_heatmap_snapshot(
        snapshot_id,
        SnapshotUpdateRequest(
            data=SnapshotUpdateRequestData(
                id=snapshot_id,
                type=SnapshotUpdateRequestDataType.SNAPSHOTS,
                attributes=SnapshotUpdateRequestDataAttributes(
                    event_id="ev-contract-2", is_device_type_selected_by_user=True, start=99
                ),
            )
        ),
    )
    assert updated.data.attributes.event_id == "ev-contract-2" and updated.data.attributes.start == 99

    api.delete_replay_heatmap_snapshot(snapshot_id)
    assert snapshot_id not in devserver.store.snapshots
    with pytest.raises(NotFoundException):
        api.delete_replay_heatmap_snapshot(snapshot_id)


def test_official_client_sees_403_without_valid_keys(devserver) -> None:
    config = Configuration(host=devserver.url, api_key={"apiKeyAuth": "bad", "appKeyAuth": "bad"})
    with ApiClient(config) as client, pytest.raises(ApiException) as info:
        RumReplayHeatmapsApi(client).list_replay_heatmap_snapshots(filter_view_name="/home")
    assert info.value.status == 403


def test_official_client_reads_view_events_with_their_version(api_client) -> None:
    from datadog_api_client.v2.model.rum_query_filter import RUMQueryFilter
    from datadog_api_client.v2.model.rum_query_page_options import RUMQueryPageOptions
    from datadog_api_client.v2.model.rum_search_events_request import RUMSearchEventsRequest
    from datadog_api_client.v2.model.rum_sort import RUMSort

    body = RUMSearchEventsRequest(
        filter=RUMQueryFilter(query='@type:view version:"2.5.0"', _from="now-30d", to="now"),
        page=RUMQueryPageOptions(limit=25),
        sort=RUMSort.TIMESTAMP_DESCENDING,
    )
    response = RUMApi(api_client).search_rum_events(body)
    assert len(response.data) == 25
    for event in response.data:
        inner = event.attributes.attributes
        assert inner["version"] == "2.5.0" and inner["view"]["id"]
