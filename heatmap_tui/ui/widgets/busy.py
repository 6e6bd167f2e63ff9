"""The one way the UI says "waiting for an answer", and only when the answer is slow.

`busy_after(widget)` puts `widget` into Textual's loading state (a LoadingIndicator over it, its
input held) once BUSY_DELAY has passed without an answer, and takes it out when the answer, or an
error, came: an answer faster than that shows nothing, so nothing flashes. The widget is where
the answer will appear: the table a load fills, the list a picker waits for, a form's buttons.

    with busy_after(table):
        rows = await service.list(...)

`busy_until` is the same around one awaited call, and `busy_during` the same while a worker of
someone else runs (the App's, acting on what a picker chose).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerError

BUSY_DELAY = 0.2  # seconds: a quicker answer shows no sign
T = TypeVar("T")

# How many shown signs each widget has: two loads overlapping (the newer cancels the older) must
# not take the newer's indicator away when the older ends.
_shown: WeakKeyDictionary[Widget, int] = WeakKeyDictionary()


class Busy:
    """The sign over `widget` while an answer is awaited; see busy_after. Made and ended from the
    app's thread or from a thread worker alike.

    `sign`, if given, is called with True when the indicator appears and False when it goes: a
    second place that says so (a status line's "loading…", a hint)."""

    def __init__(
        self, widget: Widget, delay: float = BUSY_DELAY, sign: Callable[[bool], object] | None = None
    ) -> None:
        self._widget = widget
        self._sign = sign
        self._timer: Timer | None = None
        self._ended = False
        self.shown = False
        self._on_app_thread(lambda: self._start(delay))

    def done(self) -> None:
        """The answer (or an error) came: the sign goes, or never comes. Idempotent."""
        self._on_app_thread(self._end)

    def __enter__(self) -> Busy:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.done()

    def _on_app_thread(self, call: Callable[[], None]) -> None:
        app = self._widget.app
        # Textual's own mark of the app's thread (0, or unset, while the app is not running).
        if getattr(app, "_thread_id", 0) in (0, threading.get_ident()):
            call()
        else:
            app.call_from_thread(call)

    def _start(self, delay: float) -> None:
        if not self._ended:
            self._timer = self._widget.set_timer(delay, self._show, name="busy")

    def _show(self) -> None:
        widget = self._widget
        if self._ended or not widget.is_attached:
            return
        self.shown = True
        _shown[widget] = _shown.get(widget, 0) + 1
        widget.loading = True
        if self._sign is not None:
            self._sign(True)

    def _end(self) -> None:
        if self._ended:
            return
        self._ended = True
        if self._timer is not None:
            self._timer.stop()
        if not self.shown:
            return
        widget = self._widget
        left = _shown.get(widget, 1) - 1
        _shown[widget] = left
        if not widget.is_attached:  # its screen closed meanwhile: nothing left to tell
            return
        if left == 0:
            widget.loading = False
        if self._sign is not None:
            self._sign(False)


def busy_after(
    widget: Widget, delay: float = BUSY_DELAY, *, sign: Callable[[bool], object] | None = None
) -> Busy:
    """Show `widget` busy from `delay` seconds on, until the Busy is done (or its `with` ends)."""
    return Busy(widget, delay, sign)


async def busy_until(
    widget: Widget,
    answer: Awaitable[T],
    delay: float = BUSY_DELAY,
    *,
    sign: Callable[[bool], object] | None = None,
) -> T:
    """`await answer`, with `widget` shown busy if it takes longer than `delay`."""
    with busy_after(widget, delay, sign=sign):
        return await answer


def busy_during(
    widget: Widget,
    worker: Worker[Any],
    delay: float = BUSY_DELAY,
    *,
    sign: Callable[[bool], object] | None = None,
) -> None:
    """Show `widget` busy while `worker` (another node's) runs, if it runs longer than `delay`.
    The wait is a worker of `widget`'s: it ends with the widget too, and leaves `worker` be."""

    async def ended() -> None:
        try:
            await worker.wait()
        except WorkerError:
            pass  # cancelled or failed: its own node tells; here the sign just goes

    async def wait() -> None:
        # Shielded: awaiting a task passes a cancel on to it, and this wait is cancelled when the
        # widget goes (the App's worker waited for may be the very one taking its screen away).
        await busy_until(widget, asyncio.shield(ended()), delay, sign=sign)

    widget.run_worker(wait(), name="busy_during", group="busy", exit_on_error=False)
