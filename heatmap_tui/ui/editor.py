"""The person's own editor on a file: $VISUAL, else $EDITOR, else vi, as git and crontab pick it.

On a terminal the app is suspended while the editor runs, and the editor has the terminal.
Where the app cannot be suspended (headless under Pilot, Textual Web) the editor still runs, with
no terminal: enough for a script, and the app's screen is left as it is.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from textual.app import App, SuspendNotSupported

DEFAULT_EDITOR = "vi"


def editor_command(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The editor's command line (a variable may carry options: `code --wait`).

    Raises ValueError when the variable cannot be split (an unclosed quote)."""
    for name in ("VISUAL", "EDITOR"):
        if value := environ.get(name, "").strip():
            return shlex.split(value)
    return [DEFAULT_EDITOR]


def run_editor(app: App[Any], path: Path) -> str | None:
    """Edit `path`; None when the editor ended well, else what went wrong, in words."""
    try:
        command = [*editor_command(), str(path)]
    except ValueError as exc:
        return f"Could not read the editor command in VISUAL or EDITOR: {exc}."
    try:
        with app.suspend():
            return _run(command, None)  # never raises: the app must resume whatever happens
    except SuspendNotSupported:
        return _run(command, subprocess.DEVNULL)


def _run(command: list[str], stream: int | IO[Any] | None) -> str | None:
    """`stream` None: the editor has the terminal; DEVNULL: it runs without one."""
    try:
        code = subprocess.run(command, stdin=stream, stdout=stream, stderr=stream, check=False).returncode
    except (OSError, subprocess.SubprocessError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"Could not start the editor {command[0]!r}: {reason}. Set VISUAL or EDITOR to the one to use."
    return None if code == 0 else f"The editor {command[0]!r} ended with status {code}."
