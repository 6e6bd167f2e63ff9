"""`heatmap-tui` (the default command) opens the terminal UI; `heatmap-tui demo` opens it on demo data.

Textual and the UI are imported inside the command functions, so that every other subcommand
(and `--help`) starts without paying for them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heatmap_tui.commands.common import CliError, add_profile_option, add_site_options, command
from heatmap_tui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from heatmap_tui.commands.serve import non_negative
from heatmap_tui.core.config import check_profile_name
from heatmap_tui.core.sites import SiteError, resolve_site
from heatmap_tui.ui.forms import DEVICE_TYPES  # a plain tuple: no Textual comes with it

if TYPE_CHECKING:
    from heatmap_tui.devserver import DevServer
    from heatmap_tui.ui.services import Services

DEMO_APPLICATION = "Shop Web"
DEMO_VIEW = "/home"
DEMO_PROFILE = "demo"


def register(subparsers: Any) -> None:
    tui = subparsers.add_parser(
        "tui",
        help="open the terminal UI (the default when no command is given)",
        description="Browse, create, edit and delete the heatmap snapshots of your RUM applications. "
        "Starts where the last run left off (--view and --device say where instead); the first run "
        "asks for the site and the keys.",
    )
    add_profile_option(tui)
    add_site_options(tui)
    tui.add_argument("--app", metavar="ID", help="open this RUM application id")
    add_place_options(tui, "the application the last run left off in (or --app)", "the view last shown")
    tui.add_argument("--read-only", action="store_true", help="hide every action that changes snapshots")
    tui.set_defaults(func=tui_command)

    demo = subparsers.add_parser(
        "demo",
        help="open the terminal UI on a built-in demo org (no Datadog account needed)",
        description="Starts the embedded Datadog-compatible server with a seeded demo org and opens "
        "the UI on it. Nothing is read from or written to your config file or OS keyring. Each demo "
        "starts fresh: where you left off (and a theme picked) is kept only while it runs.",
    )
    demo.add_argument(
        "--app",
        metavar="NAME",
        help=f"open this demo application, by name or id (default: {DEMO_APPLICATION})",
    )
    add_place_options(demo, f"{DEMO_APPLICATION} (or --app)", f"{DEMO_VIEW} (with --app, its busiest view)")
    demo.add_argument("--read-only", action="store_true", help="hide every action that changes snapshots")
    demo.add_argument(
        "--latency-ms", type=non_negative, default=0, metavar="N", help="delay every API answer by N ms"
    )
    demo.set_defaults(func=demo_command)


def add_place_options(parser: argparse.ArgumentParser, application: str, last_view: str) -> None:
    """--view and --device: where the browser opens, with no picker in the way."""
    parser.add_argument(
        "--view",
        type=view_name,
        metavar="VIEW",
        help=f"open the browser on this view (e.g. /home) of {application}; any name is taken, "
        "as in the view filter (views come from traffic); every device unless --device",
    )
    parser.add_argument(
        "--device",
        type=device_type,
        metavar="TYPE",
        help=f"open the browser on this device type ({', '.join(DEVICE_TYPES)}); without --view, "
        f"on {last_view}",
    )


def view_name(text: str) -> str:
    """A view name as the view filter takes it: trimmed, and not blank."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a view name is needed, e.g. /home")
    return text.strip()


def device_type(text: str) -> str:
    device = text.strip().lower()
    if device not in DEVICE_TYPES:
        raise argparse.ArgumentTypeError(f"unknown device type {text!r}: use {', '.join(DEVICE_TYPES)}")
    return device


@command
def tui_command(ns: argparse.Namespace) -> int:
    return run_app(tui_services(ns))


def tui_services(ns: argparse.Namespace) -> Services:
    """What `heatmap-tui tui` runs the app with. Raises CliError and the like for usage errors,
    caught here, before the screen is taken over."""
    if ns.profile:
        check_profile_name(ns.profile)
    if ns.site or ns.api_url:
        resolve_site(ns.site, ns.api_url)
    # Asked on the terminal before the screen is taken over (the site picker asks in the UI).
    trusted = confirm_tui_host(ns)
    from heatmap_tui.ui.services import Overrides, Services

    overrides = Overrides(
        profile=ns.profile,
        site=ns.site,
        api_url=ns.api_url,
        application_id=ns.app,
        view=ns.view,
        device=ns.device,
        trust_host=trusted,
    )
    return Services.from_environment(read_only=ns.read_only, overrides=overrides)


