"""The snapshot form's "Pick from replay…": open the replay picker on the form's view and device,
then fill the event, session and view ids from the chosen view event and compute its start."""

from __future__ import annotations

from textual import work
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.rum_models import ViewEvent
from heatmap_tui.ui.dialogs.form_fields import FormResult
from heatmap_tui.ui.dialogs.replay_picker import ReplayPicker
from heatmap_tui.ui.format import format_absolute, format_start
from heatmap_tui.ui.forms import DEVICE_TYPES, FormInput
from heatmap_tui.ui.session import Clock

COMPUTING = "computing start…"


def suggested_name(view_name: str, device_type: str, event: ViewEvent) -> str:
    """What the frame is, in words a person can keep or replace: view, device and day of the replay."""
    device = f" {device_type}" if device_type else ""
    return f"{view_name}{device} · {event.date:%Y-%m-%d}"


class ReplayFill(ModalScreen[FormResult | None]):
    """The base of SnapshotForm: the replay pick. The form provides `rum`, `clock`, the fields
    (form_input), their errors (field_error) and the start hint, declared here for the type checker."""

    rum: RumService | None
    clock: Clock

    @property
    def editing(self) -> bool:
        raise NotImplementedError

    def form_input(self) -> FormInput:
        raise NotImplementedError

    def field_error(self, name: str, message: str) -> None:
        raise NotImplementedError

    def _show_start_hint(self, raw: str) -> None:
        raise NotImplementedError

    _start_token = 0  # which pick's start is being computed: only the latest may fill it in
    computing_start = False
    picked_event: ViewEvent | None = None

    def action_pick_replay(self) -> None:
        if self.rum is None:
            return
        form = self.form_input()
        view = form.view_name.strip()
        if not view:
            self.field_error("view_name", "Type the view name first: replays are searched by view.")
            self.query_one("#f-view_name").focus()
            return
        picker = ReplayPicker(
            self.rum,
            form.application_id.strip(),
            view,
            form.device_type.strip() or None,
            clock=self.clock,
        )
        self.app.push_screen(picker, self._replay_picked)

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
        if not self.editing:
            device = self.query_one("#f-device_type")
            if (
                isinstance(device, Select)
                and device.value is Select.NULL
                and event.device_type in DEVICE_TYPES
            ):
                device.value = event.device_type  # the picker searched every device: take the frame's
            name = self.query_one("#f-snapshot_name", Input)
            if not name.value.strip():
                form = self.form_input()
                name.value = suggested_name(form.view_name.strip(), form.device_type, event)
        self._compute_start(event)

    def event_id_typed(self, value: str) -> None:
        """Another id typed over a picked one: the replay hint no longer says where it is from."""
        if self.picked_event is not None and value.strip() != self.picked_event.event_id:
            self.picked_event = None
            self.query_one("#hint-event_id", Static).display = False

    @work(exclusive=True, group="start")
    async def _compute_start(self, event: ViewEvent) -> None:
        assert self.rum is not None
        start = self.query_one("#f-start", Input)
        before = start.value
        self._start_token += 1
        token = self._start_token
        self.computing_start = True
        self.field_error("start", "")
        hint = self.query_one("#hint-start", Static)
        hint.update(COMPUTING)
        hint.display = True
        try:
            ms = await self.rum.start_offset(event)
        except ApiError as exc:
            if token == self._start_token:
                self.field_error("start", f"Could not compute the start: {exc} Type it by hand.")
            return
        finally:
            if token == self._start_token:
                self.computing_start = False
                self._show_start_hint(start.value)
        if ms is None:
            if token == self._start_token and start.value == before:
                self.field_error(
                    "start", "Could not tell where this view starts in its session. Type it by hand."
                )
            return
        if start.value != before:  # typed by hand while the server answered: that wins
            self.notify(
                f"Kept the start you typed; this frame's view starts at {format_start(ms)} ({ms} ms)."
            )
            return
        start.value = str(ms)
