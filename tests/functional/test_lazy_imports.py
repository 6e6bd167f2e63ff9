"""`heatmap-tui` resuming straight into the browser imports only what that path needs.

The keyring (keyring + importlib_metadata + jaraco + more_itertools), the dialogs and screens the
browser opens on demand, and the other subcommands' modules stay out of sys.modules until used.
Each check runs in a fresh interpreter, so what an earlier test imported cannot hide a regression.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from heatmap_tui.cli import COMMAND_MODULES, COMMAND_OWNERS, build_parser

# What `heatmap-tui tui` imports before the first screen, and the keys from the environment.
RESUME_PATH = """
import asyncio, json, sys
from heatmap_tui.cli import build_parser
build_parser("tui")
import heatmap_tui.commands.tui
import heatmap_tui.ui.app
import heatmap_tui.ui.screens.browser
from heatmap_tui.core.config import Config
from heatmap_tui.ui.services import Services
services = Services(None, env={"DD_API_KEY": "api-key-from-env-0001", "DD_APP_KEY": "app-key-from-env-0002"})
creds = asyncio.run(services.resolve("default", Config()))
assert creds.is_complete and creds.api_key.source == "env", creds
print(json.dumps(sorted(sys.modules)))
"""

KEYRING_PACKAGES = ("keyring", "importlib_metadata", "jaraco", "more_itertools", "secretstorage", "jeepney")

# Imported by the actions that open them (ui/app.py, ui/palette.py, screens/browser*.py).
LAZY_UI_MODULES = (
    "heatmap_tui.ui.dialogs",
    "heatmap_tui.ui.dialogs.bulk_progress",
    "heatmap_tui.ui.dialogs.cleanup_dialog",
    "heatmap_tui.ui.dialogs.confirm_dialog",
    "heatmap_tui.ui.dialogs.credentials_form",
    "heatmap_tui.ui.dialogs.dialog",
    "heatmap_tui.ui.dialogs.form_fields",
    "heatmap_tui.ui.dialogs.replay_picker",
    "heatmap_tui.ui.dialogs.restore_progress",
    "heatmap_tui.ui.dialogs.snapshot_fields",
    "heatmap_tui.ui.dialogs.snapshot_form",
    "heatmap_tui.ui.dialogs.sort_menu",
    "heatmap_tui.ui.dialogs.view_picker",
    "heatmap_tui.ui.screens.app_picker",
    "heatmap_tui.ui.screens.help",
    "heatmap_tui.ui.screens.site_picker",
    "heatmap_tui.ui.screens.trash_controller",
    "heatmap_tui.ui.screens.trash_screen",
    "heatmap_tui.ui.widgets.trash_table",
)

# The other subcommands and their helpers. (commands/serve.py is not listed: commands/tui.py
# takes its `non_negative` argument type, and it imports nothing but the standard library.)
OTHER_COMMAND_MODULES = (
    "heatmap_tui.commands.argtypes",
    "heatmap_tui.commands.auth",
    "heatmap_tui.commands.connect",
    "heatmap_tui.commands.output",
    "heatmap_tui.commands.profiles",
    "heatmap_tui.commands.snapshot_cleanup",
    "heatmap_tui.commands.snapshot_import",
    "heatmap_tui.commands.snapshot_lookup",
    "heatmap_tui.commands.snapshot_write",
    "heatmap_tui.commands.snapshots",
    "heatmap_tui.commands.trash",
    "heatmap_tui.commands.views",
    "heatmap_tui.devserver",
)


def imported_by(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def resume_modules() -> set[str]:
    return imported_by(RESUME_PATH)


def test_the_resume_path_really_loads_the_browser(resume_modules: set[str]) -> None:
    # Guards the checks below: they mean something only if the path was imported.
    for module in ("heatmap_tui.ui.app", "heatmap_tui.ui.screens.browser", "heatmap_tui.core.keyring_access"):
        assert module in resume_modules


def test_keys_from_the_environment_never_import_the_keyring(resume_modules: set[str]) -> None:
    loaded = sorted(m for m in resume_modules if m.split(".")[0] in KEYRING_PACKAGES)
    assert loaded == []


def test_dialogs_and_other_screens_wait_until_opened(resume_modules: set[str]) -> None:
    assert sorted(set(LAZY_UI_MODULES) & resume_modules) == []


def test_other_subcommands_are_not_imported(resume_modules: set[str]) -> None:
    assert sorted(set(OTHER_COMMAND_MODULES) & resume_modules) == []


def test_cli_main_imports_only_the_named_command() -> None:
    code = (
        "import contextlib, io, json, sys\n"
        "from heatmap_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['snapshots', 'list', '--help']) == 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = {m for m in imported_by(code) if m.startswith("heatmap_tui.commands.")}
    assert "heatmap_tui.commands.snapshots" in loaded
    assert (
        sorted(
            loaded
            & {
                "heatmap_tui.commands.tui",
                "heatmap_tui.commands.trash",
                "heatmap_tui.commands.auth",
                "heatmap_tui.commands.profiles",
                "heatmap_tui.commands.views",
            }
        )
        == []
    )


def test_a_usage_error_is_reported_by_the_parser_of_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from heatmap_tui.cli import main

    assert main(["tui", "--no-such-option"]) == 2
    one_command = capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["tui", "--no-such-option"])
    assert one_command == capsys.readouterr().err
    assert "unrecognized arguments: --no-such-option" in one_command


def registered_names(module_name: str) -> set[str]:
    subparsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module_name).register(subparsers)
    return set(subparsers.choices)


def test_command_owners_names_every_command_of_every_module() -> None:
    """A command added to a module but not to COMMAND_OWNERS would only work via the slow path."""
    owners: dict[str, str] = {}
    for module_name in COMMAND_MODULES:
        owners |= dict.fromkeys(registered_names(module_name), module_name)
    assert owners == COMMAND_OWNERS
