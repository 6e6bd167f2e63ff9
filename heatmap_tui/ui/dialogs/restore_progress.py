"""Restore trash entries with a progress bar, then say what happened: what came back, under which
new id (a restore is a create: a new id, the keys' user as author, today's date), beside its
original author and date, and what did not come back, in plain words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, ProgressBar, Static

from heatmap_tui.core.models import Snapshot, SnapshotCreateAttributes
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.trash import RestoreReport, Trash, TrashEntry, TrashError
from heatmap_tui.core.trash_entries import day
from heatmap_tui.ui.dialogs.bulk_progress import WorkDialog, reason
from heatmap_tui.ui.safe import safe


class _ReportingService(SnapshotService):
    """The connection's service (same client), telling the dialog when each re-create is answered.

    Trash.restore only calls `list` (to check unconfirmed entries) and `create`.
    """

    def __init__(self, service: SnapshotService, on_answer: Callable[[], None]) -> None:
        super().__init__(service.client, page_limit=service.page_limit)
        self._on_answer = on_answer

    async def create(self, attributes: SnapshotCreateAttributes) -> Snapshot:
        try:
            return await super().create(attributes)
        finally:
            self._on_answer()


MOST_AUTHORS = 3  # named in a toast; the others are counted


def restored_message(report: RestoreReport) -> str:
    """What came back (one: its new id and the original's author and date; more: their authors
    and dates), and what did not. The names are outside text: show it with markup=False."""
    count = len(report.restored)
    if count == 1:
        ((entry, new),) = report.restored
        text = f"Restored {entry.name!r} as {new.id}; {entry.original()}"
    elif count:
        text = f"Restored {count} snapshots as new ones (new ids, you as author, today's date)"
        text += f"; {originals([entry for entry, _ in report.restored])}"
    else:
        text = "Restored no snapshot"
    if report.failed:
        text += f"; {len(report.failed)} failed"
    if report.skipped:
        text += f"; {len(report.skipped)} skipped"
    return text


def originals(entries: Sequence[TrashEntry]) -> str:
    """`originally by Ann and Bob, created 2025-01-05 to 2025-03-02` (what the entries recorded)."""
    authors = list(dict.fromkeys(a for e in entries if (a := e.author)))
    named = ", ".join(authors[:MOST_AUTHORS])
    if len(authors) > MOST_AUTHORS:
        named += f" and {len(authors) - MOST_AUTHORS} more"
    days = sorted(day(at) for e in entries if (at := e.created_at) is not None)
    parts = [f"by {named}"] if authors else []
    if days:
        parts.append(f"created {days[0]}" if days[0] == days[-1] else f"created {days[0]} to {days[-1]}")
    return "originally " + ", ".join(parts) if parts else "their original authors and dates were not recorded"


def report_text(report: RestoreReport) -> Content:
    lines: list[Content] = [Content.styled(report.summary().capitalize() + ".", "bold")]
    found = set(report.found)
    for entry, error in report.failed:
        lines.append(Content.assemble(("✗ ", "$error"), safe(entry.name, "bold"), safe(f": {reason(error)}")))
    for entry, why in report.skipped:
        lines.append(
            Content.assemble(("– ", "$text-muted"), safe(entry.name, "bold"), safe(f": skipped, {why}"))
        )
    for entry, new in report.restored:
        how = " (found on the server: an interrupted restore had re-created it)" if entry.key in found else ""
        lines.append(
            Content.assemble(
                ("✓ ", "$success"),
                safe(entry.name, "bold"),
                safe(f": {entry.id} → {new.id}{how}; {entry.original()}"),
            )
        )
    return Content("\n").join(lines)


class RestoreProgress(WorkDialog[RestoreReport | None]):
    """Restores on mount into `service`. When everything came back it closes by itself; else it
    stays open listing what failed or was skipped, and why. Dismisses with the RestoreReport.

    While it runs, ctrl+q asks first (`quit_question`, read by the app's quit action): a quit
    leaves the creates in flight to the next restore, which settles them without duplicates."""

    DEFAULT_CSS = """
    RestoreProgress {
        #restore-progress {
            width: 90;
            border: thick $success 50%;
        }
        #restore-bar { margin: 0 0 1 0; }
        #restore-summary-box { height: auto; max-height: 20; margin: 0 0 1 0; }
        #restore-buttons { height: auto; align-horizontal: right; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="restore_progress.close"),
    ]

    def __init__(
        self, trash: Trash, entries: Sequence[TrashEntry], service: SnapshotService, *, target: str
    ) -> None:
        super().__init__()
        self.trash = trash
        self.entries = list(entries)
        self.service = service
        self.target = target  # where they go, in words: "US5 · profile work"
        self.report: RestoreReport | None = None
        self._answered = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="restore-progress", classes="dialog") as box:
            count = len(self.entries)
            box.border_title = f"Restoring {count} snapshot{'s' if count != 1 else ''}"
            yield Label(visible(f"Restoring into {self.target}…"), id="restore-status", markup=False)
            yield ProgressBar(total=count, show_eta=False, id="restore-bar")
            with VerticalScroll(id="restore-summary-box"):
                yield Static("", id="restore-summary", markup=False)
            with Horizontal(id="restore-buttons"):
                yield Button("Close", variant="primary", disabled=True, id="restore-close")

    def on_mount(self) -> None:
        self._run()

    @work(exclusive=True, group="restore")
    async def _run(self) -> None:
        # Escape does not stop it (a quit asks first): a create cut off after the server made it is
        # settled by the next restore (its intent record), but only once it is run again.
        try:
            report = await self.trash.restore(
                self.entries, _ReportingService(self.service, self._answer), on_wait=self._waiting
            )
        except TrashError as exc:  # the trash could not be read, or a batch not locked
            report = RestoreReport(skipped=[(entry, f"not restored: {exc}") for entry in self.entries])
        self.report = report
        if not report.failed and not report.skipped:
            self.close_when_on_top(report)
            return
        self.query_one(ProgressBar).update(progress=len(self.entries))
        self.query_one("#restore-status", Label).update("Done.")
        self.query_one("#restore-summary", Static).update(report_text(report))
        self.query_one(Vertical).border_title = f"Restored {len(report.restored)} of {len(self.entries)}"
        button = self.query_one("#restore-close", Button)
        button.disabled = False
        button.focus()

    def _waiting(self, batch_id: str) -> None:
        self.query_one("#restore-status", Label).update(
            visible(
                f"Waiting: another restore of batch {batch_id} is running (the CLI?); this one goes on when it ends…"
            )
        )

    def quit_question(self) -> str | None:
        """What to ask before the app quits now, or None when nothing runs."""
        if self.report is not None:
            return None
        return (
            f"A restore into {self.target} is running: {self._answered} of {len(self.entries)} answered. "
            "Quit anyway? Nothing is lost and nothing is restored twice: the next restore settles what "
            "was still in flight."
        )

    def _answer(self) -> None:
        self._answered += 1
        self.query_one(ProgressBar).advance(1)
        self.query_one("#restore-status", Label).update(
            visible(f"Restoring into {self.target}… {self._answered} of {len(self.entries)}")
        )

    def action_close(self) -> None:
        if self.report is None:
            self.notify("Restoring: this closes when every snapshot has an answer.", severity="warning")
            return
        self.dismiss(self.report)

    @on(Button.Pressed, "#restore-close")
    def _close(self) -> None:
        self.action_close()
