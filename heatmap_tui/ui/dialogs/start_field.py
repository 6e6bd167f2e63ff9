"""The snapshot form's Start field: its input, what the typed start means, and where the view of
the form's frame lies in its session, so that a start past that view's end is said as it is
typed. The view's place comes from a replay pick, or is looked up when editing a snapshot; when
it cannot be told, the hint says the end is unknown and nothing stops a save."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.rum_models import ViewSpan
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.dialogs.form_fields import field_label, field_widget, mark_error
from heatmap_tui.ui.dialogs.replay_moment import ReplayMoment
from heatmap_tui.ui.format import format_start
from heatmap_tui.ui.forms import FormInput, parse_start, past_end, span_of, span_remark

COMPUTING = "computing start…"
UNKNOWN_END = "where this view ends is unknown"
LOOKING_UP = "looking up where this view ends…"


class StartField(Vertical):
    """The field `start` (input `#f-start`, hint `#hint-start`, error `#e-start`) and `span`, the
    view of the frame it was last told about."""

    class SpanChanged(Message):
        """What is known of the frame's view changed: the start is to be shown again."""

    def __init__(self, value: str, *, editing: bool, rum: RumService | None) -> None:
        super().__init__(classes="field", id="field-start")
        self._value = value
        self._editing = editing
        self._rum = rum
        self.span: ViewSpan | None = None
        self.unknown = UNKNOWN_END  # what the hint says while no span applies
        self.computing = False
        self.failure: str | None = None  # why the picked moment gave no start, until one is typed
        self._token = 0  # which pick's start is being computed: only the latest may fill it in
        self._warned = False  # the error under the field is the past-end warning shown as typed

    def compose(self) -> ComposeResult:
        yield Label(field_label("start", self._editing), markup=False)
        yield field_widget("start", self._value, self._editing, ())
        yield Static("", classes="field-hint", id="hint-start", markup=False)
        yield Static("", classes="field-error", id="e-start", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#f-start", Input)

    @property
    def held(self) -> str | None:
        """The field's own message, which a check of the form leaves in place: none while the
        start is computed, or why it could not be; None when a check may show its error."""
        return "" if self.computing else self.failure

    @on(Input.Changed, "#f-start")
    def _typed(self) -> None:
        if not self.computing:
            self.failure = None  # typed by hand, as the failure asked

    def show(self, form: FormInput, *, warn: bool) -> None:
        """The hint for what is typed; with `warn` (before the form's first check, which shows
        every error), also the past-end warning, as the person types."""
        self._show_hint(form)
        if not warn:
            self._warned = False
            return
        start, _ = parse_start(form.start)
        span = span_of(form, self.span)
        warning = past_end(start, span) if start is not None and span is not None else None
        if warning or self._warned:
            mark_error(self, "start", warning or "")
        self._warned = bool(warning)

    def _show_hint(self, form: FormInput) -> None:
        hint = self.query_one("#hint-start", Static)
        start, _ = parse_start(form.start)
        if self.computing:
            text = COMPUTING
        elif start is None:
            text = ""
        else:
            text = f"= {format_start(start)}  ({start} ms)"
            span = span_of(form, self.span)
            remark = span_remark(start, span) if span is not None else self.unknown
            if remark and form.event_id.strip():
                text += f" · {remark}"
        hint.update(visible(text))
        hint.display = bool(text)

    # --- where the frame's view lies -------------------------------------------------

    @work(exclusive=True, group="start")
    async def look_up(self, form: FormInput) -> None:
        """Where the view of a saved snapshot's frame lies, from its ids (edit)."""
        assert self._rum is not None
        self.unknown = LOOKING_UP
        self.post_message(self.SpanChanged())
        try:
            event = await self._rum.find_view_event(
                form.application_id,
                form.event_id,
                session_id=form.session_id or None,
                view_id=form.view_id or None,
            )
            start = await self._rum.start_offset(event) if event is not None else None
        except ApiError:
            event = start = None
        self.span = ViewSpan.of(event, start) if event is not None and start is not None else None
        self.unknown = UNKNOWN_END
        self.post_message(self.SpanChanged())

    @work(exclusive=True, group="start")
    async def from_replay(self, moment: ReplayMoment) -> None:
        """Fill the start with the picked moment: its view's offset in the session plus the
        moment's within the view. A start typed meanwhile is kept."""
        assert self._rum is not None
        start = self.input
        before = start.value
        self._token += 1
        token = self._token
        self.computing = True
        self.failure = None
        self.span = None
        self.unknown = UNKNOWN_END
        mark_error(self, "start", "")
        self.post_message(self.SpanChanged())
        event = moment.event
        failure: str | None = None
        try:
            ms = await self._rum.start_offset(event)
        except ApiError as exc:
            ms, failure = None, f"Could not compute the start: {exc} Type it by hand."
        if token != self._token:
            return
        self.computing = False
        if ms is None:
            if failure is None and start.value == before:
                failure = "Could not tell where this view starts in its session. Type it by hand."
            self.failure = failure
            mark_error(self, "start", failure or "")
            self.post_message(self.SpanChanged())
            return
        self.span = ViewSpan.of(event, ms)
        self.unknown = UNKNOWN_END if self.span is not None else "how long this view lasted is unknown"
        at = ms + moment.offset_ms
        if start.value != before:  # typed by hand while the server answered: that wins
            self.notify(
                f"Kept the start you typed; the moment you picked is at {format_start(at)} ({at} ms)."
            )
        else:
            start.value = str(at)
        self.post_message(self.SpanChanged())
