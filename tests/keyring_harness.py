"""A real Secret Service for the keyring tests: a private dbus-daemon plus gnome-keyring-daemon.

Everything lives in a temporary directory of its own (HOME, XDG_DATA_HOME where gnome-keyring
keeps its encrypted `keyrings/`, XDG_RUNTIME_DIR, the bus socket), outside any tree a test scans
for leaked keys. The bus gets its own config without service directories, so nothing on it can be
auto-started: the only Secret Service is ours. gnome-keyring runs in the foreground as our child
and reads a known password from stdin (`--unlock`), which creates the `login` collection
unlocked, so no prompt is ever needed.

Fixtures (imported by tests/conftest.py):
- `secret_service_daemons` (session): the harness, started on first use and stopped at the end.
  When it cannot start: pytest.fail under CI=true, else skip with the reason. Under pytest-xdist
  each worker is a session of its own, so each starts its own harness (own directory, bus and
  `login` collection): workers never see each other's entries, and `clear()` empties only ours.
- `secret_service`: the harness, with DBUS_SESSION_BUS_ADDRESS set for this test only (a test
  that did not ask for it never reaches it, whatever ran before it on its worker);
  `secret_service.env` is what a subprocess needs on top of its own environment.
- `secret_service_keyring`: keyring's SecretService backend, set with keyring.set_keyring for the
  test, with every `heatmap-tui` entry removed before and after.

gnome-keyring-daemon sometimes aborts on a property read from a client it has not registered yet
(`gkd_secret_service_get_pkcs11_session: assertion 'client' failed`, then GLib's
`invoke_get_property_in_idle_cb` assertion; Debian #1147303, GNOME gnome-keyring #190/#195): a race
inside the daemon, seen about once in a few full runs. The daemons are test equipment, so an abort
is recorded (`aborts`), the daemons are started again, the harness's own reads and clears are
retried once, and the test it happened in is marked (`ABORTED_DURING`) so that conftest gives that
test, and only that test, one more run. The run's warnings name each abort with the daemon's last
words.
"""

from __future__ import annotations

import atexit
import os
import selectors
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import keyring
import pytest
from keyring.backend import KeyringBackend

T = TypeVar("T")

