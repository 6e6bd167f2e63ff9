"""A terminal that goes away ends the app, even when no SIGHUP comes (as under `make demo`,
where the app kept reading end-of-file in a busy loop once tmux was killed)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from heatmap_tui.devserver.sandbox import sandbox_env


def test_the_app_exits_when_its_terminal_is_closed_without_a_sighup(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {**sandbox_env(tmp_path), "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    process = subprocess.Popen(
        [sys.executable, "-m", "heatmap_tui", "demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        # No hang-up signal reaches it: only the terminal itself going away can end it.
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    os.close(slave)
    try:
        screen, deadline = b"", time.monotonic() + 60
        while b"snapshots" not in screen:  # the status line: the browser is up
            assert process.poll() is None and time.monotonic() < deadline, screen[-2000:]
            if select.select([master], [], [], 0.5)[0]:
                screen += os.read(master, 65536)
        os.close(master)  # the terminal goes away
        assert process.wait(timeout=15) == 129  # 128 + SIGHUP, as a hang-up would end it
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
