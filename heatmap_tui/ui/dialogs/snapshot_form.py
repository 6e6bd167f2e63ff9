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
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.errors import ApiError, NotFound
from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes, SnapshotUpdateAttributes
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import CreateOutcome, CreateState, SnapshotService
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.dialogs.form_fields import FormResult
from heatmap_tui.ui.dialogs.snapshot_fields import SnapshotFields
from heatmap_tui.ui.forms import FormInput
from heatmap_tui.ui.safe import safe
from heatmap_tui.ui.widgets.busy import busy_until

__all__ = ["FormResult", "SnapshotForm"]


class SnapshotForm(Dialog[FormResult | None]):
    """Create (`snapshot=None`) or edit (`snapshot` given) a heatmap snapshot. With `rum`, the
    event, session and view ids can be picked from a replay instead of typed."""

    DEFAULT_CSS = """
    SnapshotForm {
        /* Taller than the terminal (80x24): the whole form scrolls, buttons and keys included. */
        overflow-y: auto;
        #snapshot-form {
            width: 110;
            max-width: 98%;
            max-height: initial;
            padding: 0 1;
        }
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
        Binding(
            "ctrl+s", "save", "Save", priority=True, tooltip="Save the snapshot", id="snapshot_form.save"
        ),
        Binding("escape", "cancel", "Cancel", id="snapshot_form.cancel"),
        Binding(
            "ctrl+r",
            "pick_replay",
            "Pick from replay",
            tooltip="Pick the frame from a replay view",
            id="snapshot_form.pick_replay",
        ),
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
        self._server_said = False  # the error line holds what the server said (_set_form_error)
        # A create whose outcome is unknown (its answer was lost, and the look-up failed): what
        # was sent, when (time.monotonic()) and how it failed. While set, Save only looks for it.
        self.unsettled: tuple[SnapshotCreateAttributes, float, ApiError | None] | None = None

    @property
    def editing(self) -> bool:
        return self.snapshot is not None

    # --- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="snapshot-form", classes="dialog") as box:
            box.border_title = safe(
                f"Edit snapshot {self.snapshot.name!r}" if self.snapshot else "New snapshot"
            )
            if self.snapshot is not None:
                box.border_subtitle = safe(f"id {self.snapshot.id}")  # the server's id: never markup
            yield SnapshotFields(
                self.initial,
                editing=self.editing,
                views=self.views,
                rum=self.rum,
                clock=self.clock,
                id="form-fields",
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
        self._set_form_error("")
        self.query_one("#form-remove", Button).display = False
        self.fields.focus_first()

    @property
    def fields(self) -> SnapshotFields:
        return self.query_one(SnapshotFields)

    def _show_error_count(self, count: int) -> None:
        self._set_form_error(
            f"Fix the {count} field{'s' if count != 1 else ''} marked in red." if count else ""
        )
        self._server_said = False

    @on(SnapshotFields.Rechecked)
    def _rechecked(self, event: SnapshotFields.Rechecked) -> None:
        # A check made later (a look-up answered after the save's) recounts the fields; what the
        # server said about the save stays until the next save, unless a field is now wrong.
        if not self._server_said or event.errors:
            self._show_error_count(event.errors)

    # --- saving ------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        if self.unsettled is not None:
            self._set_saving(True)
            self._check_again(*self.unsettled)
            return
        fields = self.fields
        if fields.computing_start:
            self.notify(
                "Still computing the start from the replay: save again in a moment.", severity="warning"
            )
            return
        outcome = fields.check()
        self._show_error_count(len(outcome.errors))
        if outcome.value is None:
            fields.focus_first_error(outcome)
            return
        self._set_saving(True)
        self._send(outcome.value)

    @work(exclusive=True, group="save")
    async def _send(self, attributes: SnapshotCreateAttributes | SnapshotUpdateAttributes) -> None:
        try:
            if isinstance(attributes, SnapshotUpdateAttributes):
                assert self.snapshot is not None
                saved = await busy_until(self._buttons, self.service.update(self.snapshot.id, attributes))
            else:
                sent = time.monotonic()
                creating = self.service.create_settled(attributes)
                self._settled(attributes, sent, await busy_until(self._buttons, creating))
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
        checking = self.service.settle_create(attributes, sent, lost=lost)
        self._settled(attributes, sent, await busy_until(self._buttons, checking))

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

    @property
    def _buttons(self) -> Horizontal:
        """Where a save's answer shows: covered by a busy sign (busy_until) while it is slow."""
        return self.query_one("#form-buttons", Horizontal)

    def _set_saving(self, saving: bool) -> None:
        # Save is held at once (no second press), with no sign: a slow answer gets one (_buttons).
        self.saving = saving
        button = self.query_one("#form-save", Button)
        button.disabled = saving
        if self.unsettled is not None:
            button.label = "Check again"
        else:
            button.label = "Save" if self.editing else "Create"

    def _set_form_error(self, message: str) -> None:
        """The line under the fields; `_server_said` until the fields are counted again."""
        self._server_said = bool(message)
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

    def action_pick_replay(self) -> None:
        self.fields.pick_replay()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.rum is not None if action == "pick_replay" else True

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#form-remove")
    def _remove_pressed(self) -> None:
        assert self.snapshot is not None
        self.dismiss(FormResult(gone_id=self.snapshot.id))
