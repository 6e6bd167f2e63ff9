"""Fuzzing the scripting CLI's arguments: any argv ends in exit 0, 1 or 2 with plain words, never a traceback.

No keys are available (empty env, keyring's fail backend), so no command gets as far as
Datadog; a guard on httpx fails the test if a request ever leaves loopback anyway.
"""

from __future__ import annotations

import io
import re
import sys
from collections import Counter
from pathlib import Path

import httpx
import keyring
import pytest
from faults import report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keyring.backends import fail

from heatmap_tui.cli import main
from heatmap_tui.core.sites import is_loopback_host

# The commands that do not run forever or open the TUI.
COMMANDS = [
    ["snapshots", "list"],
    ["snapshots", "create"],
    ["snapshots", "update"],
    ["snapshots", "delete"],
    ["snapshots", "cleanup"],
    ["snapshots", "export"],
    ["snapshots", "import"],
    ["trash", "list"],
    ["trash", "restore"],
    ["trash", "purge"],
    ["views", "list"],
    ["events", "list"],
    ["auth", "status"],
    ["auth", "logout"],
    ["auth", "login"],
    ["profiles", "list"],
    ["profiles", "use"],
    ["profiles", "remove"],
]
VALUE_FLAGS = [
    "--view",
    "--device",
    "--limit",
    "--name",
    "--event-id",
    "--start",
    "--session-id",
    "--view-id",
    "--older-than",
    "--author",
    "--to-app",
    "--to-profile",
    "--profile",
    "--site",
    "--api-url",
    "--app",
    "--concurrency",
]
SWITCHES = [
    "--all-views",
    "--json",
    "--csv",
    "--yes",
    "--duplicates",
    "--apply",
    "--last",
    "--device-selected",
    "--device-detected",
    "--allow-duplicates",
    "-h",
]
VALUES = st.sampled_from(
    [
        "\x1b]52;c;aGk=\x07",
        "\x9b2J\u202e\n",
        "/home",
        "mobile",
        "90d",
        "-1",
        "0",
        "1e9",
        "99999999999999999999",
        "EU1",
        "mars",
        "http://10.0.0.1",
        "http://127.0.0.1:9",
        "ftp://x",
        "",
        " ",
        "..",
        "a:b",
        "\x00",
        "é",
        "--",
        "-",
        "30x",
    ]
) | st.text(max_size=12)
# Mostly well-formed options with hostile values, sometimes stray words: both kinds of mistake.
OPTION = st.tuples(st.sampled_from(VALUE_FLAGS), VALUES).map(list) | st.sampled_from(SWITCHES).map(
    lambda s: [s]
)
EXITS: Counter[int] = Counter()
# Hostile values are echoed in usage errors and messages: as escapes, never raw (issue 12).
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
TOKENS = st.lists(OPTION | VALUES.map(lambda v: [v]), max_size=6).map(
    lambda parts: [t for p in parts for t in p]
)


@pytest.fixture(scope="module")
def quiet_world(tmp_path_factory: pytest.TempPathFactory):
    """A HOME with no config, no keys anywhere, and no way off loopback."""
    root = tmp_path_factory.mktemp("fuzz-cli")
    patch = pytest.MonkeyPatch()
    for name in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE"):
        patch.delenv(name, raising=False)
    for name, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        patch.setenv(name, str(root / sub))
    patch.setenv("HEATMAP_TUI_CONFIG", str(root / "config.toml"))
    patch.setenv("HEATMAP_TUI_DATA", str(root / "data"))
    left_loopback: list[str] = []
    real_send = httpx.AsyncClient.send

    async def guarded_send(self: httpx.AsyncClient, request: httpx.Request, **kw):  # type: ignore[no-untyped-def]
        if not is_loopback_host(request.url.host):
            left_loopback.append(str(request.url))
            raise httpx.ConnectError("fuzz guard: no network here", request=request)
        return await real_send(self, request, **kw)

    patch.setattr(httpx.AsyncClient, "send", guarded_send)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield left_loopback
    keyring.set_keyring(previous)
    patch.undo()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), tokens=TOKENS)
def test_any_arguments_end_in_a_plain_exit(
    quiet_world: list[str],
    command: list[str],
    tokens: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main([*command, *tokens])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (command, tokens, code, err)
    EXITS[code] += 1
    assert "Traceback" not in err and "Traceback" not in out
    assert "internal error" not in err, (command, tokens, err)
    assert RAW_CONTROL.search(err) is None, (command, tokens, err)
    assert RAW_CONTROL.search(out) is None, (command, tokens, out)
    assert quiet_world == [], f"a request left loopback: {quiet_world}"


def test_the_guard_would_catch_a_request_off_loopback(
    quiet_world: list[str], request: pytest.FixtureRequest
) -> None:
    import asyncio

    async def attempt() -> None:
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError, match="fuzz guard"):
                await client.get("https://api.datadoghq.com/api/v1/validate")

    asyncio.run(attempt())
    assert quiet_world == ["https://api.datadoghq.com/api/v1/validate"]
    quiet_world.clear()
    if EXITS:  # the fuzz test ran first in this module
        counts = ", ".join(f"exit {code}: {n}" for code, n in sorted(EXITS.items()))
        report(
            request.config,
            [f"CLI fuzz: {sum(EXITS.values())} argument lists over {len(COMMANDS)} commands ({counts})"],
        )
