"""`heatmap-tui auth ...` and `heatmap-tui profiles ...` end to end: real subprocesses, a real
Secret Service, the dev server over loopback, and a temporary HOME/XDG tree."""

from __future__ import annotations

import base64
import json
import logging
import os
import pty
import select
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring_harness import SecretServiceHarness

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.credentials import Source, resolve_credentials
from heatmap_tui.core.errors import AuthError
from heatmap_tui.core.keyring_access import KeyringStore
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DEMO_USER, DevServer, KeyRing

pytestmark = pytest.mark.keyring

FAIL_MESSAGE = (
    "No OS keyring is available (keyring backend: fail Keyring). "
    "Set DD_API_KEY and DD_APP_KEY in the environment instead."
)


@dataclass
class Cli:
    """Runs `python -m heatmap_tui` with a private HOME/XDG tree and the test Secret Service."""

    root: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    @property
    def config_file(self) -> Path:
        return Path(self.env["HEATMAP_TUI_CONFIG"])

    def config(self) -> dict:
        return tomllib.loads(self.config_file.read_text())

    def run(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "heatmap_tui", *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.root,
            timeout=120,
        )
        self.outputs += [result.stdout, result.stderr]
        assert "Traceback" not in result.stderr, result.stderr
        return result


@pytest.fixture
def cli(tmp_path: Path, secret_service: SecretServiceHarness) -> Iterator[Cli]:
    root = tmp_path / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "XDG_CONFIG_HOME": str(root / ".config"),
        "XDG_DATA_HOME": str(root / ".local" / "share"),
        "XDG_CACHE_HOME": str(root / ".cache"),
        "XDG_STATE_HOME": str(root / ".local" / "state"),
        "HEATMAP_TUI_CONFIG": str(root / ".config" / "heatmap-tui" / "config.toml"),
        "PYTHONDONTWRITEBYTECODE": "1",
        # The Secret Service bus, and keyring's SecretService backend named explicitly.
        **secret_service.env,
    }
    if "PYTHONPATH" in os.environ:  # the code under test, wherever the test run takes it from
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    root.mkdir()
    secret_service.clear()
    yield Cli(root, env)
    secret_service.clear()


def login(cli: Cli, server: DevServer, *args: str, keys: tuple[str, str] = (DEMO_API_KEY, DEMO_APP_KEY)):
    return cli.run("auth", "login", "--api-url", server.url, *args, input=f"{keys[0]}\n{keys[1]}\n")


