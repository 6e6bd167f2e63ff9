"""Run a bulk delete (through the trash) with a progress bar. When every snapshot went, the
dialog closes by itself (the browser's toast says how many, and that u undoes it); else it
stays open saying what happened: n deleted, m failed, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, ProgressBar, Static

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import BulkResult, SnapshotService
from heatmap_tui.core.trash import Trash, delete_with_trash
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDialog
from heatmap_tui.ui.dialogs.dialog import Dialog, ResultType
from heatmap_tui.ui.safe import safe

if TYPE_CHECKING:
    from textual.app import App

QUIT_WARNING = "Quitting now stops the work where it is."


def reason(error: ApiError) -> str:
    """The error's sentence without "Could not <op> on <site>: ", which the list already says."""
    text = str(error).removeprefix(f"Could not {error.op} on {error.site}: ")
    return text[:1].upper() + text[1:]


def summary_text(result: BulkResult, snapshots: Sequence[Snapshot], stopped: bool = False) -> Content:
    names = {s.id: s.name for s in snapshots}
    head = f"{len(result.deleted)} deleted, {len(result.failed)} failed"
    if stopped:
        unknown = len(snapshots) - len(result.deleted) - len(result.failed)
        head = f"Stopped: {head}, {unknown} not confirmed (refresh to see what is left)"
    lines: list[Content] = [Content.styled(head + ".", "bold")]
    for snapshot_id, error in result.failed.items():
        lines.append(
            Content.assemble(
                ("✗ ", "$error"),
                safe(names.get(snapshot_id, snapshot_id), "bold"),
                safe(f": {reason(error)}"),
            )
        )
    return Content("\n").join(lines)


class WorkDialog(Dialog[ResultType]):
    """A dialog running work that closes by itself when the work went well: at once when it is
    on top, else (the quit question is over it) once it is on top again."""

    def __init__(self) -> None:
        super().__init__()
        self._close_with: tuple[ResultType] | None = None

    def close_when_on_top(self, result: ResultType) -> None:
        if self.app.screen is self:
            self.dismiss(result)
        else:
            self._close_with = (result,)

    def on_screen_resume(self) -> None:
        if self._close_with is not None:
            (result,), self._close_with = self._close_with, None
            self.dismiss(result)


class BulkDeleteProgress(WorkDialog[BulkResult]):
    """Deletes on mount, each snapshot copied to the trash first (batch `batch_id`); dismisses with
    the BulkResult (the ids the server confirmed gone): by itself when every one went."""

    DEFAULT_CSS = """
    BulkDeleteProgress {
        #bulk-progress {
            width: 90;
            border: thick $error 50%;
        }
        #bulk-bar { margin: 0 0 1 0; }
        #bulk-summary-box { height: auto; max-height: 20; margin: 0 0 1 0; }
        #bulk-buttons { height: auto; align-horizontal: right; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Stop / close", id="bulk_progress.close"),
    ]

    def __init__(
        self,
        service: SnapshotService,
        snapshots: Sequence[Snapshot],
        *,
        trash: Trash,
        site: Site | str,
        profile: str,
        batch_id: str,
    ) -> None:
        super().__init__()
        self.service = service
        self.snapshots = list(snapshots)
        self.trash = trash
        self.site = site
        self.profile = profile
        self.batch_id = batch_id
        self.result: BulkResult | None = None
        self._partial = BulkResult()  # filled by on_progress, so a stop still knows what went

    def compose(self) -> ComposeResult:
        with Vertical(id="bulk-progress", classes="dialog") as box:
            box.border_title = f"Deleting {len(self.snapshots)} snapshots"
            yield Label("Deleting…", id="bulk-status", markup=False)
            yield ProgressBar(total=len(self.snapshots), show_eta=False, id="bulk-bar")
            with VerticalScroll(id="bulk-summary-box"):
                yield Static("", id="bulk-summary", markup=False)
            with Horizontal(id="bulk-buttons"):
                yield Button("Stop", variant="warning", id="bulk-close")

    def on_mount(self) -> None:
        self.query_one("#bulk-close", Button).focus()
        self._run()

    @work(exclusive=True, group="bulk-delete")
    async def _run(self) -> None:
        result = await delete_with_trash(
            self.service,
            self.snapshots,
            self.trash,
            site=self.site,
            profile=self.profile,
            batch_id=self.batch_id,
            on_progress=self._progress,
        )
        if result.failed:
            self._finish(result, stopped=False)
        else:
            self.result = result
            self.close_when_on_top(result)

    def _progress(self, snapshot_id: str, error: ApiError | None) -> None:
        if error is None:
            self._partial.deleted.append(snapshot_id)
        else:
            self._partial.failed[snapshot_id] = error
        self.query_one(ProgressBar).advance(1)
        done = len(self._partial.deleted) + len(self._partial.failed)
        self.query_one("#bulk-status", Label).update(f"Deleting… {done} of {len(self.snapshots)}")

    def _finish(self, result: BulkResult, *, stopped: bool) -> None:
        self.result = result
        status = "Stopped." if stopped else "Done."
        if result.deleted:
            status += " Press u in the browser to undo: the trash has a copy of each."
        self.query_one("#bulk-status", Label).update(visible(status))
        self.query_one("#bulk-summary", Static).update(summary_text(result, self.snapshots, stopped))
        button = self.query_one("#bulk-close", Button)
        button.label, button.variant = "Close", "primary"
        self.query_one(Vertical).border_title = safe(
            f"Deleted {len(result.deleted)} of {len(self.snapshots)} snapshots"
        )

    def quit_question(self) -> str | None:
        """What to ask before the app quits now, or None when nothing runs."""
        if self.result is not None:
            return None
        done = len(self._partial.deleted) + len(self._partial.failed)
        return (
            f"A bulk delete is running: {done} of {len(self.snapshots)} answered. Quit anyway? The rest "
            "is not deleted; every snapshot sent has its copy in the trash, and a restore checks the "
            "server for the ones without an answer."
        )

    def action_close(self) -> None:
        if self.result is None:
            # Stop: what the server already confirmed stays reported; the rest is not sent.
            self.workers.cancel_group(self, "bulk-delete")
            self._finish(self._partial, stopped=True)
            return
        self.dismiss(self.result)

    @on(Button.Pressed, "#bulk-close")
    def _close(self) -> None:
        self.action_close()


# --- ctrl+q while work runs ---------------------------------------------------------


class QuitConfirm(ConfirmDialog):
    """Quit while a restore or a bulk delete runs? Focus on Cancel, as every confirmation."""

    def __init__(self, question: str) -> None:
        super().__init__(
            title="Quit heatmap-tui?",
            question=question,
            items=Text("Cancel goes back to the running work."),
            warning=QUIT_WARNING,
            confirm_label="Quit",
        )


def quit_question(app: App[Any]) -> str | None:
    """The question of the topmost screen whose work must not be cut without asking."""
    for screen in reversed(app.screen_stack):
        ask = getattr(screen, "quit_question", None)
        question = ask() if callable(ask) else None
        if question:
            return str(question)
    return None


def ask_before_quit(app: App[Any]) -> bool:
    """True when the app may quit now; else it asks (once: ctrl+q again leaves the question up)
    and quits on a yes."""
    if isinstance(app.screen, QuitConfirm):
        return False
    question = quit_question(app)
    if question is None:
        return True

    def answered(yes: bool | None) -> None:
        if yes:
            app.exit()

    app.push_screen(QuitConfirm(question), answered)
    return False