SERVICE = "heatmap-tui"
START_TIMEOUT = 15.0

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={socket_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


ABORTED_DURING = pytest.StashKey[bool]()


class HarnessUnavailable(RuntimeError):
    """The Secret Service could not be started here; str() says why."""


class SecretServiceHarness:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="heatmap-tui-secret-service-"))
        self.bus_address = ""
        self.log = self.root / "gnome-keyring.log"
        self._procs: list[subprocess.Popen[bytes]] = []
        self.aborts = 0  # how often a daemon died under us; see the module docstring

    @property
    def env(self) -> dict[str, str]:
        """What a subprocess needs to use this Secret Service through keyring."""
        return {
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
        }

    def start(self) -> None:
        atexit.register(self.stop)  # a belt to the fixture's braces: never leave daemons behind
        for tool, package in (("dbus-daemon", "dbus"), ("gnome-keyring-daemon", "gnome-keyring")):
            if shutil.which(tool) is None:
                raise HarnessUnavailable(f"{tool} is not installed (apt-get install {package})")
        self.root.mkdir(mode=0o700, exist_ok=True)  # again after a stop(): a restart
        home, data, runtime, bus = (self.root / d for d in ("home", "data", "runtime", "bus"))
        for directory in (home, data, runtime, bus):
            directory.mkdir(mode=0o700)
        config = self.root / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket_dir=bus))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_DATA_HOME": str(data),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(runtime),
        }
        bus_daemon = self._spawn(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # it complains it cannot raise its fd limit: harmless
        )
        self.bus_address = _read_line(bus_daemon, START_TIMEOUT)
        if not self.bus_address:
            raise HarnessUnavailable("dbus-daemon did not print its address")
        # Its messages go to a file: a pipe nobody reads after start-up fills up in a long session.
        with self.log.open("wb") as log:
            keyring_daemon = self._spawn(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                env={**env, "DBUS_SESSION_BUS_ADDRESS": self.bus_address},
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        assert keyring_daemon.stdin is not None
        # A non-empty password: with an empty one the login collection is not created unlocked.
        keyring_daemon.stdin.write(b"heatmap-tui-test")
        keyring_daemon.stdin.close()
        self._wait_until_ready(keyring_daemon)

    def _spawn(self, argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        try:
            proc = subprocess.Popen(argv, **kwargs)  # type: ignore[call-overload]
        except OSError as exc:
            raise HarnessUnavailable(f"cannot run {argv[0]}: {exc}") from None
        self._procs.append(proc)
        return proc

    def _wait_until_ready(self, daemon: subprocess.Popen[bytes]) -> None:
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            if daemon.poll() is not None:
                raise HarnessUnavailable(self.why_down() or "gnome-keyring-daemon exited")
            try:
                with open_dbus_connection(bus=self.bus_address) as conn:
                    if secretstorage.check_service_availability(conn):
                        collection = secretstorage.get_default_collection(conn)
                        if not collection.is_locked():
                            return
                        last = "the login collection is locked"
            except Exception as exc:  # not up yet: D-Bus errors of every kind
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(0.05)
        raise HarnessUnavailable(f"the Secret Service did not come up within {START_TIMEOUT:g} s ({last})")

    def why_down(self) -> str | None:
        """None while both daemons run; else which one exited, how, and the keyring's last words."""
        for proc in self._procs:
            if proc.poll() is not None:
                said = self.log.read_text(errors="replace")[-2000:].strip() if self.log.exists() else ""
                return f"{proc.args[0]} exited ({proc.returncode}): {said or 'it said nothing'}"
        return None

    def restart_if_down(self) -> bool:
        """Start the daemons again when one died, counting and reporting the abort; True if so."""
        if (why := self.why_down()) is None:
            return False
        self.aborts += 1
        warnings.warn(f"the Secret Service was started again: {why}", stacklevel=2)
        self.stop()
        self.start()
        return True

    def _retried(self, operation: Callable[[], T]) -> T:
        """The harness's own reads and clears: once more on fresh daemons if these ones died."""
        try:
            return operation()
        except Exception:
            if not self.restart_if_down():
                raise
        return operation()

    def stop(self) -> None:
        procs, self._procs = self._procs, []
        for proc in reversed(procs):  # gnome-keyring first, then the bus
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def backend(self) -> KeyringBackend:
        from keyring.backends.SecretService import Keyring

        return Keyring()

    def items(self, service: str = SERVICE) -> dict[str, str]:
        """Every entry of `service`, username -> secret, read straight from the Secret Service."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        def read() -> dict[str, str]:
            with open_dbus_connection(bus=self.bus_address) as conn:
                collection = secretstorage.get_default_collection(conn)
                return {
                    item.get_attributes()["username"]: item.get_secret().decode()
                    for item in collection.search_items({"service": service})
                }

        return self._retried(read)

    def clear(self, service: str = SERVICE) -> None:
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        def clear() -> None:
            with open_dbus_connection(bus=self.bus_address) as conn:
                collection = secretstorage.get_default_collection(conn)
                for item in collection.search_items({"service": service}):
                    item.delete()

        self._retried(clear)


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return proc.stdout.readline().decode().strip()


@pytest.fixture(scope="session")
def secret_service_daemons() -> Iterator[SecretServiceHarness]:
    harness = SecretServiceHarness()
    try:
        harness.start()
    except HarnessUnavailable as exc:
        harness.stop()
        reason = f"no Secret Service for the keyring tests: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield harness
    finally:
        harness.stop()


@pytest.fixture
def secret_service(
    secret_service_daemons: SecretServiceHarness,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[SecretServiceHarness]:
    harness = secret_service_daemons
    # Daemons that died after the last test are started again rather than failing every keyring
    # test after them on this worker; an abort is the daemon's (see the module docstring).
    harness.restart_if_down()
    aborts = harness.aborts
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", harness.bus_address)
    yield harness
    harness.restart_if_down()
    request.node.stash[ABORTED_DURING] = harness.aborts > aborts


@pytest.fixture
def secret_service_keyring(secret_service: SecretServiceHarness) -> Iterator[KeyringBackend]:
    backend = secret_service.backend()
    previous = keyring.get_keyring()
    secret_service.clear()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        secret_service.clear()
