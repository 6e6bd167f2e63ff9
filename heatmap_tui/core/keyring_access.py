"""The OS keyring, one call at a time in a thread with a timeout.

A locked Secret Service collection can wait forever for a password prompt nobody sees, so no
keyring call ever runs on the caller's thread: each runs in a daemon thread (a hung one must not
hold up interpreter exit, which rules out ThreadPoolExecutor) and the caller waits at most
`timeout` seconds. While a timed-out call is still hanging, later calls fail fast instead of
piling up behind it. There is no plain-text fallback: without a keyring, keys come from the
environment.

Only the OS keyrings are used: the Secret Service (secretstorage or libsecret), the macOS
Keychain, the Windows Credential Locker and KWallet, or a chainer, which is narrowed to the first
of those it chains. Any other backend (keyrings.alt's plain-text and encrypted files, the null and
fail backends, third-party ones) is refused with a message pointing at DD_API_KEY / DD_APP_KEY:
a key in a file is not "in the OS keyring", whatever the backend calls itself. That rule is for
the backend keyring picks from the environment and its configuration (PYTHON_KEYRING_BACKEND,
keyringrc.cfg, installed plugins); a backend handed to KeyringStore in code (the demo, tests) is
the caller's choice, and only a fail/null one is refused.

`keyring` itself (with importlib_metadata, jaraco and more_itertools behind it) is imported only
when a keyring call is made: keys from the environment never load it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from pydantic import SecretStr

from heatmap_tui.core.errors import HeatmapError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "heatmap-tui"
DEFAULT_TIMEOUT = 5.0
ENV_ADVICE = "Set DD_API_KEY and DD_APP_KEY in the environment instead."

T = TypeVar("T")


class KeyKind(StrEnum):
    API_KEY = "api_key"
    APP_KEY = "app_key"
    BEARER_TOKEN = "bearer_token"

    @property
    def label(self) -> str:
        return {"api_key": "API key", "app_key": "application key", "bearer_token": "access token"}[
            self.value
        ]


def keyring_username(profile: str, kind: KeyKind) -> str:
    return f"{profile}:{kind.value}"


class KeyringProblem(HeatmapError):
    """The keyring could not do what was asked; str() is a plain sentence."""

    def __init__(self, message: str, *, backend: str = "unknown") -> None:
        super().__init__(message)
        self.backend = backend


class KeyringUnavailable(KeyringProblem):
    """No usable backend (fail/null keyring) or the backend could not be opened."""


class KeyringTimeout(KeyringProblem):
    """The backend did not answer in time (typically a locked collection waiting for a prompt)."""


class KeyringFailure(KeyringProblem):
    """The backend answered with an error (locked, prompt dismissed, D-Bus error...)."""


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    available: bool
    backend: str  # display name, e.g. "SecretService Keyring"
    message: str | None = None  # why it is not available, as a plain sentence


def backend_name(backend: KeyringBackend) -> str:
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        chained = [b.name for b in backend.backends]
        return " + ".join(chained) if chained else backend.name
    return backend.name


# The OS keyrings, by exact class (a subclass could keep the keys anywhere): module, class name.
OS_KEYRINGS: frozenset[tuple[str, str]] = frozenset(
    {
        ("keyring.backends.SecretService", "Keyring"),
        ("keyring.backends.libsecret", "Keyring"),
        ("keyring.backends.macOS", "Keyring"),
        ("keyring.backends.Windows", "WinVaultKeyring"),
        ("keyring.backends.kwallet", "DBusKeyring"),
        ("keyring.backends.kwallet", "DBusKeyringKWallet4"),
    }
)
OS_KEYRING_NAMES = "the Secret Service, the macOS Keychain, the Windows Credential Locker or KWallet"


def is_os_keyring(backend: KeyringBackend) -> bool:
    kind = type(backend)
    return (kind.__module__, kind.__qualname__) in OS_KEYRINGS


def os_keyring_of(backend: KeyringBackend) -> KeyringBackend | None:
    """The OS keyring to use for `backend`: itself, or the first OS keyring a chainer chains."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        return next((b for b in backend.backends if is_os_keyring(b)), None)
    return backend if is_os_keyring(backend) else None


def is_usable(backend: KeyringBackend) -> bool:
    return os_keyring_of(backend) is not None


def _is_no_keyring(backend: KeyringBackend) -> bool:
    """The fail and null backends, or a chainer of nothing: no keyring at all, as opposed to one
    that is not an OS keyring."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, chainer.ChainerBackend):
        return all(_is_no_keyring(b) for b in backend.backends)
    return isinstance(backend, (fail.Keyring, null.Keyring))


def _given(backend: KeyringBackend) -> KeyringBackend | None:
    """A backend handed over in code: used as it is, unless it is no keyring at all."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        return os_keyring_of(backend)
    return None if _is_no_keyring(backend) else backend


def unavailable_message(name: str) -> str:
    return f"No OS keyring is available (keyring backend: {name}). {ENV_ADVICE}"


def not_os_keyring_message(name: str) -> str:
    return (
        f"The keyring backend {name} is not an OS keyring, so heatmap-tui keeps no keys in it (it "
        f"uses only {OS_KEYRING_NAMES}). {ENV_ADVICE} For example: export DD_API_KEY=<API key> "
        "DD_APP_KEY=<application key>."
    )


