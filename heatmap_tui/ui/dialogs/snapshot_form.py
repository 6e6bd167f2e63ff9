"""One form for creating and editing a snapshot; it sends the request itself so a failure keeps
everything typed and shows the server's words next to it.

A create whose answer is lost is settled, never guessed (SnapshotService.create_settled): found
on the server, it is reported created; surely absent, the form says so and Create may be pressed
again; when that cannot be told, the form says the outcome is unknown and offers "Check again"
(which only looks), never a second Create.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from heatmap_tui.core.errors import ApiError, NotFound
from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import CreateOutcome, CreateState, SnapshotService
from heatmap_tui.ui.dialogs.form_fields import CHECKBOX, FIELDS, FormResult, field_label, field_widget
from heatmap_tui.ui.dialogs.replay_fill import ReplayFill
from heatmap_tui.ui.format import format_start
from heatmap_tui.ui.forms import FormInput, Outcome, parse_start, validate_create, validate_update
from heatmap_tui.ui.safe import safe
from heatmap_tui.ui.session import Clock, utc_now

__all__ = ["FormResult", "SnapshotForm"]


class SnapshotForm(ReplayFill):
    """Create (`snapshot=None`) or edit (`snapshot` given) a heatmap snapshot. With `rum`, the
    event, session and view ids can be picked from a replay instead of typed."""

    DEFAULT_CSS = """
    SnapshotForm {
        align: center middle;
        #snapshot-form {
            width: 110;
            max-width: 98%;
            height: auto;
            max-height: 98%;
            border: round $primary;
            border-title-color: $text;
            border-title-style: bold;
            border-subtitle-color: $text-muted;
            background: $surface;
            padding: 0 1;
        }
        #form-fields { height: auto; max-height: 1fr; }
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
        #form-error {
            color: $text-error;
            background: $error 10%;
            padding: 0 1;
            margin: 1 0 0 0;
        }
        #form-buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
        #form-buttons Button { margin: 0 0 0 2; }
        #form-keys { color: $text-muted; width: 1fr; padding: 1 0 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="snapshot_form.save"),
        Binding("escape", "cancel", "Cancel", id="snapshot_form.cancel"),
        Binding("ctrl+r", "pick_replay", "Pick from replay", id="snapshot_form.pick_replay"),
    ]

    def __init__(
        self,
        service: SnapshotService,
        *,
        application_id: str,
        snapshot: Snapshot | None = None,
        view_name: str = "",
        device_type: str | None = None,
        views: Iterable[str] = (),
        rum: RumService | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.service = service
        self.rum = rum
        self.clock = clock
        self.snapshot = snapshot
        self.views = list(views)
        if snapshot is not None:
            self.initial = FormInput.of(snapshot)
        else:
            self.initial = FormInput(
                view_name=view_name, device_type=device_type or "", application_id=application_id
            )
        self.saving = False
        self._checked_once = False  # after a first Save, errors update as the person types
        # A create whose outcome is unknown (its answer was lost, and the look-up failed): what
        # was sent, when (time.monotonic()) and how it failed. While set, Save only looks for it.
        self.unsettled: tuple[SnapshotCreateAttributes, float, ApiError | None] | None = None

    @property
    def editing(self) -> bool:
        return self.snapshot is not None

    # --- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="snapshot-form") as box:
            box.border_title = safe(
                f"Edit snapshot {self.snapshot.name!r}" if self.snapshot else "New snapshot"
            )
            if self.snapshot is not None:
                box.border_subtitle = safe(f"id {self.snapshot.id}")  # the server's id: never markup
            with VerticalScroll(id="form-fields"):
                with Grid(id="form-grid"):
                    for name in FIELDS:
                        with Vertical(classes="field", id=f"field-{name}"):
                            yield Label(field_label(name, self.editing), markup=False)
                            widget = field_widget(name, getattr(self.initial, name), self.editing, self.views)
                            if name == "event_id" and self.rum is not None:
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
                    self.initial.is_device_type_selected_by_user,
                    id=f"f-{CHECKBOX}",
                )
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Label(self._keys_hint(), id="form-keys", markup=False)
                yield Button("Remove from table", variant="warning", id="form-remove")
                yield Button("Cancel", id="form-cancel")
                yield Button("Save" if self.editing else "Create", variant="primary", id="form-save")

    def _keys_hint(self) -> str:
        if self.rum is None:
            return "ctrl+s save · escape cancel · tab next field"
        return "ctrl+s save · ctrl+r pick from replay · escape cancel"

    def on_mount(self) -> None:
        for name in FIELDS:
            self.query_one(f"#e-{name}", Static).display = False
        self._set_form_error("")
        self._show_start_hint(self.initial.start)
        self.query_one("#hint-event_id", Static).display = False
        self.query_one("#form-remove", Button).display = False
        self.query_one("#f-event_id" if self.editing else "#f-snapshot_name").focus()

    # --- reading and checking ------------------------------------------------

    def form_input(self) -> FormInput:
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

    def _start_hint(self, raw: str) -> str:
        """What a typed start means, both ways, so a person can check it; empty when unreadable."""
        value, _ = parse_start(raw)
        return "" if value is None else f"= {format_start(value)}  ({value} ms)"

    def _show_start_hint(self, raw: str) -> None:
        hint = self.query_one("#hint-start", Static)
        text = self._start_hint(raw)
        hint.update(visible(text))
        hint.display = bool(text)

    def field_error(self, name: str, message: str) -> None:
        """One field's error under it, outside a full check (a pick that needs a view, say)."""
        error = self.query_one(f"#e-{name}", Static)
        error.update(visible(message))
        error.display = bool(message)
        self.query_one(f"#f-{name}").set_class(bool(message), "invalid")

    def _check(self) -> Outcome[SnapshotCreateAttributes] | Outcome[SnapshotUpdateAttributes]:
        """Validate, and show each field's error under it (and how many there are below)."""
        form = self.form_input()
        outcome = validate_update(form) if self.editing else validate_create(form)
        for name in FIELDS:
            self.field_error(name, outcome.errors.get(name, ""))
        count = len(outcome.errors)
        self._set_form_error(
            f"Fix the {count} field{'s' if count != 1 else ''} marked in red." if count else ""
        )
        return outcome

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        if event.control.id == "f-start":
            self._show_start_hint(str(event.value))
        elif event.control.id == "f-event_id":
            self.event_id_typed(str(event.value))
        if self._checked_once:
            self._check()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # --- saving ------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        if self.unsettled is not None:
            self._set_saving(True)
            self._check_again(*self.unsettled)
            return
        if self.computing_start:
            self.notify(
                "Still computing the start from the replay: save again in a moment.", severity="warning"
            )
            return
        self._checked_once = True
        outcome = self._check()
        if outcome.value is None:
            first = next(n for n in FIELDS if n in outcome.errors)
            self.query_one(f"#f-{first}").focus()
            return
        self._set_saving(True)
        self._send(outcome.value)

    @work(exclusive=True, group="save")
    async def _send(self, attributes: SnapshotCreateAttributes | SnapshotUpdateAttributes) -> None:
        try:
            if isinstance(attributes, SnapshotUpdateAttributes):
                assert self.snapshot is not None
                saved = await self.service.update(self.snapshot.id, attributes)
            else:
                sent = time.monotonic()
                self._settled(attributes, sent, await self.service.create_settled(attributes))
                return
        except NotFound as exc:
            self._set_saving(False)
            if self.snapshot is None:
                self._set_form_error(str(exc))
                return
            self._set_form_error(
                f"Snapshot {self.snapshot.name!r} no longer exists on the server: it was deleted "
                "elsewhere. Remove it from the table, or cancel."
            )
            remove = self.query_one("#form-remove", Button)
            remove.display = True
            remove.focus()
            return
        except ApiError as exc:
            self._set_saving(False)
            self._set_form_error(str(exc))
            return
        self.dismiss(FormResult(snapshot=saved, created=self.snapshot is None))

    @work(exclusive=True, group="save")
    async def _check_again(
        self, attributes: SnapshotCreateAttributes, sent: float, lost: ApiError | None
    ) -> None:
        self._settled(attributes, sent, await self.service.settle_create(attributes, sent, lost=lost))

    def _settled(self, attributes: SnapshotCreateAttributes, sent: float, outcome: CreateOutcome) -> None:
        """Close on a create that happened; otherwise say what is known, and offer only what is safe."""
        if outcome.state is CreateState.CREATED and outcome.snapshot is not None:
            if outcome.lost is not None:
                self.notify(outcome.message(), title="Created after all", severity="warning", timeout=10)
            self.dismiss(FormResult(snapshot=outcome.snapshot, created=True))
            return
        unknown = outcome.state is CreateState.UNKNOWN
        self.unsettled = (attributes, sent, outcome.lost) if unknown else None
        self._set_saving(False)
        self._set_form_error(outcome.message())

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        button = self.query_one("#form-save", Button)
        button.disabled = saving
        if saving:
            button.label = "Checking…" if self.unsettled is not None else "Saving…"
        elif self.unsettled is not None:
            button.label = "Check again"
        else:
            button.label = "Save" if self.editing else "Create"

    def _set_form_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(visible(message))
        error.display = bool(message)

    def action_cancel(self) -> None:
        if self.saving:
            self.notify("Still saving: wait for the server's answer.", severity="warning")
            return
        self.dismiss(None)

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-pick-replay")
    def _pick_replay_pressed(self) -> None:
        self.action_pick_replay()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.rum is not None if action == "pick_replay" else True

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#form-remove")
    def _remove_pressed(self) -> None:
        assert self.snapshot is not None
        self.dismiss(FormResult(gone_id=self.snapshot.id))
