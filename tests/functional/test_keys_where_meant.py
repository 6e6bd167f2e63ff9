"""Keys go only where the user meant (issue 13, item 1).

- `--site` / `--api-url` are for the run they are given to: never written to a profile.
- A site is written to a profile only by an explicit choice (login, the site picker), and only
  once the keys worked there.
- A host that only looks like a Datadog one is refused, naming the site it resembles.
- A URL with `user:password@` is refused and never repeated.
- Any other custom host (not loopback, not Datadog's) needs a confirmation, once per profile.

Every request made here goes to loopback: the CLI runs get an HTTPS proxy on a closed loopback
port, so that even a build without these checks could not reach a look-alike host; the TUI runs
route every site to the embedded server (RedirectTransport).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import socket
import struct
import subprocess
import sys
import termios
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from keyring_harness import SecretServiceHarness
from textual.widgets import Input

from heatmap_tui.core.config import Config, ConfigError, Profile, parse_config, save_config
from heatmap_tui.core.credentials import resolve_profile_site
from heatmap_tui.core.sites import (
    SiteError,
    custom_site,
    get_site,
    needs_confirmation,
    redact_url,
    resembled_site,
)
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.site_picker import SitePicker
from heatmap_tui.ui.services import Overrides
from tests.apps.shell_app import (
    DEMO_ENV,
    SIZE,
    app_id,
    config_path,
    notifications,
    server,
    settle,
    shell_app,
)

__all__ = ["config_path", "server"]  # fixtures

LOOKALIKES = [
    ("https://api.datadoghq.eu.evil.com", "EU1"),
    ("https://datadoghq.com.attacker.io", "US1"),
    ("https://api-datadoghq.net", "US1"),
    ("https://api.us5.datadoghq.com.example.net/dd", "US5"),
    ("https://API.DATADOGHQ.EU.EVIL.COM", "EU1"),
    ("https://app.ddog-gov.com.example.org", "US1-FED"),
    ("https://ddog-gov.example.org", "US1-FED"),
    ("https://datadoghq.com.:8443", None),  # the real domain, with a trailing dot: not a look-alike
]

SECRET_USER, SECRET_PASSWORD = "alice", "s3cretpw"
USERINFO = [
    f"https://{SECRET_USER}:{SECRET_PASSWORD}@api.example.com",
    f"https://{SECRET_USER}:{SECRET_PASSWORD}@api.datadoghq.com",
    f"https://{SECRET_PASSWORD}@api.example.com/dd",
    f"http://{SECRET_USER}:{SECRET_PASSWORD}@127.0.0.1:8126",
    f"{SECRET_USER}:{SECRET_PASSWORD}@api.example.com",
    f"ftp://{SECRET_USER}:{SECRET_PASSWORD}@api.example.com",
    f"https://{SECRET_USER}:{SECRET_PASSWORD}@api.example.com/?a=1",
]

CUSTOM_HOST = "https://heatmaps.example.test"  # reached only through RedirectTransport


# --- the host checks ------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "name"), LOOKALIKES)
def test_a_lookalike_host_is_refused_naming_the_site_it_resembles(url: str, name: str | None) -> None:
    if name is None:
        assert not needs_confirmation(custom_site(url))  # Datadog's own: no question either
        return
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    assert resembled_site(host) == get_site(name)
    expected = f"The Datadog site it resembles is {name} ({get_site(name).api_url})"
    for resolve in (
        lambda: custom_site(url),
        lambda: Profile(api_url=url).resolve_site(),
        lambda: resolve_profile_site(None, "default", api_url=url, env={}),
    ):
        with pytest.raises(SiteError) as info:
            resolve()
        assert expected in str(info.value) and "not one" in str(info.value)
    # A config a run of an older version poisoned this way is refused, naming the line and site.
    with pytest.raises(ConfigError) as bad:
        parse_config(f'[profiles.default]\napi_url = "{url}"\n', Path("config.toml"))
    assert "line 2" in str(bad.value) and expected in str(bad.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.datadoghq.eu",
        "https://api.us5.datadoghq.com/",
        "https://app.ddog-gov.com",
        "http://[::1]:1",
    ],
)
def test_datadog_and_loopback_hosts_need_no_confirmation(url: str) -> None:
    assert not needs_confirmation(custom_site(url))


def test_any_other_custom_host_needs_a_confirmation() -> None:
    site = custom_site("https://Proxy.Example.COM:8443/datadog/")
    assert site.domain == "proxy.example.com:8443" and needs_confirmation(site)
    profile = Profile(api_url=site.api_url, trusted_host="proxy.example.com:8443")
    assert profile.trusts(site) and not needs_confirmation(profile.resolve_site())
    assert needs_confirmation(Profile(api_url=site.api_url, trusted_host="other.example.com").resolve_site())


@pytest.mark.parametrize("url", USERINFO)
def test_userinfo_is_refused_and_never_repeated(url: str) -> None:
    with pytest.raises(SiteError) as info:
        custom_site(url)
    for secret in (SECRET_USER, SECRET_PASSWORD):
        assert secret not in str(info.value)
    with pytest.raises(SiteError) as named:
        get_site(url)  # --site and DD_SITE take names: quoted back, but not the user or password
    assert SECRET_PASSWORD not in str(named.value) and SECRET_USER not in str(named.value)
    assert SECRET_PASSWORD not in redact_url(url)


def test_the_confirmation_is_kept_only_with_the_site_it_was_given_for() -> None:
    config = Config()
    trusted = custom_site(CUSTOM_HOST)
    config.ensure_profile("default", trusted)
    assert config.profiles["default"].trusted_host is None  # not confirmed: not trusted
    config.ensure_profile("default", replace(trusted, trusted=True))
    assert config.profiles["default"].trusted_host == "heatmaps.example.test"
    config.ensure_profile("default", trusted)  # the same site again: the trust stays
    assert config.profiles["default"].trusted_host == "heatmaps.example.test"
    config.ensure_profile("default", custom_site("https://other.example.test"))
    assert config.profiles["default"].trusted_host is None  # another host: asked again


# --- the command line -------------------------------------------------------------------------


@dataclass
class Cli:
    root: Path
    env: dict[str, str]

    @property
    def config_file(self) -> Path:
        return Path(self.env["HEATMAP_TUI_CONFIG"])

    def config(self) -> dict:  # type: ignore[type-arg]
        return tomllib.loads(self.config_file.read_text())

    def run(
        self, *args: str, env: dict[str, str] | None = None, input: str = ""
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "heatmap_tui", *args],
            input=input,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.root,
            timeout=120,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    root = tmp_path / "home"
    root.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "XDG_CONFIG_HOME": str(root / ".config"),
        "XDG_DATA_HOME": str(root / ".local" / "share"),
        "XDG_CACHE_HOME": str(root / ".cache"),
        "HEATMAP_TUI_CONFIG": str(root / ".config" / "heatmap-tui" / "config.toml"),
        "HEATMAP_TUI_DATA": str(root / "data"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # keys from the environment only
        "DD_API_KEY": DEMO_API_KEY,
        "DD_APP_KEY": DEMO_APP_KEY,
        # A belt: any https request goes to a closed loopback port, never to the host named.
        "HTTPS_PROXY": f"http://127.0.0.1:{closed_port()}",
        "NO_PROXY": "",
    }
    if "PYTHONPATH" in os.environ:  # the code under test, wherever the test run takes it from
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return Cli(root, env)


def write_profile(cli: Cli, **profile: str) -> None:
    save_config(Config(active_profile="default", profiles={"default": Profile(**profile)}), cli.config_file)


@pytest.mark.parametrize(("url", "name"), [(u, n) for u, n in LOOKALIKES if n is not None][:3])
def test_the_cli_refuses_a_lookalike_before_sending_anything(cli: Cli, url: str, name: str) -> None:
    for args in (
        ["views", "list", "--api-url", url],
        ["tui", "--api-url", url, "--app", "x"],
        ["auth", "login", "--api-url", url],
    ):
        result = cli.run(*args, input=f"{DEMO_API_KEY}\n{DEMO_APP_KEY}\n")
        assert result.returncode == 2, (args, result.stderr)
        assert f"The Datadog site it resembles is {name}" in result.stderr
        assert "could not connect" not in result.stderr  # refused, not tried
    assert not cli.config_file.exists()


def test_the_cli_refuses_userinfo_and_never_echoes_it(cli: Cli, devserver: DevServer) -> None:
    url = devserver.url.replace("http://", f"http://{SECRET_USER}:{SECRET_PASSWORD}@")
    for args in (
        ["views", "list", "--api-url", url],
        ["auth", "status", "--api-url", url],
        ["tui", "--api-url", url],
    ):
        result = cli.run(*args)
        assert result.returncode == 2, result.stderr
        assert "user name or password" in result.stderr
        for secret in (SECRET_USER, SECRET_PASSWORD):
            assert secret not in result.stderr + result.stdout
    assert devserver.requests == []


def test_a_flag_is_never_written_to_the_profile_by_the_cli(cli: Cli, devserver: DevServer) -> None:
    write_profile(cli, site="US5")
    before = cli.config_file.read_text()
    result = cli.run("views", "list", "--api-url", devserver.url)
    assert result.returncode == 0, result.stderr
    assert devserver.count("GET", "/api/v2/rum/applications") == 1  # it did reach the flag's server
    assert cli.config_file.read_text() == before


def test_a_custom_host_of_the_profile_is_confirmed_once(cli: Cli) -> None:
    # An https host that is not loopback by our rules (IPv4-mapped) and has nobody listening.
    url = f"https://[::ffff:127.0.0.1]:{closed_port()}"
    write_profile(cli, api_url=url)
    result = cli.run("views", "list")
    assert result.returncode == 2
    assert "is not a Datadog site, and nobody confirmed" in result.stderr and "--trust-host" in result.stderr
    assert "trusted_host" not in cli.config()["profiles"]["default"]

    result = cli.run("views", "list", "--trust-host")
    assert result.returncode == 1 and "nobody confirmed" not in result.stderr  # let through: no server
    assert cli.config()["profiles"]["default"]["trusted_host"] == url.removeprefix("https://")

    result = cli.run("views", "list")  # asked once: from now on the profile trusts it
    assert result.returncode == 1 and "nobody confirmed" not in result.stderr


def test_a_custom_host_from_a_flag_is_trusted_for_that_run_only(cli: Cli) -> None:
    write_profile(cli, site="US5")
    before = cli.config_file.read_text()
    url = f"https://[::ffff:127.0.0.1]:{closed_port()}"
    result = cli.run("views", "list", "--api-url", url)
    assert result.returncode == 2 and "for this run" in result.stderr
    result = cli.run("views", "list", "--api-url", url, "--trust-host")
    assert result.returncode == 1 and "nobody confirmed" not in result.stderr
    assert cli.config_file.read_text() == before
    assert cli.run("views", "list", "--api-url", url).returncode == 2  # and asked again next time


@pytest.mark.keyring
def test_login_writes_a_custom_site_only_once_the_keys_worked_there(
    cli: Cli, secret_service: SecretServiceHarness
) -> None:
    url = f"https://[::ffff:127.0.0.1]:{closed_port()}"
    keys = f"{DEMO_API_KEY}\n{DEMO_APP_KEY}\n"
    env = {**secret_service.env, "DD_API_KEY": "", "DD_APP_KEY": ""}
    secret_service.clear()
    result = cli.run("auth", "login", "--api-url", url, input=keys, env=env)
    assert result.returncode == 2 and "nobody confirmed" in result.stderr
    result = cli.run("auth", "login", "--api-url", url, "--trust-host", input=keys, env=env)
    assert result.returncode == 1 and "so nothing was stored" in result.stderr  # nobody answered there
    assert not cli.config_file.exists() and secret_service.items() == {}


def test_a_yes_on_the_terminal_confirms_the_profiles_host(cli: Cli) -> None:
    url = f"https://[::ffff:127.0.0.1]:{closed_port()}"
    write_profile(cli, api_url=url)

    def run_on_a_terminal(answer: bytes) -> tuple[int, bytes]:
        pid, terminal = pty.fork()
        if pid == 0:  # the child: the CLI, with the pty as its terminal
            os.chdir(cli.root)
            argv = [sys.executable, "-m", "heatmap_tui", "views", "list"]
            os.execve(sys.executable, argv, cli.env)
        transcript = b""
        deadline = time.monotonic() + 60
        try:
            while b"[y/N]" not in transcript:
                assert time.monotonic() < deadline, transcript
                if select.select([terminal], [], [], 1)[0]:
                    transcript += os.read(terminal, 1024)
            os.write(terminal, answer + b"\n")
        finally:
            _, status = os.waitpid(pid, 0)
            while True:
                try:
                    chunk = os.read(terminal, 1024)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                transcript += chunk
            os.close(terminal)
        return os.waitstatus_to_exitcode(status), transcript

    code, transcript = run_on_a_terminal(b"n")
    assert b"is not a Datadog site: the keys of profile 'default' will be sent to it" in transcript
    assert code == 2 and "trusted_host" not in cli.config()["profiles"]["default"]
    code, transcript = run_on_a_terminal(b"y")
    assert code == 1 and b"nobody confirmed" not in transcript  # let through; nobody listens there
    assert cli.config()["profiles"]["default"]["trusted_host"] == url.removeprefix("https://")


def test_the_tui_entry_never_writes_its_site_flag(cli: Cli, devserver: DevServer) -> None:
    """`heatmap-tui tui --api-url URL --app ID` on a terminal, with the keys in the environment
    and no config yet: the browser opens, the view is remembered nowhere, the URL is not saved."""
    shop = next(a.application_id for a in devserver.store.applications.values() if a.name == "Shop Web")
    pid, terminal = pty.fork()
    if pid == 0:
        os.chdir(cli.root)
        argv = [sys.executable, "-m", "heatmap_tui", "tui", "--api-url", devserver.url, "--app", shop]
        os.execve(sys.executable, argv, {**cli.env, "TERM": "xterm-256color"})
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    deadline = time.monotonic() + 90
    try:
        # The browser has asked for its snapshots: the run got as far as a stored profile would.
        while not devserver.count("GET", "/api/v2/replay/heatmap/snapshots"):
            assert time.monotonic() < deadline, "the TUI never listed the snapshots"
            if select.select([terminal], [], [], 0.2)[0]:
                try:
                    os.read(terminal, 65536)
                except OSError:
                    break
        time.sleep(0.5)  # let it settle, as a person would look at the screen
        os.write(terminal, b"\x11")  # ctrl+q
        while time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.2)[0]:
                try:
                    if not os.read(terminal, 65536):
                        break
                except OSError:
                    break
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not cli.config_file.exists() or devserver.url not in cli.config_file.read_text()


# --- the terminal UI ---------------------------------------------------------------------------


async def test_a_flag_is_never_written_to_the_profile_by_the_tui(
    server: DevServer, config_path: Path
) -> None:
    overrides = Overrides(api_url=CUSTOM_HOST, trust_host=True, application_id=app_id(server))
    app = shell_app(server, config_path, env=DEMO_ENV, overrides=overrides)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        assert browser.connection.site.custom_url == CUSTOM_HOST
        browser.post_message(BrowserScreen.PositionChanged("/cart", None))
        await settle(pilot)
    assert not config_path.exists() or "example.test" not in config_path.read_text()


async def test_an_unconfirmed_custom_host_gets_no_key(server: DevServer, config_path: Path) -> None:
    save_config(
        Config(active_profile="default", profiles={"default": Profile(api_url=CUSTOM_HOST)}), config_path
    )
    for overrides in (Overrides(), Overrides(api_url="https://flag.example.test")):
        app = shell_app(server, config_path, env=DEMO_ENV, overrides=overrides)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, SitePicker)
            assert any("nobody confirmed" in n for n in notifications(app))
    assert server.requests == []


async def test_the_site_picker_asks_once_for_a_custom_host(server: DevServer, config_path: Path) -> None:
    app = shell_app(server, config_path, env=DEMO_ENV)  # no config: the first-run flow
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        await pilot.press("c")
        custom = app.screen.query_one("#custom-url", Input)
        custom.value = CUSTOM_HOST
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)  # asked, not gone on
        error = str(app.screen.query_one("#custom-error").render())
        assert "heatmaps.example.test is not a Datadog site" in error and "enter again" in error
        assert server.requests == [] and not config_path.exists()
        await pilot.press("enter")  # yes
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
    # Written once the keys worked there (they were checked first), with the confirmation.
    profile = tomllib.loads(config_path.read_text())["profiles"]["default"]
    assert profile == {"api_url": CUSTOM_HOST, "trusted_host": "heatmaps.example.test"}
    assert server.count("GET", "/api/v2/validate_keys") >= 1

    again = shell_app(server, config_path, env=DEMO_ENV)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, AppPicker)  # not asked again
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(again.screen, SitePicker)
        await pilot.press("c", "enter")  # the same custom URL, prefilled: trusted already
        await settle(pilot)
        assert isinstance(again.screen, AppPicker)


async def test_a_site_picked_with_keys_that_fail_there_is_not_written(
    server: DevServer, config_path: Path
) -> None:
    env = {**DEMO_ENV, "DD_APP_KEY": "f" * 40}  # rejected by the server
    app = shell_app(server, config_path, env=env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        await pilot.press("enter")  # US1, with the keys from the environment
        await settle(pilot)
        assert type(app.screen).__name__ == "CredentialsForm"
    assert not config_path.exists()
