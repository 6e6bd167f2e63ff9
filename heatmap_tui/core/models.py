"""Pydantic models that mirror the Datadog API shapes in ../shared/API.md.

Response models ignore unknown fields, since Datadog adds fields over time.
Request models are strict and forbid extras, so a PATCH can never carry the
fields the API does not let it change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

SNAPSHOT_TYPE: Literal["snapshots"] = "snapshots"
INT64_MAX = 2**63 - 1


# defer_build: a model's validator is built on its first use, so a start that only lists
# snapshots never builds the others (a few ms and a few hundred KB at start-up).
class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- snapshots -------------------------------------------------------------


class SnapshotAttributes(_Response):
    application_id: str
    view_name: str
    device_type: str
    snapshot_name: str
    event_id: str
    start: int
    is_device_type_selected_by_user: bool = False
    session_id: str | None = None
    view_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    created_by: str | None = None
    created_by_handle: str | None = None
    created_by_user_id: int | None = None
    org_id: int | None = None


class Snapshot(_Response):
    id: str
    type: Literal["snapshots"] = SNAPSHOT_TYPE
    attributes: SnapshotAttributes

    # Shortcuts the UI and the services read all the time.
    @property
    def name(self) -> str:
        return self.attributes.snapshot_name

    @property
    def view_name(self) -> str:
        return self.attributes.view_name

    @property
    def device_type(self) -> str:
        return self.attributes.device_type

    @property
    def application_id(self) -> str:
        return self.attributes.application_id


# --- a compact form, for holding thousands ------------------------------------

# A Snapshot model takes ~2.3 KB (a __dict__ and a fields-set per model); its values in one
# tuple take ~200 bytes plus the strings they share. Tables of 10,000 keep tuples, and build
# the model again when a row is opened.
PACKED_FIELDS: tuple[str, ...] = ("id", *SnapshotAttributes.model_fields)
PackedSnapshot = tuple[Any, ...]


def pack_snapshot(snapshot: Snapshot) -> PackedSnapshot:
    """The snapshot's id and attribute values, in PACKED_FIELDS order."""
    values = snapshot.attributes.__dict__
    return (snapshot.id, *[values[name] for name in PACKED_FIELDS[1:]])


def unpack_snapshot(packed: PackedSnapshot) -> Snapshot:
    """The model again (equal to the one packed); values were validated when first parsed."""
    attributes = SnapshotAttributes.model_construct(**dict(zip(PACKED_FIELDS[1:], packed[1:], strict=False)))
    return Snapshot.model_construct(id=packed[0], attributes=attributes)


class SnapshotResponse(_Response):
    data: Snapshot


class SnapshotListResponse(_Response):
    data: list[Snapshot]


class RawListResponse(_Response):
    """A list answer whose items are read one by one, so one bad item does not hide the rest."""

    data: list[Any]


Start = StrictInt
_START = Field(ge=0, le=INT64_MAX, description="ms from the session start")


class SnapshotCreateAttributes(_Request):
    application_id: StrictStr = Field(min_length=1)
    device_type: StrictStr = Field(min_length=1)
    event_id: StrictStr = Field(min_length=1)
    is_device_type_selected_by_user: StrictBool
    snapshot_name: StrictStr = Field(min_length=1)
    start: Start = _START
    view_name: StrictStr = Field(min_length=1)
    session_id: StrictStr | None = None
    view_id: StrictStr | None = None


class SnapshotCreateData(_Request):
    type: Literal["snapshots"] = SNAPSHOT_TYPE
    attributes: SnapshotCreateAttributes


class SnapshotCreateRequest(_Request):
    data: SnapshotCreateData

    @classmethod
    def of(cls, attributes: SnapshotCreateAttributes) -> SnapshotCreateRequest:
        return cls(data=SnapshotCreateData(attributes=attributes))


class SnapshotUpdateAttributes(_Request):
    event_id: StrictStr = Field(min_length=1)
    is_device_type_selected_by_user: StrictBool
    start: Start = _START
    session_id: StrictStr | None = None
    view_id: StrictStr | None = None


class SnapshotUpdateData(_Request):
    id: StrictStr = Field(min_length=1)
    type: Literal["snapshots"] = SNAPSHOT_TYPE
    attributes: SnapshotUpdateAttributes


class SnapshotUpdateRequest(_Request):
    data: SnapshotUpdateData

    @classmethod
    def of(cls, snapshot_id: str, attributes: SnapshotUpdateAttributes) -> SnapshotUpdateRequest:
        return cls(data=SnapshotUpdateData(id=snapshot_id, attributes=attributes))


def create_attributes_from(snapshot: Snapshot, **changes: Any) -> SnapshotCreateAttributes:
    """The create payload that would re-create `snapshot` (restore, import, copy)."""
    a = snapshot.attributes
    fields: dict[str, Any] = {
        "application_id": a.application_id,
        "device_type": a.device_type,
        "event_id": a.event_id,
        "is_device_type_selected_by_user": a.is_device_type_selected_by_user,
        "snapshot_name": a.snapshot_name,
        "start": a.start,
        "view_name": a.view_name,
        "session_id": a.session_id,
        "view_id": a.view_id,
    }
    fields.update(changes)
    return SnapshotCreateAttributes(**fields)


# --- RUM applications ------------------------------------------------------


class RumApplicationAttributes(_Response):
    application_id: str
    name: str
    type: str = ""
    created_at: int | None = None
    updated_at: int | None = None
    created_by_handle: str | None = None
    updated_by_handle: str | None = None
    org_id: int | None = None
    is_active: bool | None = None
    hash: str | None = None


class RumApplication(_Response):
    id: str
    type: Literal["rum_application"] = "rum_application"
    attributes: RumApplicationAttributes

    @property
    def name(self) -> str:
        return self.attributes.name

    @property
    def application_id(self) -> str:
        return self.attributes.application_id


class RumApplicationListResponse(_Response):
    data: list[RumApplication]


# --- key validation --------------------------------------------------------


class ValidateResponse(_Response):
    valid: bool


class ValidateKeysResponse(_Response):
    status: str


# --- errors ----------------------------------------------------------------


class ErrorObject(_Response):
    status: str | None = None
    title: str | None = None
    detail: str | None = None
    source: dict[str, Any] | None = None

    def message(self) -> str:
        parts = [p for p in (self.title, self.detail) if p]
        if not parts and self.status:
            parts = [f"status {self.status}"]
        return ": ".join(parts) if parts else "unknown error"


class ErrorBody(_Response):
    """Both shapes Datadog sends: plain strings, or JSON:API error objects."""

    errors: list[StrictStr | ErrorObject]

    def messages(self) -> list[str]:
        return [e if isinstance(e, str) else e.message() for e in self.errors]
