"""One delete batch in the trash journal: every copy first, at once, then the server's answers.

`delete_with_trash` (core/restore.py), the app's one delete path, journals a batch through it:
    - the copies of all its snapshots in one write made durable by one fsync, before any DELETE
      of the batch is sent (a kill within that write leaves at most a torn last line, and then
      no DELETE was sent: nothing is deleted without its copy);
    - the answers ("deleted", "failed") as they come, appended in groups (`group` answers, or
      every `seconds`), never an fsync each: losing some to a crash only leaves their entries
      unconfirmed, which restore settles by asking the server;
    - the last group, when the batch ends, fsynced: then all the batch's records are durable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from heatmap_tui.core.sites import Site
from heatmap_tui.core.trash_journal import Trash

if TYPE_CHECKING:
    from heatmap_tui.core.models import Snapshot


class DeleteBatch:
    def __init__(
        self,
        trash: Trash,
        batch_id: str,
        *,
        group: int = 256,
        seconds: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.trash = trash
        self.batch_id = batch_id
        self._group = group
        self._seconds = seconds
        self._clock = clock
        self._pending: list[tuple[str, str | None]] = []
        self._written_at = clock()

    def copy(self, snapshots: Sequence[Snapshot], *, site: Site | str, profile: str) -> None:
        """Every snapshot's copy, durably, in one go (TrashError: send none of their DELETEs)."""
        self.trash.record_batch(snapshots, site=site, profile=profile, batch_id=self.batch_id)

    def answered(self, snapshot_id: str, error: str | None = None) -> None:
        """The server confirmed the delete (`error` None) or refused it (its sentence)."""
        self._pending.append((snapshot_id, error))
        if len(self._pending) >= self._group or self._clock() - self._written_at >= self._seconds:
            self._write(sync=False)

    def close(self) -> None:
        """The batch is over: the answers not written yet are, and all of them made durable."""
        self._write(sync=True)

    def _write(self, *, sync: bool) -> None:
        pending, self._pending = self._pending, []
        self._written_at = self._clock()
        if pending:
            self.trash.record_answers(pending, self.batch_id, sync=sync)
