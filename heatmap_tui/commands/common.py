"""Helpers every scripting subcommand shares: errors and exit codes, output, prompts, options.

Messages go to stderr in plain words (`say`); results (tables, JSON) go to stdout, only through
`emit`, so that a reader that went away (`| head`) ends any command quietly.

Both doors make outside text safe for the terminal (core.safe_text.visible): a message is one line
with every control character, bidi override and newline in it shown as a backslash escape, so a
name or a server message can neither act on the terminal nor forge a line; a result keeps its line
breaks and escapes everything else. Tables and lines of names escape each piece themselves (see
output.print_table), so that a newline in a name cannot split a row. A command body
raises CliError (or any HeatmapError, ConfigError, SiteError...) and `command` turns it into one
line on stderr and an exit code, never a traceback and never a key.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from heatmap_tui.core.config import (
    Config,
    ConfigError,
    InvalidProfileName,
    check_profile_name,
    load_config,
)
from heatmap_tui.core.credentials import ResolvedCredentials, resolve_credentials
from heatmap_tui.core.errors import HeatmapError
from heatmap_tui.core.keyring_access import KeyringStore
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import SiteError
from heatmap_tui.core.transfer import json_text

PROG = "heatmap-tui"
DEBUG_ENV = "HEATMAP_TUI_DEBUG"  # set it to see the traceback of an unexpected error


# --- errors and messages ------------------------------------------------------------


class CliError(Exception):
    """A message for stderr and the exit code to end with."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    """One line on stderr; whatever outside text it quotes is shown with `visible`."""
    print(visible(message), file=sys.stderr, flush=True)


def error(message: str, code: int = EXIT_ERROR) -> int:
    say(f"{PROG}: {message}")
    return code


def command(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a subcommand body: known errors become a stderr line and exit code 1 (2 for usage)."""

    @functools.wraps(func)
    def run(ns: argparse.Namespace) -> int:
        try:
            return func(ns)
        except CliError as exc:
            return error(str(exc), exc.code)
        except (SiteError, InvalidProfileName) as exc:
            return error(str(exc), EXIT_USAGE)
        except (HeatmapError, ConfigError) as exc:
            return error(str(exc), EXIT_ERROR)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            # The text of an unexpected exception could quote anything, a key included.
            return error(
                f"unexpected internal error ({type(exc).__name__}); this is a bug. "
                f"Set {DEBUG_ENV}=1 to see the details.",
                EXIT_ERROR,
            )

    return run


# --- results on stdout ----------------------------------------------------------------


def emit(text: str) -> None:
    """Write a result to stdout; a reader that went away (`| head`) ends the command quietly.

    Line breaks are kept; any other control character that reached here is shown escaped.
    """
    try:
        sys.stdout.write(terminal_lines(text))
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_OK) from None


def terminal_lines(text: str) -> str:
    """`text` with its line breaks and every other control shown as in `visible`."""
    return "\n".join(visible(line) for line in text.split("\n"))


def emit_lines(lines: Iterable[str]) -> None:
    """One result line each; a newline inside a line (from a name) is shown as `\\n`."""
    emit("".join(f"{visible(line)}\n" for line in lines))


def print_json(value: Any, *, ensure_ascii: bool = False) -> None:
    """Indented JSON; see core.transfer.json_text for what keeps it terminal-safe."""
    emit(json_text(value, ensure_ascii=ensure_ascii) + "\n")


# --- asking -----------------------------------------------------------------------------


def confirm(question: str) -> bool:
    """Ask on the terminal; anything but y/yes is a no."""
    try:
        answer = input(f"{visible(question)} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def require_tty_or_yes(ns: argparse.Namespace, what: str) -> None:
    if not ns.yes and not sys.stdin.isatty():
        raise CliError(
            f"refusing to {what} without confirmation: standard input is not a terminal; "
            "pass --yes to go ahead",
            EXIT_USAGE,
        )


# --- profile, site and key options ----------------------------------------------------


def add_profile_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help=help or "the profile to use (default: the active profile, or 'default')",
    )


def add_site_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--site",
        metavar="SITE",
        help="Datadog site name or domain, e.g. US5 or datadoghq.eu (env DD_SITE)",
    )
    group.add_argument("--api-url", metavar="URL", help="a custom API base URL, e.g. the embedded server's")
    parser.add_argument(
        "--trust-host",
        action="store_true",
        help="send the keys to the custom --api-url host (or the profile's) that is not a Datadog site",
    )


def add_key_options(parser: argparse.ArgumentParser) -> None:
    note = "visible to other local users in the process list: prefer the keyring or the environment"
    parser.add_argument("--api-key", metavar="KEY", help=f"API key ({note}; env DD_API_KEY)")
    parser.add_argument("--app-key", metavar="KEY", help=f"application key ({note}; env DD_APP_KEY)")


def add_account_options(parser: argparse.ArgumentParser, profile_help: str | None = None) -> None:
    """--profile, --site/--api-url and the key flags: everything `resolve_from_args` reads."""
    add_profile_option(parser, help=profile_help)
    add_site_options(parser)
    add_key_options(parser)


def target_args(ns: argparse.Namespace, **overrides: Any) -> argparse.Namespace:
    """`ns` with some of these options replaced (another profile or site for import, restore)."""
    return argparse.Namespace(**{**vars(ns), **overrides})


def read_config() -> Config:
    """The config, or a CliError naming the file and line when it is broken."""
    try:
        return load_config()
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def profile_name(ns: argparse.Namespace, config: Config) -> str:
    name = getattr(ns, "profile", None) or config.active_name()
    return check_profile_name(name)


def resolve_from_args(
    ns: argparse.Namespace, config: Config, *, store: KeyringStore | None = None, required: bool = True
) -> ResolvedCredentials:
    """Credentials from the options `add_account_options` adds."""
    creds = resolve_credentials(
        profile_name(ns, config),
        config=config,
        site=getattr(ns, "site", None),
        api_url=getattr(ns, "api_url", None),
        api_key=getattr(ns, "api_key", None),
        app_key=getattr(ns, "app_key", None),
        store=store,
    )
    missing = creds.missing_message()
    if required and missing is not None:
        raise CliError(missing)
    return creds
