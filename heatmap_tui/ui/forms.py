"""Validation of what a person types into the snapshot form.

Pure functions with no Textual import: each takes the raw text and returns `(value, error)`,
exactly one of them None (an optional field left empty gives `(None, None)`). They never
raise, whatever the input, so they can be fuzzed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import ValidationError

from heatmap_tui.core.models import (
    INT64_MAX,
    Snapshot,
    SnapshotCreateAttributes,
    SnapshotUpdateAttributes,
)
from heatmap_tui.core.rum_models import ViewSpan
from heatmap_tui.ui.format import format_start

T = TypeVar("T")
Checked = tuple[T | None, str | None]

DEVICE_TYPES: tuple[str, ...] = ("desktop", "mobile", "tablet")


def listed_view(view: str | None) -> str:
    """The view a browser lists for `view` as remembered or asked ("": none yet)."""
    return (view or "").strip()


def listed_device(device: str | None) -> str | None:
    """The device a browser lists for `device` as remembered or asked (None: any device)."""
    return device if device in DEVICE_TYPES else None


LABELS: dict[str, str] = {
    "snapshot_name": "Name",
    "view_name": "View name",
    "device_type": "Device type",
    "application_id": "Application ID",
    "event_id": "Event ID",
    "start": "Start",
    "session_id": "Session ID",
    "view_id": "View ID",
    "is_device_type_selected_by_user": "Device type chosen by a person",
}

START_HINT = "milliseconds (83500) or mm:ss.mmm (01:23.500)"

_MS = re.compile(r"([0-9]+)\s*(?:ms)?", re.ASCII)
_SECONDS = re.compile(r"([0-9]+)(?:\.([0-9]{1,3}))?\s*s", re.ASCII)
# [h:]m:ss[.fff]; minutes may pass 59 when no hour is given, as format_start writes them.
_CLOCK = re.compile(r"(?:([0-9]+):)?([0-9]+):([0-9]{1,2})(?:\.([0-9]{1,3}))?", re.ASCII)


def required_text(raw: str, label: str) -> Checked[str]:
    value = raw.strip()
    if not value:
        return None, f"{label} is required."
    return value, None


def required_id(raw: str, label: str) -> Checked[str]:
    value, error = required_text(raw, label)
    if value is not None and any(c.isspace() for c in value):
        return None, f"{label} must not contain spaces."
    return value, error


def optional_id(raw: str, label: str) -> Checked[str]:
    if not raw.strip():
        return None, None
    return required_id(raw, label)


def _millis(fraction: str | None) -> int:
    # ".5" is half a second: pad on the right, as a decimal fraction.
    return int((fraction or "").ljust(3, "0")) if fraction else 0


def parse_offset(raw: str, label: str) -> Checked[int]:
    """Milliseconds typed as `83500`, `83500ms`, `83.5s` or `01:23.500`; errors name `label`."""
    text = raw.strip()
    if not text:
        return None, f"{label} is required."
    if text.startswith("-"):
        return None, f"{label} must be 0 or more."
    value: int | None = None
    if m := _MS.fullmatch(text):
        value = int(m.group(1))
    elif m := _SECONDS.fullmatch(text):
        value = int(m.group(1)) * 1000 + _millis(m.group(2))
    elif m := _CLOCK.fullmatch(text):
        hours, minutes, seconds = int(m.group(1) or 0), int(m.group(2)), int(m.group(3))
        if seconds > 59 or (m.group(1) is not None and minutes > 59):
            return None, f"{label} {text!r}: seconds (and minutes after hours) go up to 59."
        value = ((hours * 60 + minutes) * 60 + seconds) * 1000 + _millis(m.group(4))
    if value is None:
        return None, f"{label} must be {START_HINT}."
    if value > INT64_MAX:
        return None, f"{label} is too large: at most {INT64_MAX} ms."
    return value, None


def parse_start(raw: str) -> Checked[int]:
    """Milliseconds from the session start, typed as `83500`, `83500ms`, `83.5s` or `01:23.500`."""
    return parse_offset(raw, "Start")


def parse_moment(raw: str, duration_ms: int | None) -> Checked[int]:
    """A moment of a replay view, from its beginning: no later than its end when its length is known."""
    value, error = parse_offset(raw, "The moment")
    if value is not None and duration_ms is not None and value > duration_ms:
        return None, (
            f"The moment must lie within the view: at most {format_start(duration_ms)} "
            f"({duration_ms} ms), its length."
        )
    return value, error


def _span(span: ViewSpan) -> str:
    return f"{format_start(span.start_ms)}–{format_start(span.end_ms)}"


def past_end(start: int, span: ViewSpan) -> str | None:
    """Why `start` cannot be saved with the frame of `span`'s view, or None when it can.

    A heatmap's background is a frame of that view: past its end the replay has no such frame."""
    if start <= span.end_ms:
        return None
    return (
        f"Start is past the end of this replay view, which runs {_span(span)} of its session: "
        "no frame to draw there. Type a start in that range, or ctrl+r to pick a moment."
    )


