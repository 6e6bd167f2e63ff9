"""The snapshot form's fields as one widget: the inputs, each one's error under it, the Start
field (start_field.py), and "Replay…", which opens the replay picker on the typed view
and device, then fills the event, session and view ids from the chosen view event and the start
from the chosen moment."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from heatmap_tui.core.clock import Clock
from heatmap_tui.core.models import SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.ui.dialogs.form_fields import CHECKBOX, FIELDS, field_label, field_widget, mark_error
from heatmap_tui.ui.dialogs.replay_moment import ReplayMoment
from heatmap_tui.ui.dialogs.replay_picker import ReplayPicker
from heatmap_tui.ui.dialogs.start_field import StartField
from heatmap_tui.ui.format import format_absolute
from heatmap_tui.ui.forms import (
    DEVICE_TYPES,
    FormInput,
    Outcome,
    validate_create,
    validate_update,
)

Validated = Outcome[SnapshotCreateAttributes] | Outcome[SnapshotUpdateAttributes]


def suggested_name(view_name: str, device_type: str, event: ViewEvent) -> str:
    """What the frame is, in words a person can keep or replace: view, device and day of the replay."""
    device = f" {device_type}" if device_type else ""
    return f"{view_name}{device} · {event.date:%Y-%m-%d}"


class SnapshotFields(VerticalScroll):
    """The fields of a create (`editing=False`) or an edit, each read back by its id `f-<name>`.
    With `rum`, the event, session and view ids can be picked from a replay instead of typed.

    After a first `check`, the fields are checked again as the person types, and `Rechecked`
    says how many are wrong; before it, only a start past the end of its frame's view is."""

    DEFAULT_CSS = """
    SnapshotFields {
        height: auto;
        max-height: 1fr;
        #form-grid {
            grid-size: 2;
            grid-columns: 1fr 1fr;
            grid-rows: auto;
            grid-gutter: 0 2;
            height: auto;
        }
        .field { height: auto; }
        .field Label { color: $text-muted; padding: 0 1; }
        .field Input.invalid, .field Input.invalid:focus, .field Select.invalid > SelectCurrent {
            border: tall $error;
        }
        .field-error { color: $text-error; padding: 0 1; }
        .field-hint { color: $text-muted; padding: 0 1; }
        .with-button { height: auto; }
        .with-button Input { width: 1fr; }
        #form-pick-replay { margin: 0 0 0 1; min-width: 11; width: auto; }
        #f-is_device_type_selected_by_user { margin: 0 0 0 0; }
    }
    """

    class Rechecked(Message):
        """The fields were checked again as the person typed."""

        def __init__(self, errors: int) -> None:
            super().__init__()
            self.errors = errors  # how many fields are wrong

    def __init__(
        self,
        initial: FormInput,
        *,
        editing: bool,
        views: Sequence[str],
        rum: RumService | None,
        clock: Clock,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._initial = initial
        self._editing = editing
        self._views = views
        self._rum = rum
        self._clock = clock
        self.picked_event: ViewEvent | None = None
        self._checked_once = False

    def compose(self) -> ComposeResult:
        with Grid(id="form-grid"):
            for name in FIELDS:
                if name == "start":
                    yield StartField(self._initial.start, editing=self._editing, rum=self._rum)
                    continue
                with Vertical(classes="field", id=f"field-{name}"):
                    yield Label(field_label(name, self._editing), markup=False)
                    widget = field_widget(name, getattr(self._initial, name), self._editing, self._views)
                    if name == "event_id" and self._rum is not None:
                        with Horizontal(classes="with-button"):
                            yield widget
                            yield Button(
                                "Replay…",
                                id="form-pick-replay",
                                tooltip="Pick the frame from a session replay (ctrl+r)",
                            )
                    else:
                        yield widget
                    if name == "event_id":
                        yield Static("", classes="field-hint", id="hint-event_id", markup=False)
                    yield Static("", classes="field-error", id=f"e-{name}", markup=False)
        yield Checkbox(
            "Device type chosen by a person (not detected)",
            self._initial.is_device_type_selected_by_user,
            id=f"f-{CHECKBOX}",
        )

    def on_mount(self) -> None:
        for name in FIELDS:
            self.query_one(f"#e-{name}", Static).display = False
        self.query_one("#hint-event_id", Static).display = False
        self.start_field.show(self._initial, warn=True)
        if self._editing and self._rum is not None:
            self.start_field.look_up(self._initial)

    @property
    def start_field(self) -> StartField:
        return self.query_one(StartField)

    @property
    def computing_start(self) -> bool:
        return self.start_field.computing

    def focus_first(self) -> None:
        """The first field there is to type: the name of a new snapshot, the event of an edit."""
        self.query_one("#f-event_id" if self._editing else "#f-snapshot_name").focus()

    # --- reading and checking ------------------------------------------------

    def read(self) -> FormInput:
        def text(name: str) -> str:
            return self.query_one(f"#f-{name}", Input).value

        device = self.query_one("#f-device_type")
        device_value = device.value if isinstance(device, (Input, Select)) else ""
        return FormInput(
            snapshot_name=text("snapshot_name"),
            view_name=text("view_name"),
            device_type="" if device_value is Select.NULL else str(device_value),
            application_id=text("application_id"),
            event_id=text("event_id"),
            start=text("start"),
            session_id=text("session_id"),
            view_id=text("view_id"),
            is_device_type_selected_by_user=self.query_one(f"#f-{CHECKBOX}", Checkbox).value,
        )

    def check(self) -> Validated:
        """Validate, show each field's error under it, and from now on check as the person types."""
        self._checked_once = True
        return self._validate()

    def focus_first_error(self, outcome: Validated) -> None:
        first = next(n for n in FIELDS if n in outcome.errors)
        self.query_one(f"#f-{first}").focus()

    def show_error(self, name: str, message: str) -> None:
        """One field's error under it, outside a full check (a pick that needs a view, say)."""
        mark_error(self, name, message)

    def _validate(self) -> Validated:
        form = self.read()
        span = self.start_field.span
        outcome = validate_update(form, span) if self._editing else validate_create(form, span)
        held = self.start_field.held  # no "required" while the start is computed, say
        for name in FIELDS:
            self.show_error(
                name, held if name == "start" and held is not None else outcome.errors.get(name, "")
            )
        return outcome

    def _recheck(self) -> None:
        self.start_field.show(self.read(), warn=not self._checked_once)
        if self._checked_once:
            self.post_message(self.Rechecked(len(self._validate().errors)))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        if event.control.id == "f-event_id":
            self._event_id_typed(str(event.value))
        self._recheck()

    @on(StartField.SpanChanged)
    def _span_changed(self, event: StartField.SpanChanged) -> None:
        event.stop()
        self._recheck()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    # --- picking from a replay -------------------------------------------------

    def pick_replay(self) -> None:
        if self._rum is None:
            return
        form = self.read()
        view = form.view_name.strip()
        if not view:
            self.show_error("view_name", "Type the view name first: replays are searched by view.")
            self.query_one("#f-view_name").focus()
            return
        picker = ReplayPicker(
            self._rum,
            form.application_id.strip(),
            view,
            form.device_type.strip() or None,
            clock=self._clock,
        )
        self.app.push_screen(picker, self._replay_picked)

    @on(Button.Pressed, "#form-pick-replay")
    def _pick_replay_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.pick_replay()

    def _replay_picked(self, moment: ReplayMoment | None) -> None:
        if moment is None:
            return
        event = moment.event
        self.picked_event = event
        self.query_one("#f-event_id", Input).value = event.event_id
        hint = self.query_one("#hint-event_id", Static)
        hint.update(f"replay frame of {format_absolute(event.date)}")
        hint.display = True
        self.query_one("#f-session_id", Input).value = event.session_id or ""
        self.query_one("#f-view_id", Input).value = event.view_id or ""
        if not self._editing:
            device = self.query_one("#f-device_type")
            if (
                isinstance(device, Select)
                and device.value is Select.NULL
                and event.device_type in DEVICE_TYPES
            ):
                device.value = event.device_type  # the picker searched every device: take the frame's
            name = self.query_one("#f-snapshot_name", Input)
            if not name.value.strip():
                form = self.read()
                name.value = suggested_name(form.view_name.strip(), form.device_type, event)
        self.start_field.from_replay(moment)

    def _event_id_typed(self, value: str) -> None:
        """Another id typed over a picked one: the replay hint no longer says where it is from."""
        if self.picked_event is not None and value.strip() != self.picked_event.event_id:
            self.picked_event = None
            self.query_one("#hint-event_id", Static).display = False
