"""Where the app keeps its data (not its config): the trash of deleted snapshots.

`HEATMAP_TUI_DATA` names a directory that replaces the platform's user data directory
(tests, portable installs, a second independent setup).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "heatmap-tui"  # the name platformdirs files both the data and the config dirs under
DATA_ENV = "HEATMAP_TUI_DATA"
TRASH_FILE = "trash.jsonl"


def data_dir() -> Path:
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME)


def trash_path() -> Path:
    return data_dir() / TRASH_FILE