class KeyringStore:
    """get/set/delete of one profile's keys under service `heatmap-tui`, user `<profile>:<kind>`.

    Methods block for at most `timeout` seconds and raise KeyringProblem subclasses; call them
    from a thread worker (the UI) or via asyncio.to_thread (async code).
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        service: str = SERVICE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._backend = backend  # None: whatever keyring.get_keyring() says at call time
        self.service = service
        self.timeout = timeout
        self._lock = threading.Lock()
        self._hung: threading.Thread | None = None

    def status(self) -> KeyringStatus:
        """Never raises: an unusable or hung keyring is described, not thrown."""
        try:
            name = self._call(backend_name)
        except KeyringProblem as exc:
            return KeyringStatus(False, exc.backend, str(exc))
        return KeyringStatus(True, name)

    def get(self, profile: str, kind: KeyKind) -> SecretStr | None:
        user = keyring_username(profile, kind)
        value = self._call(lambda b: b.get_password(self.service, user))
        return SecretStr(value) if value else None

    def set(self, profile: str, kind: KeyKind, value: SecretStr) -> None:
        user = keyring_username(profile, kind)
        secret = value.get_secret_value()
        self._call(lambda b: b.set_password(self.service, user, secret), secret=secret)

    def delete(self, profile: str, kind: KeyKind) -> bool:
        """True when there was an entry to delete."""
        user = keyring_username(profile, kind)

        def delete(backend: KeyringBackend) -> bool:
            import keyring.errors

            try:
                backend.delete_password(self.service, user)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call(delete)

    def get_all(self, profile: str, kinds: tuple[KeyKind, ...] = tuple(KeyKind)) -> dict[KeyKind, SecretStr]:
        found = {}
        for kind in kinds:
            value = self.get(profile, kind)
            if value is not None:
                found[kind] = value
        return found

    def delete_profile(self, profile: str) -> list[KeyKind]:
        """Delete every key of the profile; the kinds that were there."""
        return [kind for kind in KeyKind if self.delete(profile, kind)]

    def _call(self, action: Callable[[KeyringBackend], T], *, secret: str | None = None) -> T:
        if not self._lock.acquire(timeout=self.timeout):
            raise self._timeout_error()
        try:
            if self._hung is not None and self._hung.is_alive():
                raise self._timeout_error(still_waiting=True)
            self._hung = None
            box: dict[str, object] = {}

            def run() -> None:
                try:
                    import keyring  # here, not at the top: see the module's docstring

                    if self._backend is not None:
                        backend = self._backend
                    else:
                        try:
                            backend = keyring.get_keyring()
                        except Exception as exc:  # a configured backend that cannot be loaded
                            box["unloadable"] = str(exc) or type(exc).__name__
                            return
                    # Naming a chainer lists its backends, which may touch D-Bus: not on the caller.
                    box["name"] = backend_name(backend)
                    usable = os_keyring_of(backend) if self._backend is None else _given(backend)
                    if usable is None:
                        box["unusable"] = "none" if _is_no_keyring(backend) else "not-os"
                        return
                    box["name"] = backend_name(usable)
                    box["value"] = action(usable)
                except BaseException as exc:  # handed to the caller's thread below
                    box["error"] = exc

            thread = threading.Thread(target=run, name="heatmap-tui-keyring", daemon=True)
            thread.start()
            thread.join(self.timeout)
            if thread.is_alive():
                self._hung = thread
                raise self._timeout_error()
        finally:
            self._lock.release()
        name = str(box.get("name", "unknown"))
        if "unloadable" in box:
            detail = str(box["unloadable"]).rstrip(".")
            raise KeyringUnavailable(f"The keyring backend could not be loaded: {detail}. {ENV_ADVICE}")
        if box.get("unusable") == "none":
            raise KeyringUnavailable(unavailable_message(name), backend=name)
        if box.get("unusable"):
            raise KeyringUnavailable(not_os_keyring_message(name), backend=name)
        if "error" in box:
            raise _translate(box["error"], name, secret) from None  # type: ignore[arg-type]
        return box["value"]  # type: ignore[return-value]

    def _timeout_error(self, *, still_waiting: bool = False) -> KeyringTimeout:
        name = backend_name(self._backend) if self._backend is not None else "unknown"
        if still_waiting:
            what = "has still not answered an earlier request"
        else:
            what = f"did not answer within {self.timeout:g} s"
        return KeyringTimeout(
            f"The OS keyring {what} (it may be locked and waiting for a password). Unlock it and "
            "try again, or set DD_API_KEY and DD_APP_KEY in the environment instead.",
            backend=name,
        )


def _translate(exc: BaseException, name: str, secret: str | None) -> KeyringProblem:
    import keyring.errors

    if isinstance(exc, keyring.errors.KeyringLocked):
        message = f"The OS keyring ({name}) is locked; unlock it and try again."
        return KeyringFailure(message, backend=name)
    detail = (str(exc) or type(exc).__name__).rstrip(".")
    if secret:
        detail = detail.replace(secret, "[redacted]")
    if isinstance(exc, (keyring.errors.InitError, keyring.errors.NoKeyringError)):
        return KeyringUnavailable(
            f"The OS keyring ({name}) could not be opened: {detail}. {ENV_ADVICE}", backend=name
        )
    return KeyringFailure(f"The OS keyring ({name}) failed: {detail}.", backend=name)
