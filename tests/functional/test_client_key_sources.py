"""A key that cannot be one is refused where it is found, naming its source and never its value.

The CLI as a real subprocess, and the TUI headless on the embedded server: a DD_API_KEY with a
character no key has ends the command with one plain line (exit 1), and in the TUI becomes a
notification and then the keys form, instead of a request that fails later or a crash.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm
from heatmap_tui.ui.screens.site_picker import SitePicker
from tests.apps.shell_app import SIZE, no_keyring, notifications, server, settle, shell_app
from tests.scripts.cli_runner import Cli

BAD_API_KEY = "BADKEYÉ0123456789abcdef0123456789"  # one non-ASCII character


def pieces(secret: str) -> set[str]:
    return {secret[i : i + 8] for i in range(len(secret) - 7)}


def test_the_cli_names_the_variable_and_not_the_key(tmp_path: Path, devserver: DevServer) -> None:
    cli = Cli(tmp_path, devserver.url)
    cli.env["DD_API_KEY"] = BAD_API_KEY
    result = cli.api("snapshots", "list", "--view", "/home")
    assert result.code == 1, str(result)
    assert "The API key from DD_API_KEY is not a usable key" in result.stderr, str(result)
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert [p for p in pieces(BAD_API_KEY) if p in result.stderr + result.stdout] == []
    assert devserver.requests == []  # refused before any request

    cli.env["DD_API_KEY"] = DEMO_API_KEY
    result = cli.api("snapshots", "list", "--view", "/home", "--app-key", "short-key")
    assert (
        result.code == 1
        and "The application key from the --app-key flag is not a usable key" in result.stderr
    )


async def test_the_tui_says_which_key_and_asks_for_keys(server: DevServer, tmp_path: Path) -> None:
    env = {"DD_API_KEY": BAD_API_KEY, "DD_APP_KEY": DEMO_APP_KEY}
    app = shell_app(server, tmp_path / "config.toml", store=no_keyring(), env=env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        shown = notifications(app)
        assert any("The API key from DD_API_KEY is not a usable key" in n for n in shown), shown
        await pilot.press("enter")  # US1
        await settle(pilot)
        assert isinstance(app.screen, CredentialsForm)
        reason = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "DD_API_KEY is not a usable key" in reason, reason
        text = reason + " ".join(notifications(app)) + app.export_screenshot()
        assert [p for p in pieces(BAD_API_KEY) if p in text] == []
    assert app.return_code in (0, None)
    assert server.requests == []
