"""The TOML config file: round trip, broken files, atomic writes, no secrets."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from heatmap_tui.core.config import (
    CONFIG_ENV,
    Config,
    ConfigError,
    InvalidProfileName,
    Profile,
    config_path,
    dump_config,
    load_config,
    load_config_or_default,
    save_config,
)
from heatmap_tui.core.sites import custom_site, get_site


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def full_config() -> Config:
    config = Config()
    config.ensure_profile("default", get_site("US5"))
    config.ensure_profile("local.dev", custom_site("http://127.0.0.1:8126"))
    config.profiles["default"].last_application_id = "a1b2c3d4-0000-4000-8000-000000000001"
    config.profiles["default"].last_view_name = '/checkout "step" \\ 2\n\ttab\x01\x7f é ✓'
    config.profiles["default"].last_device_type = "mobile"
    config.keymap = {"snapshots.new": "ctrl+n,n", "app.quit": "ctrl+q"}
    config.preferences.theme = "nord"
    config.preferences.page_limit = 250
    return config


def test_round_trip_keeps_everything(path: Path) -> None:
    config = full_config()
    save_config(config, path)
    assert load_config(path) == config
    assert config.active_profile == "default"  # the first profile becomes the active one


def test_written_file_is_readable_toml_with_a_header(path: Path) -> None:
    save_config(full_config(), path)
    text = path.read_text()
    assert text.startswith("# heatmap-tui configuration.")
    assert "[profiles.default]" in text and '[profiles."local.dev"]' in text
    assert '"snapshots.new" = "ctrl+n,n"' in text
    data = tomllib.loads(text)  # any TOML reader agrees, not only ours
    assert data["profiles"]["local.dev"] == {"api_url": "http://127.0.0.1:8126"}
    assert data["profiles"]["default"]["last_view_name"] == '/checkout "step" \\ 2\n\ttab\x01\x7f é ✓'


def test_profile_resolves_its_site() -> None:
    config = full_config()
    assert config.profiles["default"].resolve_site() == get_site("US5")
    assert config.profiles["local.dev"].resolve_site().api_url == "http://127.0.0.1:8126"
    assert Profile().resolve_site().name == "US1"


def test_missing_file_gives_defaults(path: Path) -> None:
    assert load_config(path) == Config()
    assert load_config_or_default(path) == (Config(), None)


def test_env_variable_points_elsewhere(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert config_path() == path
    save_config(full_config())
    assert path.exists()


def test_default_path_is_the_platform_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "heatmap-tui" / "config.toml"


BROKEN = '# mine\nactive_profile = "default"\n\n[profiles.default]\nsite = "US5\n'


def test_corrupt_file_names_file_and_line_and_is_left_alone(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and "line 5" in str(info.value)
    assert (info.value.path, info.value.line) == (path, 5)

    config, error = load_config_or_default(path)
    assert config == Config() and isinstance(error, ConfigError)

    with pytest.raises(ConfigError, match="not saved over it"):
        save_config(full_config(), path)
    assert path.read_text() == BROKEN  # untouched

    save_config(full_config(), path, overwrite_broken=True)  # only when the caller says so
    assert load_config(path) == full_config()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[profiles.a]\nsite = "US1"\n[profiles.b]\nsite = 3\n', 4, "profiles.b.site"),
        ('[profiles.a]\nsite = "US9"\n', 2, "unknown Datadog site"),
        ('[profiles.a]\napi_url = "http://example.com"\n', 2, "https"),
        ("[preferences]\npage_limit = 5000\n", 2, "page_limit"),
        ("[preferences]\ncolour = 1\n", 2, "unknown setting"),
        ('[profiles."has space"]\n', 1, "not a usable profile name"),
    ],
)
def test_invalid_settings_name_the_line(path: Path, text: str, line: int, words: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == line
    assert words in str(info.value)


@pytest.mark.parametrize("key", ["api_key", "app_key", "application_key", "bearer_token", "password"])
def test_a_secret_in_the_file_is_refused(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(f'[profiles.default]\nsite = "US5"\n{key} = "0123456789abcdef0123456789abcdef"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "secret" in message and info.value.line == 3
    assert "0123456789abcdef" not in message


def test_there_is_no_field_for_a_secret() -> None:
    with pytest.raises(ValueError):
        Profile(api_key="x")  # type: ignore[call-arg]
    profile = Profile()
    with pytest.raises(ValueError):
        profile.app_key = "x"  # type: ignore[attr-defined]


def test_profile_names_are_checked() -> None:
    with pytest.raises(InvalidProfileName):
        Config().ensure_profile("a:b", get_site("US1"))  # ':' separates profile and key kind


def test_crash_during_write_keeps_the_original(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_config(full_config(), path)
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    changed = full_config()
    changed.active_profile = "local.dev"
    with pytest.raises(ConfigError, match="No space left on device") as info:
        save_config(changed, path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    # No temp file left (the lock file is there for good: removing it would race other writers).
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml", "config.toml.lock"]


def test_interrupted_write_leaves_no_temp_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_config(full_config(), path)
    assert [p.name for p in path.parent.iterdir()] == ["config.toml.lock"]


def test_remove_profile_moves_the_active_one() -> None:
    config = full_config()
    config.remove_profile("default")
    assert config.active_profile == "local.dev"  # the only one left
    config.remove_profile("local.dev")
    assert config.active_profile is None and config.active_name() == "default"
    with pytest.raises(KeyError):
        config.remove_profile("nope")


def test_dump_is_stable() -> None:
    assert dump_config(full_config()) == dump_config(full_config())


def test_pointing_a_profile_at_another_site_forgets_where_it_left_off() -> None:
    config = full_config()
    config.ensure_profile("default", get_site("US5"))  # same site: kept
    assert config.profiles["default"].last_device_type == "mobile"
    config.ensure_profile("default", get_site("EU1"))
    assert config.profiles["default"] == Profile(site="EU1")
