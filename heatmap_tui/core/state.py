"""Where the app left off: per profile, the application, view, device, sort, row filter and
cursor last shown.

This is the app's own memory, not a setting: it lives in `state.json` under the data dir
(`paths.data_dir()`, moved by HEATMAP_TUI_DATA), apart from `config.toml`, which holds only what
the person set and is written only when they ask. The app writes this file by itself, as often
as the view changes, so every change is a read-modify-write of one profile's entry under the
file's lock (fileio.exclusive_lock), written atomically: a TUI and a CLI command, or two TUIs on
different profiles, each keep the other's entries.

The file is the app's, not the person's: one that cannot be read or parsed is treated as empty
(the app starts from the application picker) and replaced at the next write.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heatmap_tui.core.fileio import FileError, exclusive_lock, write_atomic
from heatmap_tui.core.paths import data_dir

STATE_FILE = "state.json"


class StateError(FileError):
    """The state file cannot be locked or written; str() names the file."""


class Position(BaseModel):
    """Where the app left off with one profile."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    # The profile's site when this was written (`site_key`): a profile pointed at another org
    # since then does not resume into an application of the old one.
    site: str | None = None
    application_id: str | None = None
    view_name: str | None = None
    device_type: str | None = None
    # The column the table was sorted by, and whether descending; files older than this have none.
    sort_column: str | None = None
    sort_reverse: bool = False
    # The row filter typed, and the snapshot the cursor was on (given back if it is still listed).
    row_filter: str | None = None
    cursor_id: str | None = None


class State(BaseModel):
    # Unknown keys are ignored, so that an older app reads a newer app's file.
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    version: int = 1
    profiles: dict[str, Position] = Field(default_factory=dict)


def site_key(site: str | None, api_url: str | None) -> str:
    """One string for a profile's configured site (the custom URL, else the site name)."""
    return api_url or site or ""


def state_path() -> Path:
    return data_dir() / STATE_FILE


def load_state(path: Path | None = None) -> State:
    """The state in the file; a missing, unreadable or broken file gives an empty state."""
    path = path or state_path()
    try:
        return State.model_validate_json(path.read_bytes())
    except (OSError, ValueError, ValidationError):
        return State()


def dump_state(state: State) -> str:
    """JSON text; a name holding a lone surrogate (server text) makes the write raise
    UnicodeEncodeError: such a string has no UTF-8 form, and no reader would take it back."""
    return json.dumps(state.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@contextlib.contextmanager
def editing_state(path: Path | None = None) -> Iterator[State]:
    """Read the state, let the caller change it, write it back if changed, all under the lock."""
    path = path or state_path()
    with exclusive_lock(path, error=StateError):
        state = load_state(path)
        before = state.model_copy(deep=True)
        yield state
        if state != before:
            write_atomic(path, dump_state(state), error=StateError)


def remember(profile: str, position: Position | None, path: Path | None = None) -> None:
    """Set (None: forget) where the app left off with `profile`; other profiles are kept.

    Raises StateError, or UnicodeEncodeError for a name no file can hold (nothing is written)."""
    with editing_state(path) as state:
        if position is None:
            state.profiles.pop(profile, None)
        else:
            state.profiles[profile] = position.model_copy()


def adopt(positions: Mapping[str, Position], path: Path | None = None) -> None:
    """The one-time migration of an old config's `last_*` keys: each profile the state knows
    nothing of takes its position from there. One the state already has is newer: it stays."""
    if not positions:
        return
    with editing_state(path) as state:
        for profile, position in positions.items():
            state.profiles.setdefault(profile, position.model_copy())
