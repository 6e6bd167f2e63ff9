"""`heatmap-tui serve`: run the Datadog-compatible dev server until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE


def rate_limit(text: str) -> tuple[int, float]:
    """`N/SECONDS`, e.g. `100/10`: N requests per window of SECONDS."""
    count, sep, period = text.partition("/")
    try:
        if not sep:
            raise ValueError
        limit, seconds = int(count), float(period)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N/SECONDS (e.g. 100/10), got {text!r}") from None
    if limit < 1 or seconds <= 0:
        raise argparse.ArgumentTypeError(
            f"needs at least 1 request per a positive number of seconds, got {text!r}"
        )
    return limit, seconds


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


def non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run a Datadog-compatible API server on loopback (demo data, tests)",
        description="Serve the Datadog API endpoints heatmap-tui uses, on loopback, until "
        "interrupted. Point the app at the printed URL with the printed keys.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (default %(default)s)")
    parser.add_argument("--port", type=port, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--seed", action="store_true", help="fill the server with the demo org")
    parser.add_argument("--data", metavar="FILE", help="keep snapshots in this JSON file")
    parser.add_argument(
        "--latency-ms", type=non_negative, default=0, metavar="N", help="delay every API answer"
    )
    parser.add_argument(
        "--rate-limit",
        type=rate_limit,
        metavar="N/SECONDS",
        help="enforce N requests per SECONDS per endpoint group (default: off)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from heatmap_tui.core.safe_text import visible
    from heatmap_tui.core.sites import is_loopback_host
    from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer

    if not is_loopback_host(args.host):
        print(
            visible(
                f"heatmap-tui serve: refusing to listen on {args.host!r}: the dev server accepts "
                "demo keys and has no TLS, so it only listens on loopback (127.0.0.1, ::1)"
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = DevServer(
            seed=args.seed,
            port=args.port,
            host=args.host,
            latency_ms=args.latency_ms,
            rate_limit=args.rate_limit,
            data_file=args.data,
        ).start()
    except OSError as exc:
        print(visible(f"heatmap-tui serve: cannot listen on {args.host}:{args.port}: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:  # an unreadable --data file
        print(visible(f"heatmap-tui serve: cannot load {args.data}: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    try:
        print(f"serving {server.url}", flush=True)
        print(f"DD_API_KEY={DEMO_API_KEY}", flush=True)
        print(f"DD_APP_KEY={DEMO_APP_KEY}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return EXIT_OK
