"""The `heatmap-tui` command: the TUI by default, plus `demo`, `serve` and scripting subcommands.

Each subcommand lives in its own module under heatmap_tui/commands/ and exposes
`register(subparsers)`; the module sets `func` on its parser. Imports stay lazy so
that `heatmap-tui` starts fast: when the first argument names a command, only the
module that registers it is imported (see COMMAND_OWNERS); --help, --version and
usage errors get the parser of every command, so what they print does not change.

No parser accepts an abbreviated option (`--app` is not `--app-key`): every parser is a _Parser,
whose subparsers take its class, and _Parser turns argparse's allow_abbrev off. A usage error
quotes the arguments it could not use through `visible`, as every other message does.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from heatmap_tui import __version__
from heatmap_tui.commands.exit_codes import EXIT_USAGE
from heatmap_tui.core.safe_text import visible

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

# The module that registers each command name (a module may register several).
COMMAND_OWNERS = {
    "tui": "heatmap_tui.commands.tui",
    "demo": "heatmap_tui.commands.tui",
    "serve": "heatmap_tui.commands.serve",
    "auth": "heatmap_tui.commands.auth",
    "profiles": "heatmap_tui.commands.profiles",
    "snapshots": "heatmap_tui.commands.snapshots",
    "trash": "heatmap_tui.commands.trash",
    "views": "heatmap_tui.commands.views",
    "events": "heatmap_tui.commands.views",
}


class _UsageError(Exception):
    """A usage error met by a parser that knows one command only: main() parses again."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that takes options only as written: never a prefix of a longer one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {visible(message)}\n")


class _OneCommandParser(_Parser):
    """Raises instead of printing, so that errors are printed by the parser of every command."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with `command`, one that knows only that command's module.

    The one-command parser prints the same help for that command, but raises _UsageError
    (nested parsers too: they take their parent's class) rather than print a usage error.
    """
    module_name = COMMAND_OWNERS.get(command) if command is not None else None
    parser_class = _Parser if module_name is None else _OneCommandParser
    parser = parser_class(
        prog="heatmap-tui",
        description="Manage Datadog RUM replay heatmap snapshots from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"heatmap-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if module_name is None else (module_name,):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not written yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; `argv` None: as the program, with sys.argv (see `_as_program`)."""
    if argv is None:
        with _as_program():
            return _main(sys.argv[1:], _program_started)
    return _main(argv)


@contextlib.contextmanager
def _as_program() -> Iterator[None]:
    """What only the program's own process does.

    Start-up skips what the app never uses: httpx's command-line tool (click, rich, pygments,
    httpcore), which httpx imports whenever click is installed, as it is beside many tools; and
    pydantic's search of every installed package for plugins (the app has none). No cyclic
    collection runs until the command starts (`_program_started`): the imports make tens of
    thousands of objects and no garbage, and each collection would walk them all. At the end,
    every object is moved out of the collector's sight (gc.freeze), so the interpreter's last
    collections need not walk them either.
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not importable"
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _program_started() -> None:
    """The command's modules are imported: they stay, so the collector leaves them out from now."""
    gc.freeze()
    gc.enable()


def _main(argv: Sequence[str], started: Callable[[], None] | None = None) -> int:
    args = list(argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        args = ["tui", *args]
    parser = build_parser(args[0])
    try:
        try:
            ns = parser.parse_args(args)
        except _UsageError:  # said by the parser of every command, as it always was
            parser = build_parser()
            ns = parser.parse_args(args)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if getattr(ns, "func", None) is None:
        build_parser().print_help(sys.stderr)
        return EXIT_USAGE
    if started is not None:
        started()
    try:
        return int(ns.func(ns) or 0)
    except KeyboardInterrupt:
        return 130
