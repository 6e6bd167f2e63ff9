"""The TOML config file: profiles, the active profile, the keymap and preferences. Never a secret.

Keys live in the OS keyring (core/credentials.py); this file has no field that could hold one,
and a file that carries something secret-looking is refused rather than read or carried forward.

The file holds only what the person set, and is written only when they ask (auth login, the site
picker, `profiles use`/`remove`, a theme chosen): where the app left off lives in the state file
(core/state.py). A write edits the person's document in place (tomlkit): only the settings that
changed are touched, so their comments, order and layout stay; a symlinked config stays a
symlink (the file it points to is replaced).

Every write, and every read-modify-write (`editing_config`), holds an exclusive lock on a sibling
file (`config.toml.lock`, fileio.exclusive_lock), so that processes changing the file at once
(parallel `profiles remove`) each see the others' changes instead of writing over them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heatmap_tui.core import state as app_state
from heatmap_tui.core.fileio import FileError, exclusive_lock, os_reason, write_atomic
from heatmap_tui.core.paths import APP_NAME
from heatmap_tui.core.sites import Site, SiteError, resolve_site

if TYPE_CHECKING:  # tomlkit is imported where the file is written: reading it needs tomllib only
    import tomlkit

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


class ConfigError(FileError):
    """The config file cannot be read or written; str() names the file (and line when known)."""


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


# Where the app left off, as configs before the state file kept it (core/state.py has it now).
LEGACY_KEYS = ("last_application_id", "last_view_name", "last_device_type")


class Profile(_Model):
    """One Datadog org to talk to."""

    site: str | None = None  # a site name ("US5"); None is the default site
    api_url: str | None = None
    # The custom host (host[:port]) the person confirmed the keys may go to; see sites.needs_confirmation.
    trusted_host: str | None = None
    # How long the org keeps session replays (Datadog's default is 30 days; longer is an org
    # option): a snapshot's frame older than this is `expired` (core/stale.py).
    replay_retention_days: int = Field(default=30, ge=1, le=3650)
    # Read from an old config only, to move them to the state file (`legacy_position`); never
    # written back: the next write of the file drops them.
    last_application_id: str | None = None
    last_view_name: str | None = None
    last_device_type: str | None = None

    @property
    def site_key(self) -> str:
        return app_state.site_key(self.site, self.api_url)

    def legacy_position(self) -> app_state.Position | None:
        """Where an old config said the app left off with this profile (None: it said nothing)."""
        if not any(getattr(self, key) for key in LEGACY_KEYS):
            return None
        return app_state.Position(
            site=self.site_key,
            application_id=self.last_application_id,
            view_name=self.last_view_name,
            device_type=self.last_device_type,
        )

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
            # Another org: a host trusted for the old one means nothing there (nor does where the
            # app left off, which the state file keeps with the site it was for).
            profile = Profile(site=site_fields["site"], api_url=site_fields["api_url"])
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
        raise ConfigError(f"cannot be read ({os_reason(exc)})", path) from None
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


def legacy_positions(config: Config) -> dict[str, app_state.Position]:
    """The `last_*` keys an old config still holds, as state positions, by profile."""
    return {
        name: position
        for name, profile in config.profiles.items()
        if (position := profile.legacy_position()) is not None
    }


def _real(path: Path) -> Path:
    """The file a symlinked config points to: its lock and its temp files go next to it."""
    return path.resolve() if path.is_symlink() else path


@contextlib.contextmanager
def config_lock(path: Path | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of the config file (blocking until other processes let go).

    Not re-entrant: a second lock of the same file in one process waits for itself.
    Yields `path` itself (a symlink stays one: reads and writes go through it).
    """
    path = path or config_path()
    with exclusive_lock(_real(path), error=ConfigError):
        yield path


@contextlib.contextmanager
def editing_config(path: Path | None = None, *, state_path: Path | None = None) -> Iterator[Config]:
    """Read the config, let the caller change it, write it back, all under the lock.

    A missing file starts from the defaults; a broken one raises ConfigError (nothing is
    written). When the body raises, or changes nothing, nothing is written either. Only the
    settings that changed are written into the person's document (see `_render`).
    """
    with config_lock(path) as locked:
        text = _read_text(locked)
        config = parse_config(text, locked) if text is not None else Config()
        before = config.model_copy(deep=True)
        yield config
        if config != before:
            _write(locked, text, before, config, state_path)


