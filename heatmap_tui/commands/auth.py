"""`heatmap-tui auth login|status|logout`: keys in the OS keyring, checked against the site.

Login is the CLI's one way to set a profile's site: it is written only once the keys were
accepted there, and a custom host that is not a Datadog one needs `--trust-host` (or a yes on the
terminal) first. `status` sends no key to such a host unless it is trusted.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from heatmap_tui.commands.common import (
    CliError,
    add_account_options,
    add_profile_option,
    add_site_options,
    command,
    emit,
    print_json,
    profile_name,
    read_config,
    resolve_from_args,
    say,
    target_args,
)
from heatmap_tui.commands.connect import confirm_host
from heatmap_tui.commands.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from heatmap_tui.core.config import editing_config, load_config_or_default
from heatmap_tui.core.credentials import (
    ENV_API_KEY,
    ENV_APP_KEY,
    KeyRejected,
    ResolvedCredentials,
    resolve_profile_site,
    save_validated,
    validate_credentials,
)
from heatmap_tui.core.errors import ApiError
from heatmap_tui.core.keyring_access import KeyKind, KeyringStore
from heatmap_tui.core.safe_text import visible
from heatmap_tui.core.sites import needs_confirmation


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("auth", help="store, check and remove the keys of a profile")
    actions = parser.add_subparsers(dest="auth_command", metavar="ACTION", required=True)

    login = actions.add_parser(
        "login",
        help="check keys against the site and store them in the OS keyring",
        description=(
            "Asks for the API key and the application key without echoing them; when standard "
            "input is not a terminal, reads them as two lines from it (or one line, the access "
            "token, with --bearer). The keys are stored only once the site accepts them."
        ),
    )
    add_profile_option(login)
    add_site_options(login)
    login.add_argument(
        "--bearer",
        action="store_true",
        help="store a personal or service access token instead of a key pair",
    )
    login.set_defaults(func=login_command)

    status = actions.add_parser(
        "status", help="show each profile's site and keys (source, last 4 characters, validity)"
    )
    add_account_options(status, profile_help="show only this profile")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")
    status.set_defaults(func=status_command)

    logout = actions.add_parser("logout", help="remove a profile's keys from the OS keyring")
    add_profile_option(logout)
    logout.set_defaults(func=logout_command)


@command
def login_command(ns: argparse.Namespace) -> int:
    config = read_config()  # a broken config fails before anyone types a key
    profile = profile_name(ns, config)
    site, _ = resolve_profile_site(config, profile, site=ns.site, api_url=ns.api_url)
    # Before any key is typed or sent; the answer is written below, with the site, once they worked.
    site = confirm_host(ns, config, profile, site, remember=False, run_only=False)
    if ns.bearer:
        (token,) = _read_secrets(["Access token"])
        saved = asyncio.run(save_validated(profile, site, bearer_token=token))
    else:
        api_key, app_key = _read_secrets(["API key", "Application key"])
        saved = asyncio.run(save_validated(profile, site, api_key, app_key))
    say(saved.message)

    with editing_config() as config:  # read again, under the lock: it may have changed meanwhile
        config.ensure_profile(profile, site)
    if config.active_profile == profile:
        say(f"Profile {profile!r} is the active profile.")
    else:
        say(f"Use `heatmap-tui profiles use {profile}` to make it the active profile.")
    return EXIT_OK


def _read_secrets(labels: list[str]) -> list[str]:
    """Prompt without echo on a terminal; otherwise one line of standard input per secret."""
    interactive = sys.stdin.isatty()
    values = []
    for label in labels:
        value = getpass.getpass(f"{label}: ") if interactive else sys.stdin.readline()
        value = value.strip()
        if not value:
            name = label[0].lower() + label[1:]
            if interactive:
                raise CliError(f"no {name} was given", EXIT_USAGE)
            expected = " and ".join(f"the {lab[0].lower()}{lab[1:]}" for lab in labels)
            raise CliError(f"no {name} on standard input; expected {expected}, one per line", EXIT_USAGE)
        values.append(value)
    return values


@command
def status_command(ns: argparse.Namespace) -> int:
    config, config_error = load_config_or_default()
    if config_error is not None:
        say(f"Warning: {config_error} Going on with the default settings.")
    store = KeyringStore()
    keyring_status = store.status()
    names = [profile_name(ns, config)] if ns.profile else list(config.profiles) or [config.active_name()]
    reports = []
    for name in names:
        creds = resolve_from_args(target_args(ns, profile=name), config, store=store, required=False)
        stored = config.profiles.get(name)
        trusted = ns.trust_host or (stored is not None and stored.trusts(creds.site))
        valid, problem = asyncio.run(_check(creds, trusted=trusted))
        active, configured = name == config.active_profile, name in config.profiles
        reports.append(_report(creds, valid, problem, active=active, configured=configured))
    if ns.json:
        keyring_info = {
            "available": keyring_status.available,
            "backend": keyring_status.backend,
            "message": keyring_status.message,
        }
        print_json({"keyring": keyring_info, "profiles": reports}, ensure_ascii=True)
    else:
        state = "" if keyring_status.available else " (not available)"
        emit(f"OS keyring: {keyring_status.backend}{state}\n\n")
        emit("\n\n".join(_format(report) for report in reports) + "\n")
    return EXIT_OK if all(report["ok"] for report in reports) else EXIT_ERROR


async def _check(
    creds: ResolvedCredentials, *, trusted: bool
) -> tuple[dict[KeyKind, bool | None], str | None]:
    """Which of the keys in use the site accepts now; None where it could not be told."""
    valid: dict[KeyKind, bool | None] = dict.fromkeys(KeyKind)
    if not creds.is_complete:
        return valid, creds.missing_message()
    if needs_confirmation(creds.site) and not trusted:
        return valid, (
            f"Not checked: {creds.site.domain} is not a Datadog site and sending the keys of profile "
            f"{creds.profile!r} there was not confirmed (add --trust-host)."
        )
    used = [KeyKind.BEARER_TOKEN] if creds.uses_bearer_token else [KeyKind.API_KEY, KeyKind.APP_KEY]
    try:
        await validate_credentials(creds.site, creds.auth)
    except KeyRejected as exc:
        valid[exc.kind] = False
        if exc.kind is KeyKind.APP_KEY:
            valid[KeyKind.API_KEY] = True
        return valid, str(exc)
    except ApiError as exc:
        return valid, str(exc)
    valid.update(dict.fromkeys(used, True))
    return valid, None


def _report(
    creds: ResolvedCredentials,
    valid: dict[KeyKind, bool | None],
    problem: str | None,
    *,
    active: bool,
    configured: bool,
) -> dict[str, Any]:
    used = {KeyKind.BEARER_TOKEN} if creds.uses_bearer_token else {KeyKind.API_KEY, KeyKind.APP_KEY}
    keys = {
        key.kind.value: {
            "source": key.source.value,
            "fingerprint": key.fingerprint if key.present else None,
            "used": key.present and key.kind in used,
            "valid": valid[key.kind],
        }
        for key in creds.keys
    }
    return {
        "name": creds.profile,
        "active": active,
        "configured": configured,
        "site": {
            "name": creds.site.name,
            "label": creds.site.label,
            "api_url": creds.site.api_url,
            "source": creds.site_source.value,
        },
        "keys": keys,
        "ok": problem is None and creds.is_complete,
        "problem": problem,
    }


def _format(report: dict[str, Any]) -> str:
    flags = [
        word
        for word, on in (("active", report["active"]), ("not in the config", not report["configured"]))
        if on
    ]
    head = f"Profile {report['name']!r}" + (f" ({', '.join(flags)})" if flags else "")
    site = report["site"]
    lines = [head, f"  site             {site['label']}  (from {site['source']})"]
    for kind in KeyKind:
        key = report["keys"][kind.value]
        if key["source"] == "missing":
            state = "missing"
        elif not key["used"]:
            state = f"from {key['source']}, not used"
        else:
            verdict = {True: "valid", False: "rejected", None: "not checked"}[key["valid"]]
            state = f"from {key['source']}, {verdict}"
        lines.append(f"  {kind.label:<16} {key['fingerprint'] or '-':<6} {state}")
    if report["problem"]:
        lines.append(f"  {visible(report['problem'])}")  # server text: one line, no controls
    return "\n".join(lines)


@command
def logout_command(ns: argparse.Namespace) -> int:
    config, _ = load_config_or_default()  # logging out must work even with a broken config
    profile = profile_name(ns, config)
    store = KeyringStore()
    status = store.status()
    if not status.available:
        raise CliError(status.message or "The OS keyring is not available.")
    removed = store.delete_profile(profile)
    if removed:
        what = ", ".join(kind.label for kind in removed)
        say(f"Removed the {what} of profile {profile!r} from the OS keyring ({status.backend}).")
    else:
        say(f"Profile {profile!r} had no keys in the OS keyring ({status.backend}).")
    still = [name for name in (ENV_API_KEY, ENV_APP_KEY) if os.environ.get(name)]
    if still:
        verb = "is" if len(still) == 1 else "are"
        say(f"Note: {' and '.join(still)} {verb} still set in the environment.")
    return EXIT_OK
