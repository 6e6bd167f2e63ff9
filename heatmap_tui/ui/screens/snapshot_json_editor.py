"""E in the full-screen detail view: the snapshot as JSON in the person's editor, read back and
checked as the edit form checks it (edited_json.py), then sent as the form sends an edit.

What the person typed is never lost: the file (private to them, in the temp dir) is deleted once
the edit is saved, or when it holds nothing of theirs; otherwise it is kept, its path is said, and
"Edit again" (or E later) opens it again as they left it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.notifications import SeverityLevel
from textual.screen import Screen

from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.models import Snapshot, SnapshotUpdateAttributes
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDialog
from heatmap_tui.ui.edited_json import read_edited
from heatmap_tui.ui.editor import run_editor
from heatmap_tui.ui.safe import safe_rich
from heatmap_tui.ui.widgets.detail_pane import snapshot_json

NOT_CHANGED = "The file was not changed: nothing was sent."
NOTHING_TO_SEND = "Nothing the API can change was edited: nothing was sent."


def ignored_note(keys: Sequence[str]) -> str:
    return f"Ignored {', '.join(keys)}: the API does not let {'it' if len(keys) == 1 else 'them'} change."


class EditNotSent(ConfirmDialog):
    """What is wrong with the edit, where the text is kept, and "Edit again" (focused)."""

    AUTO_FOCUS = "#delete"  # ConfirmDialog's confirm button, here "Edit again"

    def __init__(self, problems: Sequence[str], path: Path) -> None:
        super().__init__(
            title="Edit not sent",
            question="Nothing was sent to the server:",
            items=Text("\n").join(safe_rich(f"• {problem}") for problem in problems),
            warning=visible(
                f"Your text is kept in {path}. Edit again to fix it, or cancel and press E later."
            ),
            confirm_label="Edit again",
        )


class JsonEditor:
    """Edits one snapshot's JSON in $EDITOR for `host`, whose workers, toasts and dialogs these
    are. `saving` is told when a request starts and ends, `saved` gets the snapshot saved."""

    def __init__(
        self,
        host: Screen[Any],
        service: SnapshotService,
        *,
        saving: Callable[[bool], None],
        saved: Callable[[Snapshot], None],
    ) -> None:
        self._host = host
        self._service = service
        self._saving = saving
        self._saved = saved
        self.path: Path | None = None  # the file, from the first E until it holds nothing to keep
        self._written = ""  # the JSON first put in it

    def edit(self, snapshot: Snapshot) -> None:
        """Open the editor (the app suspended meanwhile), then read back and send what changed."""
        if self.path is None or not self.path.exists():
            try:
                self.path = self._write(snapshot_json(snapshot) + "\n")
            except OSError as exc:
                self._notify(f"Could not write the snapshot to a file to edit: {exc}", "error")
                return
        editor_error = run_editor(self._host.app, self.path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeError) as exc:
            self._offer_again(snapshot, [f"Could not read the file back: {exc}"])
            return
        unchanged = text.strip() == self._written.strip()
        if editor_error is not None:
            if unchanged:
                self._discard()
                self._notify(f"{editor_error} Nothing was sent.", "error")
            else:
                self._offer_again(snapshot, [editor_error])
            return
        if unchanged:
            self._discard()
            self._notify(NOT_CHANGED)
            return
        edited = read_edited(self._written, text)
        if edited.problems:
            self._offer_again(snapshot, edited.problems)
        elif edited.attributes is None:
            self._discard()
            if edited.ignored:
                self._notify(f"{NOTHING_TO_SEND} {ignored_note(edited.ignored)}", "warning")
            else:
                self._notify(NOTHING_TO_SEND)
        else:
            self._saving(True)
            send = self._send(snapshot, edited.attributes, edited.ignored)
            self._host.run_worker(send, name="_send", group="json-edit", exclusive=True)

    def left(self) -> None:
        """The view closes: an edit that was not sent stays in its file, and the person is told where."""
        if self.path is not None and self.path.exists():
            self._notify(f"Your edit that was not sent stays in {self.path}.", "warning")

    def _write(self, text: str) -> Path:
        # mkstemp: a new file only its owner may read, in the temp dir the person set (TMPDIR).
        fd, name = tempfile.mkstemp(prefix="heatmap-snapshot-", suffix=".json", text=True)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        self._written = text
        return Path(name)

    async def _send(
        self, snapshot: Snapshot, attributes: SnapshotUpdateAttributes, ignored: Sequence[str]
    ) -> None:
        try:
            saved = await self._service.update(snapshot.id, attributes)
        except ApiError as exc:
            self._saving(False)
            self._offer_again(snapshot, [f"The server did not save it: {exc}"])
            return
        self._saving(False)
        self._discard()
        self._saved(saved)
        if ignored:
            self._notify(ignored_note(ignored), "warning")

    def _offer_again(self, snapshot: Snapshot, problems: Sequence[str]) -> None:
        assert self.path is not None
        path = self.path

        def answered(again: bool | None) -> None:
            if again:
                self._host.call_after_refresh(self.edit, snapshot)
            else:
                self._notify(f"Nothing was sent. Your text is kept in {path}: E here opens it again.")

        self._host.app.push_screen(EditNotSent(problems, path), answered)

    def _discard(self) -> None:
        if self.path is not None:
            # A file that could not go holds nothing of the person's: the temp dir's to clean.
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
            self.path = None

    def _notify(self, message: str, severity: SeverityLevel = "information") -> None:
        self._host.notify(message, severity=severity, markup=False)
