"""The TOML config file: profiles, the active profile, the keymap and preferences. Never a secret.

Keys live in the OS keyring (core/credentials.py); this file has no field that could hold one,
and a file that carries something secret-looking is refused rather than read or carried forward.
The file is read with tomllib and written by the small writer below, which only has to cover this
fixed schema (strings, ints, bools, tables), so no TOML-writing dependency is needed.

Every write, and every read-modify-write (`editing_config`), holds an exclusive lock on a sibling
file (`config.toml.lock`, fcntl.flock), so that processes changing the file at once (parallel
`profiles remove`) each see the others' changes instead of writing over them. Where fcntl does not
exist (Windows) there is no lock; writes stay atomic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heatmap_tui.core.sites import Site, SiteError, resolve_site

APP_NAME = "heatmap-tui"
CONFIG_ENV = "HEATMAP_TUI_CONFIG"
DEFAULT_PROFILE = "default"
PROFILE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# Names a secret would go under; a config entry with such a name is refused.
_SECRET_NAME_RE = re.compile(
    r"(api|app|application)[_-]?key|token|secret|passw(or)?d|credential", re.IGNORECASE
)

HEADER = """\
# heatmap-tui configuration.
# Keys are never kept here: `heatmap-tui auth login` stores them in the OS keyring,
# or set DD_API_KEY and DD_APP_KEY in the environment.
"""


class ConfigError(Exception):
    """The config file cannot be read or written; str() names the file (and line when known)."""

    def __init__(self, message: str, path: Path | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}, line {line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class InvalidProfileName(ValueError):
    pass


def check_profile_name(name: str) -> str:
    """Profile names become keyring user names (`<profile>:api_key`) and TOML keys."""
    if not PROFILE_NAME_RE.fullmatch(name):
        raise InvalidProfileName(
            f"{name!r} is not a usable profile name: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Profile(_Model):
    """One Datadog org to talk to, plus where the app left off with it."""

    site: str | None = None  # a site name ("US5"); None is the default site
    api_url: str | None = None
    # The custom host (host[:port]) the person confirmed the keys may go to; see sites.needs_confirmation.
    trusted_host: str | None = None
    last_application_id: str | None = None
    last_view_name: str | None = None
    last_device_type: str | None = None

    def resolve_site(self) -> Site:
        """Raises SiteError for a name or URL that cannot be used."""
        site = resolve_site(self.site, self.api_url)
        return dataclasses.replace(site, trusted=True) if self.trusts(site) else site

    def trusts(self, site: Site) -> bool:
        """The person confirmed, for this profile, that its keys may go to `site`'s custom host."""
        return site.is_custom and self.trusted_host is not None and self.trusted_host == site.domain


class Preferences(_Model):
    theme: str | None = None
    # Datadog publishes no default or maximum page size: the app always sends this one.
    page_limit: int = Field(default=1000, ge=1, le=1000)


