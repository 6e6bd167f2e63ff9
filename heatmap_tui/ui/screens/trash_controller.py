"""What the trash screen does to its entries: restore them into the app's connection (with
progress), and purge them for good after a confirmation focused on Cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from rich.table import Table
from textual.notifications import SeverityLevel
from textual.screen import Screen

from heatmap_tui.core.clock import Clock
from heatmap_tui.core.connection import Connection
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.trash import RestoreReport, Trash, TrashEntry, TrashError
from heatmap_tui.ui.dialogs.confirm_dialog import DEVICE_WIDTH, VIEW_WIDTH, ConfirmDialog
from heatmap_tui.ui.dialogs.restore_progress import RestoreProgress, restored_message
from heatmap_tui.ui.format import format_absolute
from heatmap_tui.ui.safe import safe_rich

OLD_AGE = timedelta(days=30)
PURGE_WARNING = "The trash holds the only copy of a deleted snapshot: a purged one can never be restored."


def entries_table(entries: Sequence[TrashEntry]) -> Table:
    """What a purge forgets, for its confirmation."""
    table = Table(box=None, padding=(0, 2, 0, 0), expand=True, show_edge=False, header_style="bold")
    table.add_column("Deleted", no_wrap=True)
    table.add_column("Name", ratio=1, overflow="fold")
    table.add_column("View", overflow="fold", max_width=VIEW_WIDTH)  # caps: see snapshot_table
    table.add_column("Device", no_wrap=True, overflow="ellipsis", max_width=DEVICE_WIDTH)
    table.add_column("State", no_wrap=True)
    for e in entries:
        # The entry's own copies of the names: no read of the journal per row.
        table.add_row(format_absolute(e.deleted_at), safe_rich(e.name), safe_rich(e.view_name),
                      safe_rich(e.device_type), e.state.value)  # fmt: skip
    return table


class TrashController:
    """Restores and purges entries of `trash`.

    `host` is the screen whose workers, toasts and dialogs these are; restores go into
    `connection`, described as `target`; `changed` is called when the trash file changed, so the
    screen reads it again."""

    def __init__(
        self,
        host: Screen[bool],
        trash: Trash,
        connection: Connection,
        *,
        target: str,
        clock: Clock,
        changed: Callable[[], object],
    ) -> None:
        self._host = host
        self._trash = trash
        self._connection = connection
        self._target = target
        self._clock = clock
        self._changed = changed
        self.restored_any = False  # so the browser lists the views again

    # --- restore ---------------------------------------------------------------

    def restore(self, entries: Sequence[TrashEntry]) -> None:
        if entries:
            restore = RestoreProgress(self._trash, entries, self._connection.snapshots, target=self._target)
            self._host.app.push_screen(restore, self._restored)

    def _restored(self, report: RestoreReport | None) -> None:
        if report is None:
            return
        self.restored_any = self.restored_any or bool(report.restored)
        severity: SeverityLevel = "error" if report.failed else "warning" if report.skipped else "information"
        self._host.notify(visible(restored_message(report)), severity=severity, markup=False)
        self._changed()

    # --- purge -----------------------------------------------------------------

    def purge(self, chosen: Sequence[TrashEntry], shown: Sequence[TrashEntry]) -> None:
        ids = {e.id for e in chosen}
        # Trash.purge forgets a snapshot id in every batch: list each shown entry that goes.
        self._confirm_purge([e for e in shown if e.id in ids], ids=ids)

    def purge_old(self, shown: Sequence[TrashEntry]) -> None:
        cutoff = self._clock() - OLD_AGE
        old = [e for e in shown if e.deleted_at < cutoff]
        if not old:
            self._host.notify("Nothing in the trash was deleted more than 30 days ago.")
            return
        self._confirm_purge(old, older_than=OLD_AGE)

    def _confirm_purge(
        self, entries: list[TrashEntry], *, ids: set[str] | None = None, older_than: timedelta | None = None
    ) -> None:
        if not entries:
            return
        count = len(entries)
        what = "1 snapshot" if count == 1 else f"these {count} snapshots"
        when = " (deleted more than 30 days ago)" if older_than is not None else ""
        dialog = ConfirmDialog(
            title="Purge from the trash",
            question=f"Forget {what}{when} for good?",
            items=entries_table(entries),
            warning=PURGE_WARNING,
            confirm_label="Purge" if count == 1 else f"Purge {count}",
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                work = partial(self._purge, ids, older_than, self._clock())
                self._host.run_worker(work, name="_purge", group="trash-purge", exclusive=True, thread=True)

        self._host.app.push_screen(dialog, confirmed)

    def _purge(self, ids: set[str] | None, older_than: timedelta | None, now: datetime) -> None:
        """In a thread: the trash file is rewritten."""
        app = self._host.app
        try:
            result = self._trash.purge(older_than, ids, now=now)
        except TrashError as exc:
            app.call_from_thread(
                self._host.notify, str(exc), title="Could not purge", severity="error", timeout=8
            )
            return
        count = len(result.purged)
        app.call_from_thread(
            self._host.notify, f"Purged {count} snapshot{'' if count == 1 else 's'} from the trash."
        )
        app.call_from_thread(self._changed)
