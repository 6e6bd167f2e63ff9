"""One snapshot full screen, opened from the browser (enter on a row, or J for its JSON): its
fields in one column or its JSON (the browser pane's own rendering, widgets/detail_pane.py),
scrolled with vim keys; y copies the JSON, E edits it in $EDITOR (snapshot_json_editor.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from heatmap_tui.core.clock import Clock
from heatmap_tui.core.models import Snapshot
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.ui.safe import safe, safe_join
from heatmap_tui.ui.screens.snapshot_json_editor import JsonEditor
from heatmap_tui.ui.widgets.detail_pane import DetailPane, StaleOf, snapshot_json
from heatmap_tui.ui.widgets.key_footer import KeyFooter


def _scroll(key: str, action: str, description: str, name: str) -> Binding:
    return Binding(key, action, description, show=False, id=f"snapshot_detail.{name}")


class SnapshotDetailScreen(Screen[None]):
    """`read_only` is asked each time: the shell may switch it while the screen is open. `saved`
    gets a snapshot the editor saved, for the browser's table."""

    DEFAULT_CSS = """
    SnapshotDetailScreen {
        layout: vertical;
        #detail-title { height: 1; padding: 0 1; background: $panel; }
        #detail-full { height: 1fr; }
        /* The JSON is not wrapped: a long value scrolls sideways (h, l) rather than breaking. */
        #detail-full.-json { overflow-x: auto; }
        #detail-full.-json #detail-body { width: auto; min-width: 100%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        _scroll("j,down", "line(1)", "Scroll down", "down"),
        _scroll("k,up", "line(-1)", "Scroll up", "up"),
        _scroll("pagedown,ctrl+f", "page(1)", "Page down", "page_down"),
        _scroll("pageup,ctrl+b", "page(-1)", "Page up", "page_up"),
        _scroll("g,home", "edge(False)", "Top", "top"),
        _scroll("G,end", "edge(True)", "Bottom", "bottom"),
        _scroll("h,left", "sideways(-1)", "Scroll left", "left"),
        _scroll("l,right", "sideways(1)", "Scroll right", "right"),
        Binding("J", "toggle_json", "JSON / fields", tooltip="Fields or JSON", id="snapshot_detail.json"),
        # Its own binding, so that the footer shows J (Screen's own tab binding comes first).
        Binding("tab", "toggle_json", "JSON / fields", show=False, id="snapshot_detail.json_tab"),
        Binding("y", "copy_json", "Copy JSON", tooltip="Copy the snapshot's JSON", id="snapshot_detail.copy"),
        Binding(
            "E",
            "edit_in_editor",
            "Edit in $EDITOR",
            tooltip="Edit the JSON in $VISUAL or $EDITOR; saved as the edit form saves",
            id="snapshot_detail.editor",
        ),
        Binding("escape,q", "back", "Back", tooltip="Back to the table", id="snapshot_detail.back"),
    ]

    AUTO_FOCUS = "#detail-full"

    json_mode: reactive[bool] = reactive(False, init=False)
    saving: reactive[bool] = reactive(False, bindings=True, init=False)

    def __init__(
        self,
        snapshot: Snapshot,
        service: SnapshotService,
        *,
        clock: Clock,
        json_mode: bool = False,
        read_only: Callable[[], bool],
        saved: Callable[[Snapshot], None],
        stale_of: StaleOf | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.clock = clock
        self._read_only = read_only
        self._saved = saved
        self.set_reactive(SnapshotDetailScreen.json_mode, json_mode)
        self.pane = DetailPane(one_column=True, stale_of=stale_of, id="detail-full")
        self.editor = JsonEditor(self, service, saving=self._set_saving, saved=self._edit_saved)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", markup=False)
        yield self.pane
        yield KeyFooter()

    def on_mount(self) -> None:
        self.pane.set_json_mode(self.json_mode)
        self._show()

    def _show(self) -> None:
        title = safe_join("Snapshot ", safe(repr(self.snapshot.name)), " · ", safe(self.snapshot.id))
        self.query_one("#detail-title", Static).update(
            safe_join(title, " · saving…") if self.saving else title
        )
        self.pane.show(self.snapshot, self.clock())

    def watch_json_mode(self, json_mode: bool) -> None:
        self.pane.set_json_mode(json_mode)
        self.pane.scroll_home(animate=False)

    def watch_saving(self) -> None:
        self._show()

    # --- keys ------------------------------------------------------------------

    def action_line(self, lines: int) -> None:
        self.pane.scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        if pages > 0:
            self.pane.scroll_page_down(animate=False)
        else:
            self.pane.scroll_page_up(animate=False)

    def action_edge(self, end: bool) -> None:
        if end:
            self.pane.scroll_end(animate=False)
        else:
            self.pane.scroll_home(animate=False)

    def action_sideways(self, columns: int) -> None:
        self.pane.scroll_relative(x=columns * 4, animate=False)

    def action_toggle_json(self) -> None:
        self.json_mode = not self.json_mode

    def action_copy_json(self) -> None:
        self.app.copy_to_clipboard(snapshot_json(self.snapshot))
        self.notify(f"Copied the JSON of {self.snapshot.name!r}", markup=False)

    def action_edit_in_editor(self) -> None:
        self.editor.edit(self.snapshot)

    def action_back(self) -> None:
        if self.saving:  # leaving would cancel the request and leave its outcome unknown
            self.notify("Still saving: wait for the server's answer.", severity="warning")
            return
        self.editor.left()
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_in_editor":
            return None if self.saving else not self._read_only()
        return True

    # --- the editor's outcome ---------------------------------------------------

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving

    def _edit_saved(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._show()
        self._saved(snapshot)
