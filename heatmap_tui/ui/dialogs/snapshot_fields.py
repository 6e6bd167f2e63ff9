"""The snapshot form's fields as one widget: the inputs, each one's error under it, the start
hint, and "Pick from replay…", which opens the replay picker on the typed view and device, then
fills the event, session and view ids from the chosen view event and computes its start."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from heatmap_tui.core.clock import Clock
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.dialogs.form_fields import CHECKBOX, FIELDS, field_label, field_widget
from heatmap_tui.ui.dialogs.replay_picker import ReplayPicker
from heatmap_tui.ui.format import format_absolute, format_start
from heatmap_tui.ui.forms import (
    DEVICE_TYPES,
    FormInput,
    Outcome,
    parse_start,
    validate_create,
    validate_update,
)

COMPUTING = "computing start…"

Validated = Outcome[SnapshotCreateAttributes] | Outcome[SnapshotUpdateAttributes]


def suggested_name(view_name: str, device_type: str, event: ViewEvent) -> str:
    """What the frame is, in words a person can keep or replace: view, device and day of the replay."""
    device = f" {device_type}" if device_type else ""
    return f"{view_name}{device} · {event.date:%Y-%m-%d}"


def start_hint(raw: str) -> str:
    """What a typed start means, both ways, so a person can check it; empty when unreadable."""
    value, _ = parse_start(raw)
    return "" if value is None else f"= {format_start(value)}  ({value} ms)"


class SnapshotFields(VerticalScroll):
    """The fields of a create (`editing=False`) or an edit, each read back by its id `f-<name>`.
    With `rum`, the event, session and view ids can be picked from a replay instead of typed.

    After a first `check`, the fields are checked again as the person types, and `Rechecked`
    says how many are wrong."""

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
        #form-pick-replay { margin: 0 0 0 1; }
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
        self.computing_start = False
        self.picked_event: ViewEvent | None = None
        self._start_token = 0  # which pick's start is being computed: only the latest may fill it in
        self._checked_once = False

    def compose(self) -> ComposeResult:
        with Grid(id="form-grid"):
            for name in FIELDS:
                with Vertical(classes="field", id=f"field-{name}"):
                    yield Label(field_label(name, self._editing), markup=False)
                    widget = field_widget(name, getattr(self._initial, name), self._editing, self._views)
                    if name == "event_id" and self._rum is not None:
                        with Horizontal(classes="with-button"):
                            yield widget
                            yield Button("Pick from replay…", id="form-pick-replay")
                    else:
                        yield widget
                    if name in ("event_id", "start"):
                        yield Static("", classes="field-hint", id=f"hint-{name}", markup=False)
                    yield Static("", classes="field-error", id=f"e-{name}", markup=False)
        yield Checkbox(
            "Device type chosen by a person (not detected)",
            self._initial.is_device_type_selected_by_user,
            id=f"f-{CHECKBOX}",
        )

    def on_mount(self) -> None:
        for name in FIELDS:
            self.query_one(f"#e-{name}", Static).display = False
        self._show_start_hint(self._initial.start)
        self.query_one("#hint-event_id", Static).display = False

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
        error = self.query_one(f"#e-{name}", Static)
        error.update(visible(message))
        error.display = bool(message)
        self.query_one(f"#f-{name}").set_class(bool(message), "invalid")

    def _validate(self) -> Validated:
        form = self.read()
        outcome = validate_update(form) if self._editing else validate_create(form)
        for name in FIELDS:
            self.show_error(name, outcome.errors.get(name, ""))
        return outcome

    def _show_start_hint(self, raw: str) -> None:
        hint = self.query_one("#hint-start", Static)
        text = start_hint(raw)
        hint.update(visible(text))
        hint.display = bool(text)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        if event.control.id == "f-start":
            self._show_start_hint(str(event.value))
        elif event.control.id == "f-event_id":
            self._event_id_typed(str(event.value))
        if self._checked_once:
            self.post_message(self.Rechecked(len(self._validate().errors)))

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

    def _replay_picked(self, event: ViewEvent | None) -> None:
        if event is None:
            return
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
        self._compute_start(event)

    def _event_id_typed(self, value: str) -> None:
        """Another id typed over a picked one: the replay hint no longer says where it is from."""
        if self.picked_event is not None and value.strip() != self.picked_event.event_id:
            self.picked_event = None
            self.query_one("#hint-event_id", Static).display = False

    @work(exclusive=True, group="start")
    async def _compute_start(self, event: ViewEvent) -> None:
        assert self._rum is not None
        start = self.query_one("#f-start", Input)
        before = start.value
        self._start_token += 1
        token = self._start_token
        self.computing_start = True
        self.show_error("start", "")
        hint = self.query_one("#hint-start", Static)
        hint.update(COMPUTING)
        hint.display = True
        try:
            ms = await self._rum.start_offset(event)
        except ApiError as exc:
            if token == self._start_token:
                self.show_error("start", f"Could not compute the start: {exc} Type it by hand.")
            return
        finally:
            if token == self._start_token:
                self.computing_start = False
                self._show_start_hint(start.value)
        if ms is None:
            if token == self._start_token and start.value == before:
                self.show_error(
                    "start", "Could not tell where this view starts in its session. Type it by hand."
                )
            return
        if start.value != before:  # typed by hand while the server answered: that wins
            self.notify(
                f"Kept the start you typed; this frame's view starts at {format_start(ms)} ({ms} ms)."
            )
            return
        start.value = str(ms)
