"""Helpers shared by the fault tests (fault matrix, soak, plain http): not a test module."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import httpx
import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.retry import RetryPolicy
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.transport import StreamTransport
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer

DEMO_AUTH = ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)

# What must never reach a person's screen: a traceback, a repr, a library's or an exception's name.
NOT_PLAIN = (
    "Traceback",
    "\n",
    "httpx",
    "httpcore",
    "h11",
    "pydantic",
    "ValidationError",
    "Exception",
    "ReadTimeout",
    "ConnectError",
    "RemoteProtocolError",
    "ReadError",
    "object at 0x",
    "<class",
    "<html",
    "Error(",
    "errors=[",
    "{'",
    '{"',
)


def loopback_transport(max_connections: int = 64) -> StreamTransport:
    """DatadogClient's own transport (core/transport.py), as a client made without one gets."""
    return StreamTransport(max_connections=max_connections)


class RecordingSleep:
    """The client's sleep: records every wait; waits for real only when `real` (rate-limit windows)."""

    def __init__(self, *, real: bool = False) -> None:
        self.real = real
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds if self.real else 0)


def make_client(
    server: DevServer | str,
    sleep: RecordingSleep,
    *,
    timeout: httpx.Timeout | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> DatadogClient:
    url = server if isinstance(server, str) else server.url
    return DatadogClient(
        custom_site(url),
        DEMO_AUTH,
        sleep=sleep,
        timeout=timeout,
        retry=retry,
        transport=transport or loopback_transport(),
    )


def assert_plain_sentence(error: ApiError, *, op: str, site: str, says: str | tuple[str, ...] = ()) -> None:
    """str(error) is one plain sentence that names the operation and the site, and nothing worse."""
    text = str(error)
    assert text.startswith(f"Could not {op} on {site}: "), text
    assert text.endswith("."), text
    for bad in (*NOT_PLAIN, DEMO_API_KEY, DEMO_APP_KEY):
        assert bad not in text, f"{bad!r} in {text!r}"
    alternatives = (says,) if isinstance(says, str) else says
    if alternatives:
        assert any(a.lower() in text.lower() for a in alternatives), f"none of {alternatives!r} in {text!r}"
    assert error.op == op and error.site == site


async def wait_for_count(
    server: DevServer, expected: int, method: str, path_prefix: str, *, timeout: float = 5.0
) -> int:
    """The server's count of matching requests, once it reaches `expected` (hung requests log late)."""
    deadline = time.monotonic() + timeout
    while (seen := server.count(method, path_prefix)) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return seen


def report(config: pytest.Config, lines: Iterable[str]) -> None:
    """Write to the terminal past pytest's output capture, so the lines show without -s."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    lines = list(lines)
    if reporter is None:  # -p no:terminal
        print("\n".join(lines))
        return
    if capture is None:
        for line in ["", *lines]:
            reporter.write_line(line)
        return
    with capture.global_and_fixture_disabled():
        for line in ["", *lines]:
            reporter.write_line(line)


def matrix_lines(
    title: str, faults: Iterable[str], ops: Iterable[str], results: dict[tuple[str, str], bool]
) -> list[str]:
    """The grid, faults x operations: "ok" passed, "FAIL" failed, "-" not run (deselected)."""
    faults, ops = list(faults), list(ops)
    width = max(map(len, faults)) + 2
    cols = [max(len(name), 6) for name in ops]
    lines = [
        f"{title}: {len(faults)} faults x {len(ops)} operations",
        " " * width + "  ".join(name.ljust(w) for name, w in zip(ops, cols, strict=False)),
    ]
    for fault in faults:
        marks = [
            ("-" if results.get((fault, op)) is None else "ok" if results[(fault, op)] else "FAIL").ljust(w)
            for op, w in zip(ops, cols, strict=False)
        ]
        lines.append(fault.ljust(width) + "  ".join(marks))
    per_op = [sum(1 for f in faults if results.get((f, o))) for o in ops]
    lines.append(
        "passed".ljust(width)
        + "  ".join(f"{n}/{len(faults)}".ljust(w) for n, w in zip(per_op, cols, strict=False))
    )
    lines.append(
        f"{title}: {sum(results.values())}/{len(results)} cells passed ({len(faults) * len(ops)} in the full matrix)"
    )
    return lines