def span_remark(start: int, span: ViewSpan) -> str:
    """Where `start` falls in the view it should be a frame of, for the hint under the field."""
    if start < span.start_ms:
        return f"before this view ({_span(span)}): a frame of an earlier page of the session"
    if start > span.end_ms:
        return ""  # past_end says it, as the field's error
    return f"{format_start(start - span.start_ms)} into this view ({_span(span)})"


def span_of(form: FormInput, span: ViewSpan | None) -> ViewSpan | None:
    """`span` while the form's event is still the one it is the view of."""
    return span if span is not None and form.event_id.strip() == span.event_id else None


@dataclass(frozen=True, slots=True)
class FormInput:
    """The form's fields as typed: text, except the checkbox."""

    snapshot_name: str = ""
    view_name: str = ""
    device_type: str = ""
    application_id: str = ""
    event_id: str = ""
    start: str = ""
    session_id: str = ""
    view_id: str = ""
    is_device_type_selected_by_user: bool = True

    @classmethod
    def of(cls, snapshot: Snapshot) -> FormInput:
        a = snapshot.attributes
        return cls(
            snapshot_name=a.snapshot_name,
            view_name=a.view_name,
            device_type=a.device_type,
            application_id=a.application_id,
            event_id=a.event_id,
            start=str(a.start),
            session_id=a.session_id or "",
            view_id=a.view_id or "",
            is_device_type_selected_by_user=a.is_device_type_selected_by_user,
        )


@dataclass(slots=True)
class Outcome(Generic[T]):
    """A request body ready to send, or the errors to show, keyed by field name."""

    value: T | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.errors


def _check_start(form: FormInput, span: ViewSpan | None) -> Checked[int]:
    start, error = parse_start(form.start)
    known = span_of(form, span)
    if start is not None and known is not None and (beyond := past_end(start, known)):
        return None, beyond
    return start, error


def _check_update_fields(form: FormInput, errors: dict[str, str], span: ViewSpan | None) -> dict[str, object]:
    checks: dict[str, Checked[object]] = {
        "event_id": required_id(form.event_id, LABELS["event_id"]),
        "start": _check_start(form, span),
        "session_id": optional_id(form.session_id, LABELS["session_id"]),
        "view_id": optional_id(form.view_id, LABELS["view_id"]),
    }
    values: dict[str, object] = {"is_device_type_selected_by_user": form.is_device_type_selected_by_user}
    for name, (value, error) in checks.items():
        if error is not None:
            errors[name] = error
        else:
            values[name] = value
    return values


def _build(model: type[T], values: dict[str, object], errors: dict[str, str]) -> Outcome[T]:
    if errors:
        return Outcome(errors=errors)
    try:
        return Outcome(value=model(**values))
    except ValidationError as exc:  # the checks above should make this unreachable
        for problem in exc.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "snapshot_name"
            errors[name] = f"{LABELS.get(name, name)}: {problem['msg']}."
        return Outcome(errors=errors)


def validate_create(form: FormInput, span: ViewSpan | None = None) -> Outcome[SnapshotCreateAttributes]:
    """`span`: where the view of the form's event lies in its session, when known; a start past
    its end is an error (an unknown end never stops a save)."""
    errors: dict[str, str] = {}
    values = _check_update_fields(form, errors, span)
    checks: dict[str, Checked[str]] = {
        "snapshot_name": required_text(form.snapshot_name, LABELS["snapshot_name"]),
        "view_name": required_text(form.view_name, LABELS["view_name"]),
        "device_type": required_id(form.device_type, LABELS["device_type"]),
        "application_id": required_id(form.application_id, LABELS["application_id"]),
    }
    for name, (value, error) in checks.items():
        if error is not None:
            errors[name] = error
        else:
            values[name] = value
    return _build(SnapshotCreateAttributes, values, errors)


def validate_update(form: FormInput, span: ViewSpan | None = None) -> Outcome[SnapshotUpdateAttributes]:
    """Only what PATCH accepts: name, view, device and application cannot change. `span` as for
    a create."""
    errors: dict[str, str] = {}
    values = _check_update_fields(form, errors, span)
    return _build(SnapshotUpdateAttributes, values, errors)