def save_config(
    config: Config,
    path: Path | None = None,
    *,
    overwrite_broken: bool = False,
    state_path: Path | None = None,
) -> Path:
    """Write atomically, under the lock. Refuses to replace a file that does not parse unless told to.

    What differs between the file and `config` is written into the file's document: a change
    made to the file since `config` was read is undone. To change a few things, use `editing_config`.
    """
    with config_lock(path) as locked:
        text = _read_text(locked)
        old = Config()
        if text is not None:
            try:
                old = parse_config(text, locked)
            except ConfigError as exc:
                if not overwrite_broken:
                    refusal = ConfigError(f"{exc} (not saved over it: fix or remove the file first)")
                    refusal.path, refusal.line = exc.path, exc.line
                    raise refusal from None
                text = None  # what cannot be parsed cannot be kept: a fresh document
        _write(locked, text, old, config, state_path)
        return locked


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({os_reason(exc)})", path) from None


def _write(path: Path, text: str | None, old: Config, new: Config, state_path: Path | None) -> None:
    # The one-time migration of an old config's `last_*` keys: they go to the state file first
    # (which keeps a position it already has), and only then out of the config. They leave the
    # config here, at the next write the person asked for, not when the file is read: reading
    # never changes the person's file (it may be read-only, in a dotfiles repository, or open in
    # their editor), and until then the state file already has them (the app adopts them at start).
    # A caller that still sets them on the model (a script written for the old schema) has
    # them moved the same way.
    try:
        app_state.adopt(legacy_positions(old) | legacy_positions(new), state_path)
        moved = True
    except FileError:
        moved = False  # no state file can be written now: the keys stay until one can
    write_atomic(path, _render(new, text, old, drop_legacy=moved), error=ConfigError)


def dump_config(config: Config) -> str:
    """`config` as a new file would hold it: the header, then what differs from the defaults."""
    return _render(config, None, Config(), drop_legacy=True)


def _render(new: Config, text: str | None, old: Config, *, drop_legacy: bool) -> str:
    """Apply to the document `text` (None: a new one) what differs between `old` and `new`.

    The document is edited in place, never rebuilt from the model, so the person's comments,
    order and layout stay; a setting that did not change is not touched.
    """
    import tomlkit
    from tomlkit.container import Container
    from tomlkit.items import Table

    doc = tomlkit.parse(text) if text is not None else tomlkit.parse(HEADER)
    _put(doc, (), "active_profile", old.active_profile, new.active_profile)
    old_prefs, new_prefs = old.preferences.model_dump(), new.preferences.model_dump()
    for key, value in new_prefs.items():
        _put(doc, ("preferences",), key, old_prefs[key], value)
    for key in sorted(old.keymap.keys() | new.keymap.keys()):
        _put(doc, ("keymap",), key, old.keymap.get(key), new.keymap.get(key))
    profiles = doc.get("profiles")
    for name in old.profiles.keys() - new.profiles.keys():
        if isinstance(profiles, Container | Table) and name in profiles:
            del profiles[name]
    blank = Profile().model_dump()
    for name, profile in new.profiles.items():
        before = old.profiles[name].model_dump() if name in old.profiles else blank
        for key, value in profile.model_dump().items():
            if key in LEGACY_KEYS:
                if drop_legacy:
                    _put(doc, ("profiles", name), key, before[key], None)
                continue
            _put(doc, ("profiles", name), key, before[key], value)
    return tomlkit.dumps(doc)


def _put(
    doc: tomlkit.TOMLDocument,
    where: tuple[str, ...],
    key: str,
    old: object,
    new: object,
) -> None:
    """Set `key` in the table at `where` to `new` (None: remove it) if it differs from `old`
    (what the document said); a table is made only to hold a value."""
    import tomlkit

    container: Any = doc
    for depth, part in enumerate(where):
        if part not in container:
            if new is None:
                return
            # `[profiles.NAME]` headers, without an empty `[profiles]` one above them.
            container[part] = tomlkit.table(is_super_table=depth == 0 and len(where) > 1)
        container = container[part]
    if new is None:
        if key in container:
            del container[key]
    elif new != old:
        container[key] = new


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
