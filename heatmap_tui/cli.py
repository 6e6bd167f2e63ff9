"""The `heatmap-tui` command: the TUI by default, plus `demo`, `serve` and scripting subcommands.

Each subcommand lives in its own module under heatmap_tui/commands/ and exposes
`register(subparsers)`; the module sets `func` on its parser. Imports stay lazy so
that `heatmap-tui` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from heatmap_tui import __version__

# Order is the order shown in --help.
COMMAND_MODULES = (
    "heatmap_tui.commands.tui",
    "heatmap_tui.commands.serve",
    "heatmap_tui.commands.auth",
    "heatmap_tui.commands.profiles",
    "heatmap_tui.commands.snapshots",
    "heatmap_tui.commands.trash",
    "heatmap_tui.commands.views",
)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heatmap-tui",
        description="Manage Datadog RUM replay heatmap snapshots from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"heatmap-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not written yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help", "--version"):
        args = ["tui", *args]
    try:
        ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if getattr(ns, "func", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(ns.func(ns) or 0)
    except KeyboardInterrupt:
        return 130
