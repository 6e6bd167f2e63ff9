"""The crash marker: a note in the data dir that the last run stopped on an unhandled exception.

The app resumes where the last run left off (the remembered application, view and device). If
something there kills it, the next start would resume into it again: a crash loop the person
could only leave by editing the config. So the app writes this note when it dies, removes it when
it exits cleanly, and a start that finds it says so and offers a clean start instead.

The note holds the time, the exception's type and the screen on top: never the exception's
message, which may carry server text (or worse) onto the disk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.worker import WorkerFailed

from heatmap_tui.core import paths
from heatmap_tui.core.timefmt import format_absolute

CRASH_FILE = "last-run-crashed.json"
FIELD_CHARS = 80


def crash_marker_path() -> Path:
    """Where the real app keeps its marker: next to the trash, in the data dir."""
    return paths.data_dir() / CRASH_FILE


@dataclass(frozen=True, slots=True)
class CrashNote:
    """What the marker says about the run that stopped; empty strings when it could not be read."""

    at: str = ""  # "2026-12-01 10:11:12 UTC"
    error: str = ""  # the exception's type name
    where: str = ""  # the screen on top, by its class name


class CrashMarker:
    """The marker file at `path`. Nothing here raises: a marker that cannot be written or read
    must never be the thing that stops the app."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, error: BaseException, where: str, now: datetime | None = None) -> None:
        at = format_absolute(now or datetime.now(UTC))
        note = {"at": at, "error": type(error).__name__, "where": where}
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(note), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass

    def read(self) -> CrashNote | None:
        """None when there is no marker; a blank note when there is one that cannot be read."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError):
            return CrashNote()
        try:
            data = json.loads(text)
        except ValueError:
            return CrashNote()
        if not isinstance(data, dict):
            return CrashNote()
        fields = {key: data.get(key) for key in ("at", "error", "where")}
        # Each cut short: the app writes a few words; anything longer was not written by it.
        return CrashNote(**{k: v[:FIELD_CHARS] if isinstance(v, str) else "" for k, v in fields.items()})

    def clear(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass


class CrashWatch:
    """The marker as one run keeps it (None: no marker is kept): read at start, written when
    the run dies, removed when it exits cleanly, unless it died, or exits before the person
    chose between a clean start and resuming (the next start asks again)."""

    def __init__(self, path: Path | None) -> None:
        self._marker = CrashMarker(path) if path is not None else None
        self._died = False
        self._offering = False

    def last_run(self) -> CrashNote | None:
        """The note of the run that died, if one did: a clean start is on offer until `answered`."""
        note = self._marker.read() if self._marker is not None else None
        self._offering = note is not None
        return note

    def answered(self) -> None:
        self._offering = False

    def died(self, error: BaseException, where: str) -> None:
        self._died = True
        if self._marker is not None:
            # A worker's exception comes wrapped: the note names what it died of.
            self._marker.write(error.error if isinstance(error, WorkerFailed) else error, where)

    def exited(self) -> None:
        if self._marker is not None and not self._died and not self._offering:
            self._marker.clear()


@contextmanager
def tracebacks_without_locals() -> Iterator[None]:
    """Rich tracebacks made meanwhile print none of the locals Textual asks for in every frame:
    deep in the HTTP stack (httpcore, h11) a frame holds the request's headers, keys and all.
    The frames and their source lines still say where it broke."""
    import rich.traceback

    shown = rich.traceback.Traceback

    class WithoutLocals(rich.traceback.Traceback):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "show_locals": False})

    rich.traceback.Traceback = WithoutLocals  # type: ignore[misc]  # read by Textual at crash time
    try:
        yield
    finally:
        rich.traceback.Traceback = shown  # type: ignore[misc]
