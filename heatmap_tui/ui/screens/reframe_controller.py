"""The browser's Re-frame: the cursor row or the marked rows that core/stale.py judges outdated or
expired get the newest replay frame of their view and device (core/reframe.py).

A preview names each one's frame now → the frame it would get (and those with no better frame,
and why) before anything changes; applying journals each old frame in the trash under a batch of
its own, which `u` (DeleteController.undo) puts back. The rows take the server's answers in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.reframe import ReframePlan, ReframeResult, plan_reframes
from heatmap_tui.core.stale import StaleSettings
from heatmap_tui.core.trash import Trash, new_batch_id
from heatmap_tui.ui.widgets.busy import busy_until

# The dialogs are imported by the actions that open them: showing the browser needs none of them.
if TYPE_CHECKING:
    from heatmap_tui.ui.screens.browser_context import BrowserContext

UNDO_HINT = "u undoes"


class ReframeController:
    """Re-frames the browser's rows through `trash`; `journaled` is told each applied batch (the
    one `u` undoes next), `changed` when rows changed."""

    def __init__(
        self,
        context: BrowserContext,
        trash: Trash,
        *,
        journaled: Callable[[str], None],
        changed: Callable[[], None],
        settings: Callable[[], StaleSettings] = StaleSettings,
    ) -> None:
        self._context = context
        self._table = context.table
        self._trash = trash
        self._journaled = journaled
        self._changed = changed
        self._settings = settings

    def reframe_cursor_or_marked(self) -> None:
        table = self._table
        cursor = table.cursor_snapshot
        snapshots = table.marked_snapshots or ([cursor] if cursor is not None else [])
        if snapshots:
            self._context.host.run_worker(self._preview(snapshots), name="_reframe_preview", group="reframe")

    async def _preview(self, snapshots: Sequence[Snapshot]) -> None:
        from heatmap_tui.ui.dialogs.reframe_dialog import ReframePreview

        context = self._context
        planning = plan_reframes(
            context.connection.rum, snapshots, settings=self._settings(), now=context.clock()
        )
        try:
            plans = await busy_until(self._table, planning)
        except ApiError as exc:
            context.host.notify(str(exc), title="Could not look up the frames", severity="error", timeout=8)
            return
        if not plans:
            count = len(snapshots)
            which = (
                "the snapshot is neither outdated nor expired"
                if count == 1
                else f"none of the {count} snapshots is outdated or expired"
            )
            context.host.notify(f"Nothing to re-frame: {which}.", markup=False)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._apply([p for p in plans if p.new is not None])

        context.host.app.push_screen(ReframePreview(plans, len(snapshots)), confirmed)

    def _apply(self, plans: Sequence[ReframePlan]) -> None:
        from heatmap_tui.ui.dialogs.reframe_dialog import ReframeProgress

        connection = self._context.connection
        batch = new_batch_id(self._context.clock())
        progress = ReframeProgress(
            connection.snapshots,
            plans,
            trash=self._trash,
            site=connection.site,
            profile=connection.profile,
            batch_id=batch,
        )
        self._context.host.app.push_screen(progress, lambda result: self._done(result, batch))

    def _done(self, result: ReframeResult | None, batch: str) -> None:
        if result is None:
            return
        for snapshot in result.updated.values():
            self._table.replace_snapshot(snapshot)
        if result.done:
            self._journaled(batch)
        count = len(result.done)
        hint = f" ({UNDO_HINT})" if count else ""
        title = f"Re-frame · trash batch {batch}"
        if result.failed:  # the dialog listed what failed, and why: the toast sums it up
            self._context.host.notify(result.summary() + hint, title=title, severity="error", timeout=8)
        else:
            self._context.host.notify(
                f"Re-framed {count} snapshot{'' if count == 1 else 's'}{hint}", title=title, timeout=8
            )
        self._changed()
