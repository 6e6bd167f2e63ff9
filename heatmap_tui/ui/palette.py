"""The command palette (ctrl+p): the commands that fit where the person is and what they may do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import Screen

from heatmap_tui.ui.safe import safe, safe_help
from heatmap_tui.ui.screens.browser import BrowserScreen

if TYPE_CHECKING:
    from heatmap_tui.ui.app import HeatmapApp


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    name: str
    help: str
    run: Callable[[], Any]


# The browser's actions the palette offers, when the browser allows them at the time.
BROWSER_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("new", "New snapshot", "Create a heatmap snapshot in this view"),
    ("refresh", "Refresh", "Load the snapshots again"),
    ("cleanup", "Clean up stale snapshots…", "Pick old snapshots to delete, with a preview"),
    ("undo", "Undo the last delete", "Restore the snapshots deleted last, from the trash"),
    ("trash", "Open the trash", "Deleted snapshots kept on this machine: restore or purge them"),
)


def palette_commands(app: HeatmapApp, screen: Screen[Any]) -> list[PaletteCommand]:
    from heatmap_tui.ui.screens.app_picker import AppPicker  # not needed to start in the browser

    commands: list[PaletteCommand] = []

    def add(name: str, help: str, run: Callable[[], Any]) -> None:
        commands.append(PaletteCommand(name, help, run))

    if isinstance(screen, BrowserScreen):
        for action, name, help in BROWSER_COMMANDS:
            # check_action says what fits now: False in read-only mode, None with nothing to act on.
            method = getattr(screen, f"action_{action}", None)
            if method is not None and screen.check_action(action, ()) is True:
                add(name, help, method)
    elif isinstance(screen, AppPicker):
        add("Refresh", "Load the RUM applications again", screen.action_refresh)
    if app.connection is not None and not isinstance(screen, AppPicker):
        add("Switch application…", "Pick another RUM application of this org", app.action_switch_application)
    if not app.services.demo:  # the demo's site and keys are its own server's
        add("Switch site…", f"Pick another Datadog site for profile {app.profile!r}", app.action_switch_site)
        for name in app.config.profiles:
            if name != app.profile:
                site = app.config.profiles[name].api_url or app.config.profiles[name].site or "US1"
                add(
                    f"Switch profile: {name}",
                    f"Use profile {name!r} ({site})",
                    _bind(app.switch_profile, name),
                )
        add("New profile…", "Type the new profile's name in the site picker", app.action_new_profile)
        add("Enter keys…", f"Type and check other keys for profile {app.profile!r}", app.action_enter_keys)
    if app.services.read_only:
        add(
            "Read-only mode is on",
            "Started with --read-only: restart without it to change snapshots",
            app.action_toggle_read_only,
        )
    else:
        state = "on" if app.read_only else "off"
        add(
            f"Toggle read-only mode (now {state})",
            "Hide or show every action that changes snapshots",
            app.action_toggle_read_only,
        )
    add("Change theme", "Pick the colours; the choice is kept in the config", app.action_change_theme)
    add("Keys of this screen", "Show every key of the current screen (?)", app.action_help)
    add("Quit", "Leave heatmap-tui (ctrl+q)", app.action_quit)
    return commands


def _bind(func: Callable[[str], Any], value: str) -> Callable[[], Any]:
    return lambda: func(value)


class HeatmapCommands(Provider):
    @property
    def _app(self) -> HeatmapApp:
        return self.app  # type: ignore[return-value]

    # The palette reads a str prompt or help as markup, and both may name a profile's custom URL
    # (anything in its path): every one goes in as Content, which is never parsed.

    async def discover(self) -> Hits:
        for command in palette_commands(self._app, self.screen):
            yield DiscoveryHit(
                safe(command.name), command.run, text=command.name, help=safe_help(command.help)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in palette_commands(self._app, self.screen):
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    _highlight(matcher, command.name),
                    command.run,
                    text=command.name,
                    help=safe_help(command.help),
                )


def _highlight(matcher: Matcher, name: str) -> Content:
    """Matcher.highlight, without its reading the name as markup."""
    content = safe(name)
    if content.plain != name:  # escapes moved the offsets: no highlight rather than a wrong one
        return content
    _score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
