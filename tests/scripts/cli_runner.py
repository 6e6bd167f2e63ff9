"""Run `heatmap-tui` as a real subprocess with its state sandboxed under a test's tmp_path.

HOME, the XDG directories, HEATMAP_TUI_CONFIG and HEATMAP_TUI_DATA point into the sandbox; the
demo keys come from the environment (so the OS keyring is never asked, and a failing keyring
backend makes sure of it); `api(...)` adds `--api-url` of the dev server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from heatmap_tui.devserver.sandbox import sandbox_env


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"heatmap-tui {' '.join(self.args)} -> {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def many(*calls: Callable[[], Result]) -> list[Result]:
    """Independent runs at once: each is a whole interpreter start, mostly spent importing."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


class Cli:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.env = sandbox_env(root)

    @property
    def trash_path(self) -> Path:
        return self.root / "data" / "trash.jsonl"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "heatmap_tui", *args]

    def run(self, *args: str, input: str = "", timeout: float = 60) -> Result:
        # stdin is a pipe, never a terminal: the commands see a script, not a person.
        done = subprocess.run(
            self.command(*args), input=input, capture_output=True, text=True, env=self.env, timeout=timeout
        )
        result = Result(args, done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, str(result)
        return result

    def api(self, *args: str, **kw: Any) -> Result:
        """`run` against the dev server."""
        return self.run(*args, "--api-url", self.url, **kw)

    def api_many(self, *commands: tuple[str, ...]) -> list[Result]:
        """Independent commands against the dev server at once."""
        return many(*(partial(self.api, *args) for args in commands))

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args, "--api-url", self.url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
