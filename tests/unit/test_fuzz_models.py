"""Fuzzing the response models and DatadogClient's answer handling with hypothesis.

Whatever JSON (or bytes) a server sends, reading it ends in a model or in pydantic's
ValidationError, and through the client in a model or one of the documented ApiErrors with a
plain sentence: never another exception. Inputs that once crashed the core (deep nesting,
dates out of range, non-finite counts) have their own regression tests at the end.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from faults import NOT_PLAIN, RecordingSleep, assert_plain_sentence, make_client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError, InvalidResponse, ServerError, error_for_status
from heatmap_tui.core.models import (
    ErrorBody,
    RumApplicationListResponse,
    Snapshot,
    SnapshotListResponse,
    SnapshotResponse,
    ValidateKeysResponse,
    ValidateResponse,
)
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.rum_models import AggregateResponse, EventsResponse, ViewEvent

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SITE = "http://127.0.0.1:9"  # never contacted: every answer below comes from a MockTransport
MODELS: list[type[BaseModel]] = [
    Snapshot,
    SnapshotResponse,
    SnapshotListResponse,
    RumApplicationListResponse,
    ErrorBody,
    AggregateResponse,
    EventsResponse,
    ValidateResponse,
    ValidateKeysResponse,
]
# Dates (epoch ms) a datetime can hold; see test_an_event_date_out_of_datetime_range_is_not_a_crash.
SANE_MS = st.integers(min_value=-(10**12), max_value=10**14)

# --- strategies ------------------------------------------------------------------------------------


def json_strategy(floats: st.SearchStrategy[float], max_leaves: int) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | floats
        | st.text(max_size=20)
        | st.sampled_from(["snapshots", "rum_application", "2025-06-11T10:15:00Z", "", "/home", "NaN"])
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=max_leaves,
    )


json_values = json_strategy(st.floats(), max_leaves=15)
# Small values to put in place of a field (kept small: drawing is what costs the time here).
leaf_values = json_strategy(st.floats(), max_leaves=3)
# The general strategies keep to finite numbers; the edge cases have their own tests at the end.
finite_values = json_strategy(st.floats(allow_nan=False, allow_infinity=False), max_leaves=3)
date_safe_values = finite_values.filter(
    lambda v: isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v) < 10**14
)

GOOD_ATTRIBUTES: dict[str, Any] = {
    "application_id": "app-1",
    "view_name": "/home",
    "device_type": "desktop",
    "snapshot_name": "Home",
    "event_id": "ev-1",
    "start": 1500,
    "is_device_type_selected_by_user": False,
    "session_id": "s-1",
    "view_id": "v-1",
    "created_at": "2025-06-11T10:15:00Z",
    "modified_at": "2025-06-11T10:15:00.123+02:00",
    "created_by": "Demo User",
    "created_by_handle": "demo@shop.example",
    "created_by_user_id": 1000001,
    "org_id": 321813,
}


@st.composite
def wrong_dicts(
    draw: st.DrawFn, good: dict[str, Any], values: st.SearchStrategy[Any] = leaf_values
) -> dict[str, Any]:
    """`good` with a few fields dropped or replaced by any JSON value, maybe plus an unknown one."""
    out = dict(good)
    for key, action in draw(st.lists(st.tuples(st.sampled_from(sorted(good)), st.booleans()), max_size=3)):
        if action:
            out[key] = draw(values)
        else:
            out.pop(key, None)
    if draw(st.booleans()):
        out[draw(st.text(max_size=8))] = draw(values)
    return out


@st.composite
def wrong_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    attributes = draw(wrong_dicts(GOOD_ATTRIBUTES))
    return draw(wrong_dicts({"id": "3f1c0a1e", "type": "snapshots", "attributes": attributes}))


@st.composite
def wrong_events(draw: st.DrawFn) -> dict[str, Any]:
    body = {
        "date": draw(SANE_MS),
        "application": {"id": "app-1"},
        "session": {"id": "s-1", "has_replay": True},
        "view": {"id": "v-1", "name": "/home", "url": "https://shop.example/home", "time_spent": 12_000_000},
        "device": {"type": "mobile"},
    }
    body = draw(wrong_dicts(body, date_safe_values))
    attributes = draw(
        wrong_dicts({"timestamp": "2025-06-11T10:15:00Z", "attributes": body}, date_safe_values)
    )
    return draw(wrong_dicts({"id": "AwAAAZ", "type": "rum", "attributes": attributes}, date_safe_values))


@st.composite
def wrong_buckets(draw: st.DrawFn) -> dict[str, Any]:
    bucket = {
        "by": {"@view.name": draw(st.text(max_size=10))},
        "computes": {"c0": draw(st.integers(0, 10**6))},
    }
    return draw(wrong_dicts(bucket, finite_values))


def wrapped(items: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        items,
        st.fixed_dictionaries({"data": st.lists(items, max_size=2)}),
        st.fixed_dictionaries({"data": items}),
    )


error_bodies = st.one_of(
    wrong_dicts({"errors": ["Bad Request", {"status": "400", "title": "Bad Request", "detail": "x"}]}),
    st.fixed_dictionaries(
        {
            "errors": st.lists(
                st.text(max_size=30)
                | st.dictionaries(
                    st.sampled_from(["status", "title", "detail", "source"]), leaf_values, max_size=4
                ),
                max_size=3,
            )
        }
    ),
)

answers = st.one_of(
    error_bodies.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    wrapped(wrong_snapshots()).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.text(max_size=80).map(str.encode),
    st.sampled_from(
        [
            b"",
            b" ",
            b"null",
            b"NaN",
            b"Infinity",
            b"-Infinity",
            b"1e999",
            b'{"data": [',
            b"\xff\xfe\x00",
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            b'{"data": null}',
            b'{"data": {}}',
            b'\xef\xbb\xbf{"data": []}',
            b'{"data": [], "data": 1}',
            b'{"errors": ["Forbidden"]}',
        ]
    ),
)


def validate_either_way(model: type[BaseModel], value: Any) -> BaseModel | None:
    """Validate from Python and from JSON text: each must succeed or raise ValidationError."""
    outcomes = []
    for validate in (
        lambda: model.model_validate(value),
        lambda: model.model_validate_json(json.dumps(value)),
    ):
        try:
            outcomes.append(validate())
        except ValidationError:
            outcomes.append(None)
    return outcomes[1]


# --- the models ------------------------------------------------------------------------------------


@FUZZ
@given(value=json_values | wrapped(json_values))
def test_any_json_is_a_model_or_a_validation_error(value: Any) -> None:
    for model in MODELS:
        parsed = validate_either_way(model, value)
        if parsed is not None:  # whatever validated can be written out and read back
            model.model_validate_json(parsed.model_dump_json())


@FUZZ
@given(value=wrapped(wrong_snapshots()))
@example(value={"id": "x", "attributes": {**GOOD_ATTRIBUTES, "start": 2**70}})
@example(value={"id": "x", "attributes": {**GOOD_ATTRIBUTES, "created_at": "2025-13-45T99:99:99Z"}})
@example(value={"id": "x", "type": "snapshot", "attributes": GOOD_ATTRIBUTES})
def test_structured_but_wrong_snapshots(value: Any) -> None:
    for model in (Snapshot, SnapshotResponse, SnapshotListResponse):
        parsed = validate_either_way(model, value)
        if parsed is not None:  # no Any fields here: the round trip is exact
            assert model.model_validate_json(parsed.model_dump_json()) == parsed
        if isinstance(parsed, Snapshot):
            # What the UI reads off every row.
            assert all(
                isinstance(x, str) for x in (parsed.id, parsed.name, parsed.view_name, parsed.device_type)
            )
            assert isinstance(parsed.attributes.start, int)


@FUZZ
@given(value=error_bodies)
@example(value={"errors": [{}]})
@example(value={"errors": [{"status": "403"}]})
def test_error_bodies_always_give_plain_messages(value: Any) -> None:
    parsed = validate_either_way(ErrorBody, value)
    if parsed is not None:
        messages = parsed.messages()
        assert all(isinstance(m, str) for m in messages)  # may be "": see the report on blank messages


@FUZZ
@given(value=wrapped(wrong_events()))
def test_event_pages_flatten_into_view_events(value: Any) -> None:
    parsed = validate_either_way(EventsResponse, value)
    if parsed is not None:
        for event in parsed.data:
            view = ViewEvent.from_event(event)
            assert view.event_id == event.id and view.date.tzinfo is not None


@FUZZ
@given(buckets=st.lists(wrong_buckets(), max_size=4))
async def test_view_discovery_reads_any_valid_aggregate(buckets: list[Any]) -> None:
    body = json.dumps({"data": {"buckets": buckets}}).encode()
    async with mock_client(200, body) as client:
        try:
            views = await RumService(client).discover_views("app-1")
        except InvalidResponse:
            return
    assert all(v.name and isinstance(v.count, int) for v in views)
    assert [v.count for v in views] == sorted((v.count for v in views), reverse=True)


# --- DatadogClient: parse, and whole answers through request_model ----------------------------------


def mock_client(status: int, content: bytes, content_type: str = "application/json") -> DatadogClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    return make_client(SITE, RecordingSleep(), transport=httpx.MockTransport(answer))


@pytest.fixture(scope="module")
def parser() -> DatadogClient:
    return make_client(SITE, RecordingSleep(), transport=httpx.MockTransport(lambda r: httpx.Response(500)))


@FUZZ
@given(content=answers, status=st.sampled_from([200, 201]))
def test_parse_turns_any_bytes_into_a_model_or_invalid_response(
    parser: DatadogClient, content: bytes, status: int
) -> None:
    response = httpx.Response(status, content=content)
    for model in MODELS:
        try:
            parsed = parser.parse("list the snapshots of /home", response, model)
        except InvalidResponse as error:
            assert error.status == status
            assert_plain_sentence(error, op="list the snapshots of /home", site=SITE, says="answer")
        else:
            assert isinstance(parsed, model)


@FUZZ
@given(
    content=answers,
    status=st.sampled_from([400, 401, 403, 404, 405, 409, 418, 429, 500, 502, 503, 504]),
    content_type=st.sampled_from(["application/json", "text/html", "text/plain", ""]),
)
async def test_any_error_answer_is_the_documented_error_in_plain_words(
    content: bytes, status: int, content_type: str
) -> None:
    async with mock_client(status, content, content_type) as client:
        with pytest.raises(ApiError) as info:
            await client.request_model("list the snapshots of /home", "GET", "/x", SnapshotListResponse)
    error = info.value
    assert type(error) is error_for_status(status) and error.status == status
    # The server's own messages are quoted as they came; everything around them must be plain.
    assert all(isinstance(m, str) for m in error.messages)
    own = str(error)
    if error.messages:  # they close the sentence: ": first; second."
        quoted = ": " + "; ".join(error.messages) + "."
        assert own.endswith(quoted)
        own = own[: -len(quoted)] + "."
    assert own.startswith(f"Could not list the snapshots of /home on {SITE}: ") and own.endswith(".")
    assert not [bad for bad in NOT_PLAIN if bad in own], str(error)


# --- regressions: inputs that once crashed the core ---------------------------------------------

DEEP = b"[" * 5_000 + b"]" * 5_000


@pytest.mark.parametrize("status", [200, 503])
async def test_deeply_nested_json_is_an_api_error(status: int) -> None:
    async with mock_client(status, b'{"data": ' + DEEP + b"}") as client:
        with pytest.raises(ApiError) as info:
            await client.request_model("list the snapshots of /home", "GET", "/x", SnapshotListResponse)
    assert type(info.value) is (InvalidResponse if status == 200 else ServerError)
    assert_plain_sentence(info.value, op="list the snapshots of /home", site=SITE)


@pytest.mark.parametrize("date", [10**20, -(10**20), 2**63 - 1])
def test_an_event_date_out_of_datetime_range_is_not_a_crash(date: int) -> None:
    page = EventsResponse.model_validate(
        {"data": [{"id": "e", "attributes": {"attributes": {"date": date}}}]}
    )
    ViewEvent.from_event(page.data[0])


@pytest.mark.parametrize("count", [b"1e999", b"Infinity", b"NaN"])
async def test_a_non_finite_view_count_is_not_a_crash(count: bytes) -> None:
    body = b'{"data": {"buckets": [{"by": {"@view.name": "/home"}, "computes": {"c0": ' + count + b"}}]}}"
    async with mock_client(200, body) as client:
        await RumService(client).discover_views("app-1")
