"""Re-frame from the browser: the preview (each snapshot's frame now → the frame it would get, and
those with no better frame and why), then the progress of applying it (journaled in the trash,
so u in the browser puts the old frames back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, ProgressBar, Static

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.reframe import ReframePlan, ReframeResult, apply_reframes
from heatmap_tui.core.sites import Site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.core.trash import RestoreReport, Trash
from heatmap_tui.ui.dialogs.bulk_progress import WorkDialog, reason
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDialog
from heatmap_tui.ui.safe import safe, safe_rich

WARNING = "Each old frame goes to the trash first: u undoes this re-frame, T opens the trash."
NOTE = "The name and everything else are kept; only the frame (event, start, session, view) changes."


def plans_table(plans: Sequence[ReframePlan]) -> Table:
    """One row per plan: name, device, why, the frame now → the new one (or why there is none)."""
    table = Table(box=None, padding=(0, 2, 0, 0), expand=True, show_edge=False, header_style="bold")
    table.add_column("Name", ratio=1, overflow="fold")
    table.add_column("Device", no_wrap=True, overflow="ellipsis", max_width=10)
    table.add_column("Why", ratio=1, overflow="fold")
    table.add_column("Frame now → new frame", ratio=1, overflow="fold")
    for p in plans:
        change = (
            safe_rich(f"{p.old.label()} → {p.new.label()}")
            if p.new is not None
            else Text.assemble(
                safe_rich(f"{p.old.label()} → "), safe_rich(f"no better frame: {p.note}", "yellow")
            )
        )
        why = safe_rich(f"{p.reason}: {p.evidence}")
        table.add_row(safe_rich(p.snapshot.name), safe_rich(p.snapshot.device_type), why, change)
    return table


class ReframePreview(ConfirmDialog):
    """The re-frame of `plans` (of `asked` snapshots), shown before anything changes; focus on
    Cancel. Its confirm button is off when no plan has a new frame."""

    def __init__(self, plans: Sequence[ReframePlan], asked: int) -> None:
        self.plans = list(plans)
        self.ready = [p for p in self.plans if p.new is not None]
        count, left = len(self.ready), asked - len(self.plans)
        question = (
            f"Re-frame {count} snapshot{'' if count == 1 else 's'} on the newest replay of their view?"
            if count
            else "No snapshot here can get a better frame."
        )
        if none := len(self.plans) - count:
            question += f" {none} {'has' if none == 1 else 'have'} no better frame."
        if left:
            question += f" {left} {'is' if left == 1 else 'are'} neither outdated nor expired: left as is."
        super().__init__(
            title="Re-frame snapshots",
            question=question,
            items=plans_table(self.plans),
            warning=WARNING,
            note=NOTE,
            confirm_label=f"Re-frame {count}",
        )

    def on_mount(self) -> None:
        self.query_one("#delete", Button).disabled = not self.ready


class ReframeProgress(WorkDialog[ReframeResult]):
    """Applies `plans` on mount, each old frame journaled in `trash` (batch `batch_id`) first;
    dismisses with the ReframeResult: by itself when every one went, else it lists the failures."""

    DEFAULT_CSS = """
    ReframeProgress {
        #reframe-progress { width: 90; border: thick $primary 50%; }
        #reframe-bar { margin: 0 0 1 0; }
        #reframe-summary-box { height: auto; max-height: 20; margin: 0 0 1 0; }
        #reframe-buttons { height: auto; align-horizontal: right; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="reframe_progress.close"),
    ]

    def __init__(
        self,
        service: SnapshotService,
        plans: Sequence[ReframePlan],
        *,
        trash: Trash,
        site: Site | str,
        profile: str,
        batch_id: str,
    ) -> None:
        super().__init__()
        self.service, self.plans, self.trash = service, list(plans), trash
        self.site, self.profile, self.batch_id = site, profile, batch_id
        self.result: ReframeResult | None = None
        self._answered = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="reframe-progress", classes="dialog") as box:
            box.border_title = f"Re-framing {len(self.plans)} snapshots"
            yield Label("Re-framing…", id="reframe-status", markup=False)
            yield ProgressBar(total=len(self.plans), show_eta=False, id="reframe-bar")
            with VerticalScroll(id="reframe-summary-box"):
                yield Static("", id="reframe-summary", markup=False)
            with Horizontal(id="reframe-buttons"):
                yield Button("Close", variant="primary", disabled=True, id="reframe-close")

    def on_mount(self) -> None:
        self._run()

    @work(exclusive=True, group="reframe")
    async def _run(self) -> None:
        # Escape does not stop it (a quit asks first): each PATCH's old frame is journaled first.
        result = await apply_reframes(
            self.service,
            self.plans,
            self.trash,
            site=self.site,
            profile=self.profile,
            batch_id=self.batch_id,
            on_progress=self._progress,
        )
        self.result = result
        if not result.failed:
            self.close_when_on_top(result)
            return
        self.query_one("#reframe-status", Label).update("Done. Press u in the browser to undo.")
        self.query_one("#reframe-summary", Static).update(failures_text(result, self.plans))
        self.query_one(Vertical).border_title = f"Re-framed {len(result.done)} of {len(self.plans)}"
        button = self.query_one("#reframe-close", Button)
        button.disabled = False
        button.focus()

    def _progress(self, snapshot_id: str, error: ApiError | None) -> None:
        self._answered += 1
        self.query_one(ProgressBar).advance(1)
        self.query_one("#reframe-status", Label).update(f"Re-framing… {self._answered} of {len(self.plans)}")

    def quit_question(self) -> str | None:
        """What to ask before the app quits now, or None when nothing runs."""
        if self.result is not None:
            return None
        return (
            f"A re-frame is running: {self._answered} of {len(self.plans)} answered. Quit anyway? "
            "Every old frame sent is in the trash: trash restore puts it back."
        )

    def action_close(self) -> None:
        if self.result is None:
            self.notify("Re-framing: this closes when every snapshot has an answer.", severity="warning")
            return
        self.dismiss(self.result)

    @on(Button.Pressed, "#reframe-close")
    def _close(self) -> None:
        self.action_close()


def failures_text(result: ReframeResult, plans: Sequence[ReframePlan]) -> Content:
    names: dict[str, Snapshot] = {p.snapshot.id: p.snapshot for p in plans}
    lines: list[Content] = [Content.styled(result.summary().capitalize() + ".", "bold")]
    for snapshot_id, error in result.failed.items():
        name = names[snapshot_id].name if snapshot_id in names else snapshot_id
        lines.append(Content.assemble(("✗ ", "$error"), safe(name, "bold"), safe(f": {reason(error)}")))
    return Content("\n").join(lines)


def frames_back_message(report: RestoreReport) -> str:
    """What an undo of a re-frame did: the old frames put back on the same snapshots (ids kept).
    The names are outside text: show it with markup=False."""
    count = len(report.restored)
    if count == 1:
        ((entry, _),) = report.restored
        text = f"Put the old frame back on {entry.name!r}"
    else:
        text = f"Put the old frames back on {count} snapshots"
    if report.failed:
        text += f"; {len(report.failed)} failed"
    if report.skipped:
        text += f"; {len(report.skipped)} skipped"
    return text
