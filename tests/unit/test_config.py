"""The TOML config file: round trip, broken files, atomic writes, no secrets."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path

import pytest

from heatmap_tui import cli
from heatmap_tui.core.config import (
    CONFIG_ENV,
    Config,
    ConfigError,
    InvalidProfileName,
    Profile,
    config_path,
    dump_config,
    editing_config,
    load_config,
    load_config_or_default,
    save_config,
)
from heatmap_tui.core.sites import custom_site, get_site
from heatmap_tui.core.state import Position, load_state, remember


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The state file a migration writes goes under tmp_path, never the person's data dir."""
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def full_config() -> Config:
    config = Config()
    config.ensure_profile("default", get_site("US5"))
    config.ensure_profile("local.dev", custom_site("http://127.0.0.1:8126"))
    config.keymap = {"snapshots.new": "ctrl+n,n", "app.quit": "ctrl+q"}
    config.preferences.theme = '/checkout "step" \\ 2\n\ttab\x01\x7f é ✓'
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
    assert data["preferences"]["theme"] == '/checkout "step" \\ 2\n\ttab\x01\x7f é ✓'


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


def test_pointing_a_profile_at_another_site_forgets_its_trusted_host() -> None:
    config = Config()
    config.ensure_profile("lab", dataclasses.replace(custom_site("https://dd.example.test"), trusted=True))
    assert config.profiles["lab"].trusted_host == "dd.example.test"
    config.ensure_profile("lab", get_site("EU1"))
    assert config.profiles["lab"] == Profile(site="EU1")


# A config as a person writes it: comments, their own order, blank lines, an inline table.
HAND_WRITTEN = """\
# My heatmap-tui settings -- keep in dotfiles!

[profiles.work]   # the EU org
site = "EU1"      # moved there in 2025

[profiles.lab]
api_url = "http://127.0.0.1:8126"

# Colours.
[preferences]
theme = "nord"    # easy on the eyes

[keymap]
"snapshots.new" = "ctrl+n,n"
"""


def test_profiles_use_keeps_the_comments_and_layout(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert cli.main(["profiles", "use", "lab"]) == 0
    # Only the one setting that changed is new; every line the person wrote is there as it was.
    assert path.read_text() == HAND_WRITTEN.replace("dotfiles!\n", 'dotfiles!\nactive_profile = "lab"\n', 1)
    assert load_config(path).active_profile == "lab"


def test_a_theme_change_keeps_the_comments_and_layout(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    with editing_config(path) as config:  # what the TUI does when a theme is chosen
        config.preferences.theme = "dracula"
    assert path.read_text() == HAND_WRITTEN.replace('theme = "nord"', 'theme = "dracula"')


def test_a_symlinked_config_stays_a_symlink_and_its_target_changes(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "heatmap.toml"
    target.parent.mkdir()
    target.write_text(HAND_WRITTEN)
    link = tmp_path / "conf" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(target)
    with editing_config(link) as config:
        config.active_profile = "work"
    save_config(load_config(link).model_copy(update={"keymap": {}}), link)
    assert link.is_symlink() and link.resolve() == target
    assert load_config(target).active_profile == "work" and load_config(target).keymap == {}
    assert "# the EU org" in target.read_text()
    # No temp file was left next to the link or the target.
    assert sorted(p.name for p in link.parent.iterdir()) == ["config.toml"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["heatmap.toml", "heatmap.toml.lock"]


OLD_CONFIG = """\
# from an older heatmap-tui
active_profile = "default"

[profiles.default]
site = "US5"  # ours
last_application_id = "a1b2c3d4-0000-4000-8000-000000000001"
last_view_name = "/cart"
last_device_type = "mobile"
"""


def test_an_old_configs_last_keys_move_to_the_state_at_the_next_write(path: Path, data_dir: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(OLD_CONFIG)
    config = load_config(path)  # the old keys still load...
    assert config.profiles["default"].last_view_name == "/cart"
    assert path.read_text() == OLD_CONFIG  # ... and reading changes nothing
    with editing_config(path) as edited:  # the next write the person asks for
        edited.preferences.theme = "nord"
    text = path.read_text()
    assert "last_" not in text and "# ours" in text and 'theme = "nord"' in text
    position = load_state(data_dir / "state.json").profiles["default"]
    assert (position.site, position.application_id, position.view_name, position.device_type) == (
        "US5",
        "a1b2c3d4-0000-4000-8000-000000000001",
        "/cart",
        "mobile",
    )


def test_a_position_already_in_the_state_is_not_overwritten_by_the_old_keys(
    path: Path, data_dir: Path
) -> None:
    remember("default", Position(site="US5", application_id="newer"), data_dir / "state.json")
    path.parent.mkdir(parents=True)
    path.write_text(OLD_CONFIG)
    with editing_config(path) as edited:
        edited.active_profile = None
    assert load_state(data_dir / "state.json").profiles["default"].application_id == "newer"
    assert "last_" not in path.read_text()
