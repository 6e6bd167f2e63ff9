"""The fields of the snapshot form: their order, labels, placeholders and widgets, and what the
form hands back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Select, Static

from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.forms import DEVICE_TYPES, LABELS, START_HINT
from heatmap_tui.ui.safe import SafeInput
from heatmap_tui.ui.widgets.vim_keys import VimSelect

# Grid order: two columns, the fields PATCH cannot change on the first two rows.
FIELDS: tuple[str, ...] = (
    "snapshot_name",
    "view_name",
    "device_type",
    "application_id",
    "event_id",
    "start",
    "session_id",
    "view_id",
)
READ_ONLY_ON_EDIT = frozenset({"snapshot_name", "view_name", "device_type", "application_id"})
OPTIONAL = frozenset({"session_id", "view_id"})
PLACEHOLDERS = {
    "snapshot_name": "e.g. Home, after redesign",
    "view_name": "e.g. /home",
    "event_id": "a RUM view event id",
    "start": START_HINT,
    "session_id": "optional",
    "view_id": "optional",
}
CHECKBOX = "is_device_type_selected_by_user"


@dataclass(frozen=True, slots=True)
class FormResult:
    """What the form did: saved or created `snapshot`, or `gone_id` to drop from the table."""

    snapshot: Snapshot | None = None
    created: bool = False
    gone_id: str | None = None


def field_label(name: str, editing: bool) -> str:
    label = LABELS[name]
    if editing and name in READ_ONLY_ON_EDIT:
        return f"{label} (cannot change)"
    if name == "application_id":
        return f"{label} (this application)"
    return label if name in OPTIONAL else f"{label} *"


def field_widget(name: str, value: str, editing: bool, views: Sequence[str]) -> Widget:
    """The input of one field, with the id `f-<name>` the form reads it back by."""
    wid = f"f-{name}"
    read_only = name == "application_id" or (editing and name in READ_ONLY_ON_EDIT)
    if name == "device_type" and not read_only:
        options = [(d, d) for d in DEVICE_TYPES]
        if value and value not in DEVICE_TYPES:
            options.append((value, value))
        return VimSelect(options, value=value or Select.NULL, prompt="choose a device type", id=wid)
    suggester = SuggestFromList(views, case_sensitive=False) if name == "view_name" else None
    return SafeInput(
        value,
        placeholder=PLACEHOLDERS.get(name, ""),
        suggester=suggester,
        disabled=read_only,
        id=wid,
    )


def mark_error(form: Widget, name: str, message: str) -> None:
    """Show `message` under the field `name` of `form` and mark its input; an empty one clears both."""
    error = form.query_one(f"#e-{name}", Static)
    error.update(visible(message))
    error.display = bool(message)
    form.query_one(f"#f-{name}").set_class(bool(message), "invalid")
