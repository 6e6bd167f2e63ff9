"""The config as the app uses it: only what the person chose (a site, the active profile, a
theme), never the app's own memory (that is the state file, ui/left_off.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from textual.theme import Theme

from heatmap_tui.core.config import Config, ConfigError
from heatmap_tui.core.sites import Site
from heatmap_tui.ui.keymap import keymap_warning, usable_keymap
from heatmap_tui.ui.notify import Notify
from heatmap_tui.ui.services import Services


class Settings:
    """This run's `config`, and the file's through `services`. `error`: the file could not be
    read at start, so it is never written over (the person was told, and has to fix it)."""

    def __init__(self, services: Services, notify: Notify) -> None:
        self._services = services
        self._notify = notify
        self.config = Config()
        self.error: ConfigError | None = None

    def load(self) -> None:
        self.config, self.error = self._services.load_config()
        if self.error is not None:
            self._notify(
                f"{self.error}. Starting with the default settings; the file is left as it is "
                "until you fix it.",
                title="The config file is broken",
                severity="error",
                timeout=20,
            )

    def keymap(self) -> dict[str, str]:
        """The config's keymap, without the bindings it cannot use (the person is told which)."""
        if warning := keymap_warning(self.config.keymap):
            self._notify(warning, severity="warning", timeout=10)
        return usable_keymap(self.config.keymap)

    def theme(self, available: Collection[str]) -> str | None:
        """The config's theme, if `available`; None keeps the default."""
        theme = self.config.preferences.theme
        if theme in available:
            return theme
        if theme:
            self._notify(
                f"The config names an unknown theme {theme!r}; using the default.", severity="warning"
            )
        return None

    def edit(self, change: Callable[[Config], object]) -> None:
        """A change the person asked for: to this run's config, and to the file (read again under
        its lock, so that what another process wrote meanwhile stays; only what changed is
        written into their document, comments and all)."""
        change(self.config)
        if self.error is not None:
            return  # never write over a file the person has to fix: they were told at start
        try:
            self._services.edit_config(change)
        except ConfigError as exc:
            self._notify(str(exc), title="Could not save the settings", severity="error", timeout=10)
        except ValueError:  # UnicodeEncodeError: a name from the server with a lone surrogate
            self._notify(
                "A name to save holds a character no file can store; the settings were not saved.",
                title="Could not save the settings",
                severity="error",
                timeout=10,
            )

    def remember_site(self, profile: str, site: Site) -> None:
        """Keys that work on `site`: the profile names it, and is the one the next start uses."""

        def choose(config: Config) -> None:
            config.ensure_profile(profile, site)
            config.active_profile = profile

        self.edit(choose)

    def choose_profile(self, name: str) -> None:
        self.edit(lambda config: setattr(config, "active_profile", name))

    def theme_changed(self, theme: Theme) -> None:
        """A theme picked (the command palette): kept in the config, else the person is told why not."""
        name = theme.name
        if self.config.preferences.theme == name:
            return
        self.edit(lambda config: setattr(config.preferences, "theme", name))
        if (why := self._kept_in_memory()) is not None:
            self._notify(f"The {name} theme is for this run only: {why}.", title="Theme", timeout=8)

    def _kept_in_memory(self) -> str | None:
        """Why a change of the settings is not written to the config file, if it is not."""
        if self._services.demo:
            return "the demo writes nothing to your config"
        if self._services.config_path is None:
            return "this run keeps its settings in memory"
        if self.error is not None:
            return "the config file is broken, and left as it is until you fix it"
        return None