def test_login_status_logout(cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness) -> None:
    result = login(cli, devserver)
    assert result.returncode == 0, result.stderr
    assert (
        f"Stored the keys of profile 'default' ({devserver.url}) in the OS keyring (SecretService Keyring)."
        in result.stderr
    )
    assert secret_service.items() == {"default:api_key": DEMO_API_KEY, "default:app_key": DEMO_APP_KEY}
    config = cli.config()
    assert config["active_profile"] == "default"
    assert config["profiles"]["default"] == {"api_url": devserver.url}

    result = cli.run("auth", "status", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["keyring"] == {"available": True, "backend": "SecretService Keyring", "message": None}
    (profile,) = report["profiles"]
    assert profile["name"] == "default" and profile["active"] and profile["ok"]
    assert profile["site"]["api_url"] == devserver.url and profile["site"]["source"] == "config"
    assert profile["keys"]["api_key"] == {
        "source": "keyring",
        "fingerprint": "…0a91",
        "used": True,
        "valid": True,
    }
    assert profile["keys"]["app_key"] == {
        "source": "keyring",
        "fingerprint": "…a99e",
        "used": True,
        "valid": True,
    }
    assert profile["keys"]["bearer_token"]["source"] == "missing"

    result = cli.run("auth", "status")
    assert result.returncode == 0
    assert "OS keyring: SecretService Keyring" in result.stdout
    assert "…a99e  from keyring, valid" in result.stdout

    result = cli.run("auth", "logout")
    assert result.returncode == 0
    assert "Removed the API key, application key of profile 'default' from the OS keyring" in result.stderr
    assert secret_service.items() == {}
    assert "had no keys" in cli.run("auth", "logout").stderr

    result = cli.run("auth", "status", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["profiles"][0]["keys"]["api_key"]["source"] == "missing"


def test_login_on_a_terminal_prompts_without_echo(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the CLI, with the pty as its controlling terminal
        os.chdir(cli.root)
        argv = [sys.executable, "-m", "heatmap_tui", "auth", "login", "--api-url", devserver.url]
        os.execve(sys.executable, argv, cli.env)
    transcript = b""

    def read_until(text: bytes) -> None:
        nonlocal transcript
        deadline = time.monotonic() + 60
        while text not in transcript:
            assert time.monotonic() < deadline, transcript
            ready, _, _ = select.select([terminal], [], [], 1)
            if ready:
                transcript += os.read(terminal, 1024)

    try:
        # Echo is off once the prompt is shown: typing earlier would be echoed (and flushed).
        read_until(b"API key: ")
        os.write(terminal, DEMO_API_KEY.encode() + b"\n")
        read_until(b"Application key: ")
        os.write(terminal, DEMO_APP_KEY.encode() + b"\n")
        read_until(b"in the OS keyring (SecretService Keyring)")
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
    assert os.waitstatus_to_exitcode(status) == 0, transcript
    assert DEMO_API_KEY.encode() not in transcript and DEMO_APP_KEY.encode() not in transcript
    assert secret_service.items() == {"default:api_key": DEMO_API_KEY, "default:app_key": DEMO_APP_KEY}


def test_login_with_a_rejected_application_key(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    result = login(cli, devserver, keys=(DEMO_API_KEY, "feedface" * 5))
    assert result.returncode == 1
    assert f"The application key was rejected by {devserver.url}. Nothing was stored." in result.stderr
    assert secret_service.items() == {}
    assert not cli.config_file.exists()


def test_login_with_a_rejected_api_key(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    result = login(cli, devserver, keys=("0" * 32, DEMO_APP_KEY))
    assert result.returncode == 1 and "The API key was rejected" in result.stderr
    assert secret_service.items() == {}


def test_login_with_an_access_token(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    from heatmap_tui.devserver import DEMO_BEARER_TOKEN

    result = cli.run("auth", "login", "--api-url", devserver.url, "--bearer", input=DEMO_BEARER_TOKEN + "\n")
    assert result.returncode == 0, result.stderr
    assert "Stored the access token of profile 'default'" in result.stderr
    assert secret_service.items() == {"default:bearer_token": DEMO_BEARER_TOKEN}
    report = json.loads(cli.run("auth", "status", "--json").stdout)["profiles"][0]
    assert report["keys"]["bearer_token"]["valid"] is True


def test_status_shows_env_and_flag_overrides(cli: Cli, devserver: DevServer) -> None:
    assert login(cli, devserver).returncode == 0
    result = cli.run("auth", "status", "--json", env={"DD_API_KEY": "1" * 32})
    assert result.returncode == 1  # that API key is not valid
    keys = json.loads(result.stdout)["profiles"][0]["keys"]
    assert keys["api_key"] == {"source": "env", "fingerprint": "…1111", "used": True, "valid": False}
    assert keys["app_key"]["source"] == "keyring" and keys["app_key"]["valid"] is None

    result = cli.run("auth", "status", "--json", "--api-key", DEMO_API_KEY, env={"DD_API_KEY": "1" * 32})
    assert result.returncode == 0
    assert json.loads(result.stdout)["profiles"][0]["keys"]["api_key"]["source"] == "flag"

    result = cli.run("auth", "status", "--json", env={"DD_APP_KEY": "2" * 40})
    keys = json.loads(result.stdout)["profiles"][0]["keys"]
    assert result.returncode == 1 and keys["api_key"]["valid"] is True and keys["app_key"]["valid"] is False


def test_status_reports_an_unreachable_site(cli: Cli, devserver: DevServer) -> None:
    assert login(cli, devserver).returncode == 0
    devserver.stop()
    result = cli.run("auth", "status")
    assert result.returncode == 1
    assert "could not connect" in result.stdout


def test_usage_errors_exit_2(cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness) -> None:
    assert cli.run("auth").returncode == 2
    assert cli.run("profiles").returncode == 2
    assert cli.run("auth", "login", "--site", "US5", "--api-url", devserver.url).returncode == 2
    result = cli.run("auth", "login", "--site", "nowhere", input="a\nb\n")
    assert result.returncode == 2 and "unknown Datadog site 'nowhere'" in result.stderr
    result = cli.run("auth", "login", "--api-url", devserver.url, input=DEMO_API_KEY + "\n")
    assert result.returncode == 2 and "no application key on standard input" in result.stderr
    result = cli.run("auth", "login", "--profile", "a:b", "--api-url", devserver.url, input="a\nb\n")
    assert result.returncode == 2 and "not a usable profile name" in result.stderr
    result = cli.run("auth", "login", "--api-url", "http://example.com", input="a\nb\n")
    assert result.returncode == 2 and "https" in result.stderr
    assert secret_service.items() == {}


def test_profiles_list_use_remove(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    assert login(cli, devserver, "--profile", "work").returncode == 0
    assert login(cli, devserver, "--profile", "lab").returncode == 0
    result = cli.run("profiles", "list")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [f"* work  {devserver.url}", f"  lab   {devserver.url}"]

    result = cli.run("profiles", "use", "lab")
    assert result.returncode == 0 and "Profile 'lab' is now the active profile." in result.stderr
    listing = json.loads(cli.run("profiles", "list", "--json").stdout)
    assert listing["active_profile"] == "lab"
    assert [(p["name"], p["active"]) for p in listing["profiles"]] == [("work", False), ("lab", True)]

    result = cli.run("profiles", "use", "nope")
    assert result.returncode == 1 and "there is no profile named 'nope'" in result.stderr

    result = cli.run("profiles", "remove", "lab")
    assert result.returncode == 0
    assert "Removed profile 'lab' and its keys from the OS keyring (SecretService Keyring)." in result.stderr
    assert set(secret_service.items()) == {"work:api_key", "work:app_key"}
    assert cli.config()["active_profile"] == "work"  # the only one left
    assert cli.run("profiles", "remove", "lab").returncode == 1


def test_no_keyring_is_reported_plainly(cli: Cli, devserver: DevServer) -> None:
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = login(cli, devserver)
    assert result.returncode == 0
    result = cli.run("auth", "login", "--api-url", devserver.url, input="a\nb\n", env=no_keyring)
    assert result.returncode == 1 and FAIL_MESSAGE in result.stderr
    result = cli.run("auth", "logout", env=no_keyring)
    assert result.returncode == 1 and FAIL_MESSAGE in result.stderr
    # With the keys in the environment, nothing needs a keyring.
    env = {**no_keyring, "DD_API_KEY": DEMO_API_KEY, "DD_APP_KEY": DEMO_APP_KEY}
    result = cli.run("auth", "status", env=env)
    assert result.returncode == 0 and "OS keyring: fail Keyring (not available)" in result.stdout


def test_a_broken_config_is_named_and_kept(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    cli.config_file.parent.mkdir(parents=True)
    broken = "[profiles.default\nsite = 'US5'\n"
    cli.config_file.write_text(broken)
    result = login(cli, devserver)
    assert result.returncode == 1
    assert f"{cli.config_file}, line 1: not valid TOML" in result.stderr
    assert cli.config_file.read_text() == broken and secret_service.items() == {}
    assert cli.run("profiles", "list").returncode == 1
    result = cli.run("auth", "status", env={"DD_API_KEY": DEMO_API_KEY, "DD_APP_KEY": DEMO_APP_KEY})
    assert "Going on with the default settings" in result.stderr


# --- only real OS keyrings ---------------------------------------------------------------------

NOT_OS_KEYRING = "is not an OS keyring, so heatmap-tui keeps no keys in it"


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_keyring_that_is_not_an_os_keyring_is_refused(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    before = files_under(cli.root)
    result = cli.run(
        "auth", "login", "--api-url", devserver.url, input=f"{DEMO_API_KEY}\n{DEMO_APP_KEY}\n", env=env
    )
    assert result.returncode == 1
    assert NOT_OS_KEYRING in result.stderr
    assert "Set DD_API_KEY and DD_APP_KEY in the environment instead" in result.stderr
    assert "in the OS keyring" not in result.stderr  # never claims to have stored them
    assert files_under(cli.root) == before  # no keyring file, no config: nothing written
    assert devserver.requests == [] and secret_service.items() == {}
    result = cli.run("auth", "logout", env=env)
    assert result.returncode == 1 and NOT_OS_KEYRING in result.stderr


def test_keys_in_a_plain_text_keyring_are_not_used(
    cli: Cli, devserver: DevServer, secret_service: SecretServiceHarness
) -> None:
    from keyrings.alt.file import PlaintextKeyring

    plain = PlaintextKeyring()  # where the CLI's PlaintextKeyring would look, under its XDG_DATA_HOME
    plain.file_path = str(cli.root / ".local" / "share" / "python_keyring" / "keyring_pass.cfg")
    plain.set_password("heatmap-tui", "default:api_key", DEMO_API_KEY)
    plain.set_password("heatmap-tui", "default:app_key", DEMO_APP_KEY)
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    result = cli.run("auth", "status", "--json", "--api-url", devserver.url, env=env)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["keyring"]["available"] is False
    assert NOT_OS_KEYRING in report["keyring"]["message"]
    assert report["profiles"][0]["keys"]["api_key"]["source"] == "missing"
    assert devserver.requests == []  # no key was found, so none was sent


def test_a_chainer_is_narrowed_to_the_os_keyring_it_chains(
    tmp_path: Path, secret_service: SecretServiceHarness
) -> None:
    from keyring.backends.chainer import ChainerBackend
    from keyrings.alt.file import PlaintextKeyring
    from pydantic import SecretStr

    from heatmap_tui.core.keyring_access import KeyKind, KeyringUnavailable

    class Chain(ChainerBackend):
        def __init__(self, chained: list[object]) -> None:
            super().__init__()
            self.chained = chained

        @property
        def backends(self) -> list[object]:  # type: ignore[override]
            return self.chained

    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "keyring_pass.cfg")
    secret_service.clear()
    store = KeyringStore(Chain([plain, secret_service.backend()]), timeout=10)
    assert store.status().backend == "SecretService Keyring"
    store.set("default", KeyKind.API_KEY, SecretStr(DEMO_API_KEY))
    assert secret_service.items() == {"default:api_key": DEMO_API_KEY}
    assert not (tmp_path / "keyring_pass.cfg").exists()
    assert store.delete_profile("default") == [KeyKind.API_KEY]

    only_plain = KeyringStore(Chain([plain]), timeout=10)
    assert not only_plain.status().available
    with pytest.raises(KeyringUnavailable, match="not an OS keyring"):
        only_plain.set("default", KeyKind.API_KEY, SecretStr(DEMO_API_KEY))
    assert not (tmp_path / "keyring_pass.cfg").exists()


# --- the config lock ----------------------------------------------------------------------------

# Each process imports the CLI first and says so; all of them are then told to go at once, so
# that their read-modify-writes of the config overlap.
READY_THEN_MAIN = (
    "import sys, keyring, heatmap_tui.cli as cli, heatmap_tui.commands.profiles\n"
    "keyring.get_keyring()\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def test_parallel_profile_removals_lose_nothing(cli: Cli, secret_service: SecretServiceHarness) -> None:
    from heatmap_tui.core.config import Config, Profile, save_config

    names = [f"p{i}" for i in range(8)]
    profiles = {name: Profile(api_url=f"http://127.0.0.1:{8000 + i}") for i, name in enumerate(names)}
    save_config(Config(active_profile="p0", profiles=profiles), cli.config_file)
    backend = secret_service.backend()
    for name in names:
        backend.set_password("heatmap-tui", f"{name}:api_key", DEMO_API_KEY)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READY_THEN_MAIN, "profiles", "remove", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
            cwd=cli.root,
        )
        for name in names
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for name, proc, (_, err) in zip(names, procs, results, strict=True):
        assert proc.returncode == 0, err
        assert f"Removed profile {name!r} and its keys from the OS keyring" in err
    assert cli.config().get("profiles", {}) == {}  # every removal kept, none written over
    assert "active_profile" not in cli.config()
    assert secret_service.items() == {}


# --- the leak test ------------------------------------------------------------------------------

CANARY_API_KEY = "LEAKCANARY0123456789abcdef0000"
CANARY_APP_KEY = "LEAKCANARYAPP0123456789abcdef00000000000"


def forms_of(secret: str) -> list[bytes]:
    """The secret itself and its base64, at every alignment it could take inside a longer blob."""
    raw = secret.encode()
    forms = [raw]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        core = encoded[4 if offset else 0 : -4]  # drop the chunks the neighbours would change
        forms += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return forms


@pytest.mark.parametrize("secret", [CANARY_API_KEY, CANARY_APP_KEY])
def test_forms_of_finds_base64_anywhere(secret: str) -> None:
    for prefix in (b"", b"x", b"xy"):
        blob = base64.b64encode(prefix + b"user:" + secret.encode() + b"!")
        assert any(form in blob for form in forms_of(secret)[1:])


def test_no_key_leaks_anywhere(
    cli: Cli, secret_service: SecretServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    keys = KeyRing({(CANARY_API_KEY, CANARY_APP_KEY): DEMO_USER})
    with DevServer(seed=True, keys=keys) as server:
        assert login(cli, server, keys=(CANARY_API_KEY, CANARY_APP_KEY)).returncode == 0
        assert login(cli, server, keys=(CANARY_API_KEY, "wrong" + CANARY_APP_KEY)).returncode == 1
        assert cli.run("auth", "status").returncode == 0
        assert cli.run("auth", "status", "--json").returncode == 0
        assert cli.run("auth", "status", "--json", "--app-key", CANARY_API_KEY).returncode == 1
        assert cli.run("profiles", "list").returncode == 0

        # A service call with the stored keys, logging everything.
        caplog.set_level(logging.DEBUG)
        creds = resolve_credentials(
            "default", env={}, store=KeyringStore(secret_service.backend(), timeout=10)
        )
        assert creds.api_key.source is Source.KEYRING
        site = custom_site(server.url)

        async def calls() -> None:
            async with DatadogClient(site, creds.auth) as client:
                assert await RumService(client).list_applications()
            async with DatadogClient(site, creds.auth.__class__(api_key=creds.api_key.value)) as client:
                with pytest.raises(AuthError) as info:
                    await RumService(client).list_applications()
                cli.outputs.append(str(info.value))

        import asyncio

        asyncio.run(calls())
        cli.outputs += [caplog.text, repr(creds), str(creds)]
        assert cli.run("auth", "logout").returncode == 0

    assert secret_service.items() == {}
    # Every file the CLI wrote lives under cli.root (HOME, XDG_*, HEATMAP_TUI_CONFIG all point
    # there). gnome-keyring's encrypted store is not in it: the harness keeps its XDG_DATA_HOME
    # in a directory of its own, so nothing needs excluding here.
    written = [p for p in cli.root.rglob("*") if p.is_file()]
    assert cli.config_file in written
    hits = []
    for secret in (CANARY_API_KEY, CANARY_APP_KEY):
        for form in forms_of(secret):
            hits += [str(p) for p in written if form in p.read_bytes()]
            hits += [f"output {i}" for i, text in enumerate(cli.outputs) if form in text.encode()]
    assert hits == []
