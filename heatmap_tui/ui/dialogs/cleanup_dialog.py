"""Clean up stale snapshots: rules, a live preview of exactly what would go and why, then Delete.

The preview is `plan_cleanup` over the snapshots the browser has loaded. Its Delete button is the
one confirmation: it names how many go and that a copy of each goes to the trash, and focus never
starts on it. Nothing is deleted here: the dialog dismisses with the previewed snapshots, which
the browser deletes through its one path (bulk progress, trash) without asking again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static

from heatmap_tui.core.cleanup import (
    CleanupError,
    CleanupPlan,
    CleanupRules,
    Selected,
    last_change,
    parse_age,
    plan_cleanup,
)
from heatmap_tui.core.clock import Clock, utc_now
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.safe_text import visible
from heatmap_tui.ui.dialogs.dialog import Dialog
from heatmap_tui.ui.format import format_relative
from heatmap_tui.ui.safe import SafeInput, safe_rich
from heatmap_tui.ui.widgets.filter_bar import ANY_DEVICE, DEVICE_OPTIONS
from heatmap_tui.ui.widgets.vim_keys import VimDataTable, VimSelect

NO_RULE = "Set a rule above: an age, an author, a device, duplicates, or a stale reason."
NO_STALE = ""  # the stale rule's "not a rule"
# The stale reasons offered as rules (the others are the age and duplicates rules already).
STALE_RULES = ("orphaned", "outdated", "expired")
STALE_OPTIONS: list[tuple[str, str]] = [("any", NO_STALE), *((r, r) for r in STALE_RULES)]
StaleEvidence = Mapping[str, Mapping[str, str]]  # snapshot id -> reason -> evidence
# Fixed widths, so that long cells wrap inside the dialog (rows grow) instead of scrolling sideways.
PREVIEW_COLUMNS = (
    ("Name", 24),
    ("View", 12),
    ("Device", 7),
    ("Modified", 8),
    ("Author", 17),
    ("Why it goes", 30),
)


NOTHING_LABEL = "Delete"


def delete_label(count: int) -> str:
    """The confirmation itself: exactly what goes, and where the copies go."""
    if not count:
        return NOTHING_LABEL
    return f"Delete {count} snapshot{'' if count == 1 else 's'} (copies to the trash)"


CELL_CHARS = 60  # a cell wraps over a few lines at most: a 300-character author would fill the preview


def _cell(text: str) -> Text:
    shown = visible(text)
    return Text(shown if len(shown) <= CELL_CHARS else shown[: CELL_CHARS - 1] + "…")


class CleanupDialog(Dialog[list[Snapshot] | None]):
    """Dismisses with the snapshots of the preview when Delete is pressed (the confirmation: the
    browser deletes them without asking again), else None."""

    DEFAULT_CSS = """
    CleanupDialog {
        #cleanup {
            width: 116;
            max-width: 98%;
            height: 90%;
            border: thick $warning 60%;
            padding: 0 1;
        }
        #cleanup-scope { color: $text-muted; margin: 0 0 1 0; }
        #cleanup-rules { height: auto; }
        .cleanup-rule { width: 1fr; height: auto; margin: 0 1 0 0; }
        .cleanup-rule Label { color: $text-muted; }
        #cleanup-stale-rule { width: 16; }
        #cleanup-age-error { color: $text-error; height: auto; }
        #cleanup-count { text-style: bold; margin: 1 0 0 0; }
        #cleanup-preview { height: 1fr; }
        #cleanup-buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
        #cleanup-buttons Button { margin: 0 0 0 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cleanup.cancel"),
    ]

    AUTO_FOCUS = "#cleanup-age"

    def __init__(
        self,
        snapshots: Sequence[Snapshot],
        *,
        scope: str,
        clock: Clock = utc_now,
        stale: StaleEvidence | None = None,
    ) -> None:
        super().__init__()
        self.snapshots = list(snapshots)
        # The browser's stale column (the same facts): the snapshots it has judged so far.
        self.stale: StaleEvidence = stale or {}
        self.scope = scope  # which loaded snapshots these are, in words: "view /home · any device"
        self.clock = clock
        self.plan: CleanupPlan | None = None
        self.age_error: str | None = None

    def compose(self) -> ComposeResult:
        authors = sorted({name for s in self.snapshots for name in _authors(s)}, key=str.casefold)
        with Vertical(id="cleanup", classes="dialog") as box:
            box.border_title = "Clean up stale snapshots"
            yield Static(
                visible(
                    f"Looks at the {len(self.snapshots)} snapshots loaded for {self.scope}. Every rule set "
                    "must match. Delete removes exactly the snapshots listed below, each copied to the "
                    "trash first (u undoes; restored, they get new ids, you as author and today's date)."
                ),
                id="cleanup-scope",
                markup=False,
            )
            with Horizontal(id="cleanup-rules"):
                with Vertical(classes="cleanup-rule"):
                    yield Label("Not modified for", markup=False)
                    yield SafeInput(placeholder="e.g. 90d, 12w, 36h", id="cleanup-age")
                    yield Static("", id="cleanup-age-error", markup=False)
                with Vertical(classes="cleanup-rule"):
                    yield Label("Author (name or handle)", markup=False)
                    yield SafeInput(
                        placeholder="anyone",
                        suggester=SuggestFromList(authors, case_sensitive=False),
                        id="cleanup-author",
                    )
                with Vertical(classes="cleanup-rule"):
                    yield Label("Device", markup=False)
                    yield VimSelect(DEVICE_OPTIONS, value=ANY_DEVICE, allow_blank=False, id="cleanup-device")
                with Vertical(classes="cleanup-rule"):
                    yield Label("Duplicates (same frame)", markup=False)
                    yield Checkbox("all but the newest", id="cleanup-duplicates")
                with Vertical(classes="cleanup-rule", id="cleanup-stale-rule"):
                    yield Label("Stale for", markup=False)
                    yield VimSelect(STALE_OPTIONS, value=NO_STALE, allow_blank=False, id="cleanup-stale")
            yield Label("", id="cleanup-count", markup=False)
            preview: DataTable[Text] = VimDataTable(
                cursor_type="row", zebra_stripes=True, id="cleanup-preview"
            )
            for label, width in PREVIEW_COLUMNS:
                preview.add_column(label, width=width)
            yield preview
            with Horizontal(id="cleanup-buttons"):
                yield Button("Cancel", id="cleanup-cancel")
                yield Button(NOTHING_LABEL, variant="error", disabled=True, id="cleanup-delete")

    def on_mount(self) -> None:
        self.update_preview()

    @property
    def preview_table(self) -> DataTable[Text]:
        return self.query_one("#cleanup-preview", DataTable)

    # --- rules and preview -------------------------------------------------------

    def rules(self) -> CleanupRules:
        """The rules as typed; an unreadable age sets `age_error` and counts as no age rule."""
        age_text = self.query_one("#cleanup-age", Input).value.strip()
        self.age_error = None
        older_than = None
        if age_text:
            try:
                older_than = parse_age(age_text)
            except CleanupError as exc:
                self.age_error = str(exc)
        device = self.query_one("#cleanup-device", Select).value
        return CleanupRules(
            older_than=older_than,
            author=self.query_one("#cleanup-author", Input).value.strip() or None,
            device=None if device in (ANY_DEVICE, Select.NULL) else str(device),
            duplicates=self.query_one("#cleanup-duplicates", Checkbox).value,
        )

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def update_preview(self) -> None:
        rules = self.rules()
        age_input = self.query_one("#cleanup-age", Input)
        age_input.set_class(self.age_error is not None, "-invalid")
        self.query_one("#cleanup-age-error", Static).update(self.age_error or "")
        reason = self.stale_rule()
        # An unreadable age must not widen the selection to what the other rules alone pick.
        self.plan = None if self.age_error or (rules.empty and not reason) else self._plan(rules, reason)
        self._show_plan()

    def stale_rule(self) -> str:
        """The stale reason every snapshot that goes must have (NO_STALE: no such rule)."""
        value = self.query_one("#cleanup-stale", Select).value
        return value if isinstance(value, str) else NO_STALE

    def _plan(self, rules: CleanupRules, reason: str) -> CleanupPlan:
        if rules.empty:  # the stale rule alone
            plan = CleanupPlan(rules, len({s.id: s for s in self.snapshots}))
            plan.selected = [Selected(s, ()) for s in {s.id: s for s in self.snapshots}.values()]
        else:
            plan = plan_cleanup(self.snapshots, rules, now=self.clock())
        if not reason:
            return plan
        plan.selected = [
            Selected(s.snapshot, (*s.reasons, f"{reason}: {evidence[reason]}"))
            for s in plan.selected
            if reason in (evidence := self.stale.get(s.snapshot.id) or {})
        ]
        return plan

    def _describe(self, plan: CleanupPlan) -> str:
        parts = [] if plan.rules.empty else [plan.rules.describe()]
        if reason := self.stale_rule():
            parts.append(reason)
            if unknown := sum(s.id not in self.stale for s in self.snapshots):
                parts[-1] += f" ({unknown} not looked up yet: left out)"
        return " and ".join(parts)

    def _show_plan(self) -> None:
        table, plan = self.preview_table, self.plan
        table.clear()
        count = self.query_one("#cleanup-count", Label)
        delete = self.query_one("#cleanup-delete", Button)
        if plan is None:
            count.update("Fix the age above to see what would go." if self.age_error else NO_RULE)
            delete.disabled, delete.label = True, NOTHING_LABEL
            delete.refresh(layout=True)
            return
        now = self.clock()
        for selected in plan.selected:
            s, changed = selected.snapshot, last_change(selected.snapshot)
            modified = format_relative(changed, now) if changed else "never"
            author = s.attributes.created_by or s.attributes.created_by_handle or "?"
            cells = (s.name, s.view_name, s.device_type, modified, author)
            reasons = Text("\n").join(safe_rich(reason) for reason in selected.reasons)
            table.add_row(*map(_cell, cells), reasons, key=s.id, height=None)
        total = len(plan)
        count.update(visible(f"{total} of {plan.considered} snapshots would go: {self._describe(plan)}."))
        delete.disabled = total == 0
        delete.label = delete_label(total)
        delete.refresh(layout=True)  # a Button's label is no layout reactive: fit the new one

    # --- buttons -----------------------------------------------------------------

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cleanup-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cleanup-delete")
    def _delete(self) -> None:
        if self.plan is not None and len(self.plan):
            self.dismiss(self.plan.snapshots)


def _authors(snapshot: Snapshot) -> list[str]:
    a = snapshot.attributes
    return [name for name in (a.created_by, a.created_by_handle) if name]
