"""`heatmap-tui profiles list|use|remove`: the named profiles of the config file."""

from __future__ import annotations

import argparse
import contextlib

from rich.cells import cell_len

from heatmap_tui.commands.common import CliError, command, emit_lines, print_json, read_config, say
from heatmap_tui.commands.exit_codes import EXIT_OK
from heatmap_tui.core.config import Config, Profile, check_profile_name, editing_config
from heatmap_tui.core.keyring_access import KeyringStore, KeyringUnavailable
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.state import Position, StateError, load_state, remember


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("profiles", help="list, switch and remove profiles")
    actions = parser.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the profiles; * marks the active one")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.set_defaults(func=list_command)

    use = actions.add_parser("use", help="make a profile the active one")
    use.add_argument("name", metavar="NAME")
    use.set_defaults(func=use_command)

    remove = actions.add_parser("remove", help="remove a profile and its keys in the OS keyring")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=remove_command)


@command
def list_command(ns: argparse.Namespace) -> int:
    config = read_config()
    left_off = _left_off(config)
    if ns.json:
        rows = [
            {
                "name": name,
                "active": name == config.active_profile,
                **profile.model_dump(),
                # Where the app left off, from the state file: the same keys as when the config had them.
                "last_application_id": left_off[name].application_id if name in left_off else None,
                "last_view_name": left_off[name].view_name if name in left_off else None,
                "last_device_type": left_off[name].device_type if name in left_off else None,
            }
            for name, profile in config.profiles.items()
        ]
        print_json({"active_profile": config.active_profile, "profiles": rows}, ensure_ascii=True)
        return EXIT_OK
    if not config.profiles:
        say("No profiles yet: `heatmap-tui auth login` creates one.")
        return EXIT_OK
    # The config is a file anyone could have edited: every value is shown with `visible`.
    names = {name: visible(name) for name in config.profiles}
    width = max(cell_len(shown) for shown in names.values())
    lines = []
    for name, profile in config.profiles.items():
        marker = "*" if name == config.active_profile else " "
        site = visible(profile.api_url or profile.site or "US1")
        app_id = left_off[name].application_id if name in left_off else None
        app = f"  app {visible(app_id)}" if app_id else ""
        lines.append(f"{marker} {names[name]}{' ' * (width - cell_len(names[name]))}  {site}{app}")
    emit_lines(lines)
    return EXIT_OK


@command
def use_command(ns: argparse.Namespace) -> int:
    # Read, change and write under the config lock: a parallel command's change is not lost.
    with editing_config() as config:
        _known(config, ns.name)
        config.active_profile = ns.name
    say(f"Profile {ns.name!r} is now the active profile.")
    return EXIT_OK


@command
def remove_command(ns: argparse.Namespace) -> int:
    read_config()  # a broken config fails before the keyring is touched
    name = check_profile_name(ns.name)
    store = KeyringStore()
    # Keys first: should the keyring fail, the profile stays listed and its keys are not orphaned.
    try:
        removed = store.delete_profile(name)
    except KeyringUnavailable:
        removed = []  # without a keyring there cannot be keys in it
    from_keyring = f"from the OS keyring ({store.status().backend})" if removed else ""
    # Read, change and write under the config lock: parallel removals each see the others'.
    with editing_config() as config:
        listed = name in config.profiles
        if listed:
            config.remove_profile(name)
        elif not removed:
            _known(config, name)
    with contextlib.suppress(StateError):  # only a memory of the app: nothing to tell if it stays
        remember(name, None)
    if not listed:
        say(f"Removed the keys of profile {name!r} {from_keyring}.")
        return EXIT_OK
    say(f"Removed profile {name!r}" + (f" and its keys {from_keyring}." if removed else "."))
    if config.active_profile is None and config.profiles:
        say("No profile is active now: `heatmap-tui profiles use NAME` picks one.")
    return EXIT_OK


def _left_off(config: Config) -> dict[str, Position]:
    """Where the app left off with each profile: the state file's, else an old config's keys
    (not moved yet), as long as it was with the site the profile names now."""
    state = load_state()
    found = {}
    for name, profile in config.profiles.items():
        position = state.profiles.get(name) or profile.legacy_position()
        if position is not None and _same_site(position, profile):
            found[name] = position
    return found


def _same_site(position: Position, profile: Profile) -> bool:
    return position.site is None or position.site == profile.site_key


def _known(config: Config, name: str) -> None:
    if name not in config.profiles:
        known = ", ".join(repr(n) for n in config.profiles) or "none yet"
        raise CliError(f"there is no profile named {name!r} (profiles: {known}).")
