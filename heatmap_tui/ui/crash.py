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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from heatmap_tui.core import paths

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
        at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
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
