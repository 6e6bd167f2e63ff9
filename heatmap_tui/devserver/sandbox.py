"""The environment of a `heatmap-tui` child process whose state lives under one folder.

Shared by the tests that run the CLI as a subprocess (tests/scripts/cli_runner.py) and the
benches that time the app (bench/common.py): HOME, the XDG directories, HEATMAP_TUI_CONFIG and
HEATMAP_TUI_DATA point into `root`; the demo keys come from the environment, so the OS keyring
is never asked (a failing keyring backend makes sure of it).
"""

from __future__ import annotations

import os
from pathlib import Path

from heatmap_tui.devserver.auth import DEMO_API_KEY, DEMO_APP_KEY

# What the caller's environment must not pass on: its keys, its config and data, its XDG folders.
DROPPED_ENV: tuple[str, ...] = ("DD_", "HEATMAP_TUI_", "XDG_")


def sandbox_env(root: Path, *, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """os.environ without DROPPED_ENV (and `drop`) prefixes, with the app's state under `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV + drop)}
    env.update(
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        XDG_CACHE_HOME=str(root / "xdg-cache"),
        HEATMAP_TUI_CONFIG=str(root / "config.toml"),
        HEATMAP_TUI_DATA=str(root / "data"),
        DD_API_KEY=DEMO_API_KEY,
        DD_APP_KEY=DEMO_APP_KEY,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONUNBUFFERED="1",
    )
    return env