def confirm_tui_host(ns: argparse.Namespace) -> bool:
    """Whether the keys may go to the custom host of --api-url for this run (the profile's own
    custom host, once confirmed, is remembered in it). Raises CliError when nobody said yes."""
    from heatmap_tui.commands.connect import confirm_host
    from heatmap_tui.core.config import load_config_or_default
    from heatmap_tui.core.credentials import Source, resolve_profile_site

    config, _ = load_config_or_default()  # a broken one is the app's to explain
    profile = ns.profile or config.active_name()
    try:
        site, source = resolve_profile_site(config, profile, site=ns.site, api_url=ns.api_url)
    except SiteError:  # from DD_SITE (the flags were checked): the app explains it, and asks for a site
        return False
    from_profile = source is Source.CONFIG
    return confirm_host(ns, config, profile, site, remember=from_profile, run_only=not from_profile).trusted


@command
def demo_command(ns: argparse.Namespace) -> int:
    from heatmap_tui.devserver import DevServer

    server = DevServer(seed=True, port=0, latency_ms=ns.latency_ms).start()
    try:
        # A new data dir each time: the demo starts fresh, and says so (ui/left_off.py).
        with tempfile.TemporaryDirectory(prefix="heatmap-tui-demo-") as scratch:
            return run_app(demo_services_for(ns, server, Path(scratch)))
    finally:
        server.stop()


def demo_services_for(ns: argparse.Namespace, server: DevServer, scratch: Path) -> Services:
    """`demo_services` for what the command line of `heatmap-tui demo` says."""
    return demo_services(server, scratch, read_only=ns.read_only, app=ns.app, view=ns.view, device=ns.device)


def demo_services(
    server: DevServer,
    scratch: Path,
    *,
    read_only: bool = False,
    app: str | None = None,
    view: str | None = None,
    device: str | None = None,
) -> Services:
    """Services on the demo server: the config and where the app left off in memory, the keys
    held as flags, no keyring, and a trash in `scratch`, so that nothing of the demo reaches the
    person's own files. It opens on `app` (a name or an id; CliError if the demo has none such),
    `view` and `device`; by default on DEMO_APPLICATION's DEMO_VIEW."""
    from keyring.backends import fail
    from pydantic import SecretStr

    from heatmap_tui.core.config import Config, Profile
    from heatmap_tui.core.keyring_access import KeyringStore
    from heatmap_tui.core.trash import Trash
    from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY
    from heatmap_tui.ui.services import Overrides, Services

    overrides = Overrides(
        profile=DEMO_PROFILE,
        api_url=server.url,
        application_id=demo_application(server, app or DEMO_APPLICATION),
        view=view or (DEMO_VIEW if app is None else None),
        device=device,
        api_key=SecretStr(DEMO_API_KEY),
        app_key=SecretStr(DEMO_APP_KEY),
    )
    return Services(
        config_path=None,
        store=KeyringStore(backend=fail.Keyring()),  # type: ignore[no-untyped-call]
        read_only=read_only,
        overrides=overrides,
        env={},  # DD_SITE or DD_API_KEY of the person's shell must not leak into the demo
        # The demo profile, in memory: a site from a flag is never made a profile by itself.
        memory_config=Config(
            active_profile=DEMO_PROFILE, profiles={DEMO_PROFILE: Profile(api_url=server.url)}
        ),
        trash=Trash(scratch / "trash.jsonl"),
        views_path=scratch / "views.json",  # the demo's views stay with its data, as its trash does
        demo=True,
    )


def demo_application(server: DevServer, wanted: str) -> str:
    """The id of the demo application named (or identified) by `wanted`."""
    applications = list(server.store.applications.values())
    for application in applications:
        if wanted == application.application_id or wanted.casefold() == application.name.casefold():
            return application.application_id
    names = ", ".join(a.name for a in applications)
    raise CliError(f"the demo has no application {wanted!r}: use one of {names}", EXIT_USAGE)


def run_app(services: Services) -> int:
    """Run the UI; its exit status is the app's return code (1 after a crash, which Textual
    reports on stderr), so a script or a shell sees that the run did not end well."""
    from heatmap_tui.ui.app import HeatmapApp

    app = HeatmapApp(services)
    app.run()
    return app.return_code or EXIT_OK
