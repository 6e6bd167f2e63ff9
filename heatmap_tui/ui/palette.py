"""The command palette (ctrl+p): the commands that fit where the person is and what they may do.

The current screen's come from its bindings, so the palette offers what its keys do, names the
keys, and never restates an action by hand; the app's own commands follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.actions import parse
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.fuzzy import Matcher
from textual.screen import Screen

from heatmap_tui.ui.safe import safe, safe_help

if TYPE_CHECKING:
    from heatmap_tui.ui.app import HeatmapApp


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    name: str
    help: str
    run: Callable[[], Any]
    keys: str = ""  # the keys that do the same, as the help screen writes them


def _keys_by_action(node: DOMNode) -> dict[str, list[Binding]]:
    """The node's own bindings that have an id, by action, with the keys the keymap gave them, in
    the order the node declares them (a remapped binding is last in Textual's map)."""
    # Private, but what Screen._binding_chain reads too; Textual is pinned below 9.
    declared, mapped = node._bindings, node._bindings.copy()
    if keymap := node.app._keymap:
        mapped.apply_keymap(keymap)
    found: dict[str, list[Binding]] = {b.action: [] for _, b in declared if b.id is not None and not b.system}
    for _, binding in mapped:
        if binding.action in found and binding.id is not None:
            found[binding.action].append(binding)
    return found


def _key_labels(bindings: list[Binding]) -> str:
    from heatmap_tui.ui.screens.help import key_label  # the palette opens after the first screen

    return " ".join(dict.fromkeys(map(key_label, bindings)))


def screen_commands(screen: Screen[Any]) -> tuple[list[PaletteCommand], dict[str, list[Binding]]]:
    """Each action the screen's own bindings offer (described as the README's keymap describes
    them), when check_action allows it now: hidden (False) and nothing to act on (None) are left
    out. Running one runs the action its keys run. Also the bindings of app actions ("app.quit"),
    whose keys the app's own commands add to theirs."""
    commands: list[PaletteCommand] = []
    app_keys: dict[str, list[Binding]] = {}
    for action, bindings in _keys_by_action(screen).items():
        namespace, name, parameters = parse(action)
        if namespace == "app":
            app_keys.setdefault(name, []).extend(bindings)
        elif not namespace and bindings and screen.check_action(name, parameters) is True:
            binding = bindings[0]
            run = partial(screen.app.run_action, action, screen)
            commands.append(
                PaletteCommand(binding.tooltip or binding.description, "", run, _key_labels(bindings))
            )
    return commands, app_keys


def palette_commands(app: HeatmapApp, screen: Screen[Any]) -> list[PaletteCommand]:
    from heatmap_tui.ui.screens.app_picker import AppPicker  # not needed to start in the browser

    commands, screen_app_keys = screen_commands(screen)
    app_keys = _keys_by_action(app)

    def add(name: str, help: str, run: Callable[[], Any], action: str = "") -> None:
        bindings = [*app_keys.get(action, []), *screen_app_keys.get(action, [])]
        commands.append(PaletteCommand(name, help, run, _key_labels(bindings)))

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
    add("Change theme", _theme_help(app), app.action_change_theme)
    add("Keys of this screen", "Show every key of the current screen", app.action_help, "help")
    add("Quit", "Leave heatmap-tui", app.action_quit, "quit")
    return commands


def _theme_help(app: HeatmapApp) -> str:
    """Whether the theme chosen is kept, as Settings.theme_changed does it."""
    if app.services.config_path is None:
        nothing = "the demo saves no settings" if app.services.demo else "this run saves no settings"
        return f"Pick the colours, for this run only: {nothing}"
    if app.settings.error is not None:
        return "Pick the colours, for this run only: the config file is broken, so it is left as it is"
    return "Pick the colours; the choice is saved in the config file"


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
                _with_keys(safe(command.name), command),
                command.run,
                text=command.name,
                help=_help(command),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in palette_commands(self._app, self.screen):
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    _with_keys(_highlight(matcher, command.name), command),
                    command.run,
                    text=command.name,
                    help=_help(command),
                )


def _with_keys(prompt: Content, command: PaletteCommand) -> Content:
    # The keys may come from the config's keymap: escaped like any outside text.
    return Content.assemble(prompt, "  ", safe(command.keys, "$text-accent")) if command.keys else prompt


def _help(command: PaletteCommand) -> str | None:
    return safe_help(command.help) if command.help else None


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
