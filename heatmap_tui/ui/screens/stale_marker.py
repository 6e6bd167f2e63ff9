"""The browser's stale column: why each loaded snapshot is stale, looked up in the background.

The facts come from core/stale_lookup.app_facts and the verdicts from core/stale.judge, as for
`snapshots stale`. The look-ups start once the rows are painted, one run at a time: a new load,
an edit or a delete starts them again, and a change of view, device or all-views cancels them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from heatmap_tui.core.config import Config
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.stale import StaleSettings, judge
from heatmap_tui.core.stale_lookup import app_facts
from heatmap_tui.ui.screens.browser_context import BrowserContext
from heatmap_tui.ui.widgets.stale_marks import filter_label
from heatmap_tui.ui.widgets.status_line import StatusLine

GROUP = "stale"
DISCOVERY_GROUP = "discover"  # ViewChooser's workers
DISCOVERY_POLL = 0.02  # seconds


class StaleMarker:
    """Fills the table's stale marks; `changed` is called when they changed (badges, filter),
    `taken_down` says whether the screen closed meanwhile."""

    def __init__(
        self,
        context: BrowserContext,
        status: StatusLine,
        *,
        changed: Callable[[], None],
        taken_down: Callable[[], bool],
    ) -> None:
        self._context = context
        self._status = status
        self._changed = changed
        self._taken_down = taken_down
        self._run = 0  # which run is the latest: only its answer is shown
        self._tried: frozenset[str] = frozenset()  # the ids the latest run looked at

    def rows_changed(self) -> None:
        """Look up the rows not judged yet, once the rows are painted; nothing when all are."""
        model = self._context.table.model
        ids = model.ids
        unknown = not model.stale.failed and any(model.stale.evidence(i) is None for i in ids)
        if ids and (ids != self._tried or unknown):
            self._tried = ids
            self._run += 1
            run = self._run
            self._context.host.call_after_refresh(self._start, run)

    async def look_up(self) -> None:
        """Judge the rows a load just showed, in the load's own worker (a newer load cancels it),
        instead of a run rows_changed scheduled."""
        model = self._context.table.model
        self._tried = model.ids
        self._run += 1
        run = self._run
        # After the discovery the load started (its views are all-views' views), not beside it.
        # Polled, not awaited: a newer load cancelling this one must not cancel the discovery too.
        while any(w.group == DISCOVERY_GROUP and not w.is_finished for w in self._context.host.workers):
            await asyncio.sleep(DISCOVERY_POLL)
        if self._tried and run == self._run:
            await self._mark(run)

    def cancel(self) -> None:
        """The scope changes: what runs is for rows about to go."""
        self._run += 1
        self._tried = frozenset()
        self._context.host.workers.cancel_group(self._context.host, GROUP)
        self._status.set(stale_checking=False)

    def cycle_filter(self) -> str | None:
        step = self._context.table.cycle_stale_filter()
        self._status.set(stale_filter=filter_label(step))
        self._changed()
        return step

    def _start(self, run: int) -> None:
        if run == self._run and not self._taken_down():
            host = self._context.host
            host.run_worker(self._mark(run), name="stale", group=GROUP, exclusive=True)

    async def _mark(self, run: int) -> None:
        context = self._context
        table, connection, app_id = context.table, context.connection, context.application_id
        scope = context.scope()
        snapshots = table.model.snapshots
        views = context.catalog.views if scope.all_views else [scope.view]
        settings = self._settings()
        self._status.set(stale_checking=True)
        try:
            facts = await app_facts(connection.rum, app_id, views, snapshots, settings)
        except ApiError as exc:
            if run == self._run and not self._taken_down():
                self._status.set(stale_checking=False)
                table.stale_failed()
                context.host.notify(
                    str(exc), title="Could not tell which are stale", severity="warning", markup=False
                )
                self._changed()
            return
        if run != self._run or self._taken_down():
            return
        verdicts = judge(snapshots, {app_id: facts}, context.clock(), settings)
        self._status.set(stale_checking=False)
        table.set_stale({v.snapshot.id: v.evidence for v in verdicts})
        self._changed()

    def _settings(self) -> StaleSettings:
        """The profile's replay retention, as `snapshots stale` reads it."""
        config = getattr(self._context.host.app, "config", None)
        profile = (
            config.profiles.get(self._context.connection.profile) if isinstance(config, Config) else None
        )
        if profile is None:
            return StaleSettings()
        return StaleSettings(replay_retention=timedelta(days=profile.replay_retention_days))