class Config(_Model):
    active_profile: str | None = None
    preferences: Preferences = Field(default_factory=Preferences)
    keymap: dict[str, str] = Field(default_factory=dict)  # binding id -> keys, e.g. "ctrl+n,n"
    profiles: dict[str, Profile] = Field(default_factory=dict)

    def active_name(self) -> str:
        """The profile to use when none is named: the active one, the only one, or "default"."""
        if self.active_profile in self.profiles:
            return self.active_profile
        if len(self.profiles) == 1:
            return next(iter(self.profiles))
        return DEFAULT_PROFILE

    def ensure_profile(self, name: str, site: Site) -> Profile:
        """Create the profile, or point it at `site`; the first profile also becomes the active one.

        Only for an explicit choice of the site (login, the site picker) once the keys worked there.
        A custom host the person confirmed (`site.trusted`) is remembered as trusted.
        """
        check_profile_name(name)
        site_fields = {"site": None if site.is_custom else site.name, "api_url": site.custom_url}
        profile = self.profiles.get(name)
        if profile is None or profile.model_dump(include={"site", "api_url"}) != site_fields:
            # Another org: the application, view and device of the old one mean nothing there,
            # nor does a host trusted for it.
            profile = Profile(**site_fields)
        if site.is_custom and site.trusted:
            profile.trusted_host = site.domain
        self.profiles[name] = profile
        if len(self.profiles) == 1 or self.active_profile not in self.profiles:
            self.active_profile = name
        return profile

    def remove_profile(self, name: str) -> Profile:
        """Raises KeyError for an unknown profile. The active profile falls to the only one left."""
        profiles = dict(self.profiles)
        removed = profiles.pop(name)
        self.profiles = profiles
        if self.active_profile == name:
            self.active_profile = next(iter(profiles)) if len(profiles) == 1 else None
        return removed


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """A missing file gives the defaults; a broken one raises ConfigError."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({_os_reason(exc)})", path) from None
    return parse_config(text, path)


def load_config_or_default(path: Path | None = None) -> tuple[Config, ConfigError | None]:
    """For the app: carry on with the defaults, and say what was wrong with the file."""
    try:
        return load_config(path), None
    except ConfigError as exc:
        return Config(), exc


def parse_config(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.14 adds exc.lineno; before that the position is only in the message.
        reason, _, position = str(exc).partition(" (at ")
        line = getattr(exc, "lineno", None)
        if line is None and (found := re.match(r"line (\d+)", position)):
            line = int(found.group(1))
        elif line is None and position.startswith("end of document"):
            line = text.count("\n") + 1
        raise ConfigError(f"not valid TOML: {reason}", path, line) from None
    for loc in _setting_names(data):
        if _SECRET_NAME_RE.search(loc[-1]):
            raise ConfigError(
                f"{'.'.join(loc)!r} looks like a secret, and secrets never belong in the config "
                "file; remove it and use `heatmap-tui auth login` (OS keyring) or "
                "DD_API_KEY and DD_APP_KEY",
                path,
                _line_of(text, loc),
            )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = [str(p) for p in first["loc"]]
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            msg = "unknown setting"
        raise ConfigError(f"{'.'.join(where)}: {msg}", path, _line_of(text, where)) from None
    for name, profile in config.profiles.items():
        try:
            check_profile_name(name)
            profile.resolve_site()
        except (InvalidProfileName, SiteError) as exc:
            key = "api_url" if profile.api_url is not None else "site"
            line = _line_of(text, ["profiles", name, key])
            raise ConfigError(f"profile {name!r}: {exc}", path, line) from None
    return config


def lock_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


def _exclusive_flock() -> Callable[[int], None] | None:
    """flock(fd, LOCK_EX), or None where fcntl does not exist (Windows: writes stay atomic)."""
    try:
        import fcntl
    except ImportError:
        return None
    return lambda fd: fcntl.flock(fd, fcntl.LOCK_EX)


_FLOCK = _exclusive_flock()


@contextlib.contextmanager
def config_lock(path: Path | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of the config file (blocking until other processes let go).

    Not re-entrant: a second lock of the same file in one process waits for itself.
    """
    path = path or config_path()
    if _FLOCK is None:
        yield path
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ConfigError(f"cannot be locked ({_os_reason(exc)})", path) from None
    try:
        _FLOCK(fd)
        yield path
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def editing_config(path: Path | None = None) -> Iterator[Config]:
    """Read the config, let the caller change it, write it back, all under the lock.

    A missing file starts from the defaults; a broken one raises ConfigError (nothing is
    written). When the body raises, or changes nothing, nothing is written either.
    """
    with config_lock(path) as locked:
        config = load_config(locked)
        before = dump_config(config)
        yield config
        after = dump_config(config)
        if after != before:
            write_atomic(locked, after)


def save_config(config: Config, path: Path | None = None, *, overwrite_broken: bool = False) -> Path:
    """Write atomically, under the lock. Refuses to replace a file that does not parse unless told to.

    This writes `config` whole: a change made to the file since it was read is lost. To change a
    few things, use `editing_config`.
    """
    with config_lock(path) as locked:
        return _save_locked(config, locked, overwrite_broken=overwrite_broken)


def _save_locked(config: Config, path: Path, *, overwrite_broken: bool) -> Path:
    if not overwrite_broken and path.exists():
        try:
            load_config(path)
        except ConfigError as exc:
            refusal = ConfigError(f"{exc} (not saved over it: fix or remove the file first)")
            refusal.path, refusal.line = exc.path, exc.line
            raise refusal from None
    write_atomic(path, dump_config(config))
    return path


def write_atomic(path: Path, text: str) -> None:
    """Temp file in the same directory, fsync, then os.replace: readers see old or new, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"cannot be written ({_os_reason(exc)})", path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot be written ({_os_reason(exc)})", path) from None
        raise
    _fsync_dir(path.parent)


def dump_config(config: Config) -> str:
    lines = [HEADER]
    if config.active_profile is not None:
        lines.append(f"active_profile = {_value(config.active_profile)}\n")
    lines.append(_table(["preferences"], config.preferences.model_dump(exclude_none=True)))
    lines.append(_table(["keymap"], dict(sorted(config.keymap.items()))))
    for name, profile in config.profiles.items():
        lines.append(_table(["profiles", name], profile.model_dump(exclude_none=True)))
    return "\n".join(lines)


def _table(header: list[str], values: dict[str, Any]) -> str:
    out = [f"[{'.'.join(_key(part) for part in header)}]"]
    out += [f"{_key(key)} = {_value(value)}" for key, value in values.items()]
    return "\n".join(out) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"the config writer has no TOML form for {type(value).__name__}")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _setting_names(data: dict[str, Any], loc: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    """Every key path, except the names people choose (profile names, keymap binding ids)."""
    for key, value in data.items():
        here = (*loc, key)
        if loc not in (("profiles",), ("keymap",)):
            yield here
        if isinstance(value, dict):
            yield from _setting_names(value, here)


def _line_of(text: str, loc: Iterable[object]) -> int | None:
    """Best effort, for errors tomllib cannot place: find each part of the key path in turn."""
    start, line = 0, None
    for part in loc:
        quoted = re.escape(str(part))
        pattern = re.compile(
            rf"^\s*(?:\[+[^\]]*)?(?:{quoted}|\"{quoted}\"|'{quoted}')\s*(?:=|\]|\.)", re.MULTILINE
        )
        match = pattern.search(text, start)
        if match is None:
            return line
        start = match.start()
        line = text.count("\n", 0, start) + 1
    return line


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the platform allows opening a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)
