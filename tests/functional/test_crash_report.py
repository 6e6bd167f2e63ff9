"""A crash, should one ever happen inside a request, prints no key and ends with a non-zero status.

The real `heatmap-tui` runs in a subprocess, with distinctive keys in DD_API_KEY and DD_APP_KEY
and the HTTP stack patched to raise RuntimeError on the first RUM request (a bug below the
client, which it rightly does not dress up as an API error). The TUI runs under a pseudo-terminal,
so Textual draws the screen and prints its crash report, a traceback with every frame's locals;
the CLI runs with and without HEATMAP_TUI_DEBUG (which shows the traceback). Everything they
wrote (the terminal, stdout, stderr, every file left under the sandbox) is scanned for any
8-character piece of either key.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from heatmap_tui.devserver import DEMO_USER, DevServer, KeyRing
from heatmap_tui.devserver.sandbox import sandbox_env

# Distinctive from end to end, so that any 8 characters found can only be a leak.
CRASH_API_KEY = "CRASHAPIK3Y0123456789abcdefQ7ZK9"
CRASH_APP_KEY = "CRASHAPPK3Y0123456789abcdef0000XW4VY2TJM"
APPS = "/api/v2/rum/applications"

# `python -c` one of these, then the CLI's arguments: the app as installed, with one method of
# the HTTP stack (core/transport.py, core/http11.py) patched to fail the way a bug would: in the transport (below
# the client's auth hook), or as a connection sends the request line and headers (where a frame
# holds the headers as bytes, keys and all, beyond the reach of any masking).
_PATCH_TRANSPORT = f"""
from heatmap_tui.core.transport import StreamTransport

real = StreamTransport.handle_async_request

async def broken(self, request):
    if request.url.path.startswith({APPS!r}):
        raise RuntimeError("a bug below the client")
    return await real(self, request)

StreamTransport.handle_async_request = broken
"""
_PATCH_WIRE = f"""
from heatmap_tui.core.http11 import HttpConnection

real = HttpConnection.send

def broken(self, data, request):
    if data.startswith(b"GET " + {APPS.encode()!r}):
        raise RuntimeError("a bug below the client")
    return real(self, data, request)

HttpConnection.send = broken
"""
_RUN = """
import sys
from heatmap_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""
BROKEN = {"transport": _PATCH_TRANSPORT + _RUN, "wire": _PATCH_WIRE + _RUN}

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
FILLER = re.compile(r"[\s│┃║╭╮╰╯─━═▏▕|]+")


def pieces(*secrets: str) -> set[str]:
    return {s[i : i + 8] for s in secrets for i in range(len(s) - 7)}


def leaks(blobs: dict[str, bytes]) -> list[str]:
    """Every key piece found, in the raw bytes or in the text with escapes and frames removed."""
    found = []
    for where, blob in blobs.items():
        text = ANSI.sub(b"", blob).decode("utf-8", "replace")
        for form in (blob.decode("utf-8", "replace"), text, FILLER.sub("", text)):
            found += [
                f"{piece} in {where}" for piece in pieces(CRASH_API_KEY, CRASH_APP_KEY) if piece in form
            ]
    return sorted(set(found))


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def server() -> DevServer:
    with DevServer(seed=True, keys=KeyRing({(CRASH_API_KEY, CRASH_APP_KEY): DEMO_USER})) as srv:
        yield srv


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = sandbox_env(tmp_path)
    env.update(
        DD_API_KEY=CRASH_API_KEY, DD_APP_KEY=CRASH_APP_KEY, TERM="xterm-256color", COLUMNS="120", LINES="40"
    )
    env.pop("HEATMAP_TUI_DEBUG", None)
    env.pop("TEXTUAL", None)  # no devtools, no debug features
    return env


def run_in_terminal(args: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, bytes]:
    """Run under a pseudo-terminal of 120x40; everything written to it, and the exit status."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        args,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: every writer closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            pytest.fail(f"the TUI did not end within {timeout} s:\n{b''.join(chunks)[-3000:]!r}")
        return proc.wait(timeout=10), b"".join(chunks)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("where", list(BROKEN))
def test_a_tui_crash_inside_a_request_shows_no_key_and_exits_non_zero(
    server: DevServer, env: dict[str, str], tmp_path: Path, where: str
) -> None:
    code, screen = run_in_terminal([sys.executable, "-c", BROKEN[where], "tui", "--api-url", server.url], env)
    text = ANSI.sub(b"", screen).decode("utf-8", "replace")
    assert "RuntimeError" in text and "a bug below the client" in text, text[-3000:]  # it did crash
    assert code != 0, "a crash must not end with status 0"
    assert server.count("GET", APPS) == 0  # it failed before the request left, as arranged
    blobs = {"terminal": screen, **files_under(tmp_path)}
    assert leaks(blobs) == []
    # The report shows frame locals; the key holder among them is shown masked.
    if "ApiAuth(" in text:
        assert f"ApiAuth(api_key=…{CRASH_API_KEY[-4:]}, app_key=…{CRASH_APP_KEY[-4:]}" in FILLER.sub(
            " ", text
        )


@pytest.mark.parametrize("where", list(BROKEN))
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "HEATMAP_TUI_DEBUG"])
def test_a_cli_crash_inside_a_request_shows_no_key(
    server: DevServer, env: dict[str, str], tmp_path: Path, debug: bool, where: str
) -> None:
    if debug:
        env["HEATMAP_TUI_DEBUG"] = "1"
    args = [
        sys.executable,
        "-c",
        BROKEN[where],
        "snapshots",
        "list",
        "--all-views",
        "--api-url",
        server.url,
    ]
    done = subprocess.run(args, capture_output=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    err = done.stderr.decode()
    if debug:
        assert "Traceback" in err and "RuntimeError: a bug below the client" in err, err
    else:
        assert "unexpected internal error (RuntimeError)" in err and "Traceback" not in err, err
    assert leaks({"stdout": done.stdout, "stderr": done.stderr, **files_under(tmp_path)}) == []
