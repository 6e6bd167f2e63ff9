"""The whole app under Pilot: first run, later runs, keymap, read-only, a broken config, a dead server."""

from __future__ import annotations

from pathlib import Path

from keyring.backend import KeyringBackend
from textual.pilot import Pilot
from textual.widgets import Input

from heatmap_tui.core.config import Config, Profile, load_config, save_config
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer
from heatmap_tui.ui.app import HeatmapApp
from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm
from heatmap_tui.ui.palette import palette_commands
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.help import HelpScreen, help_groups
from heatmap_tui.ui.screens.site_picker import SitePicker
from heatmap_tui.ui.services import Overrides
from tests.apps.shell_app import (
    DEMO_ENV,
    NOW,
    SIZE,
    app_id,
    config_path,
    notifications,
    saved_position,
    screen_names,
    server,
    settle,
    shell_app,
)


def fill(app: HeatmapApp, **values: str) -> None:
    for widget_id, value in values.items():
        app.screen.query_one(f"#{widget_id.replace('_', '-')}", Input).value = value


def help_plain(app: HeatmapApp) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return "\n".join(
        f"{title}\n" + "\n".join(f"{row.keys}  {row.description}" for row in rows)
        for title, rows in help_groups(screen.target)
    )


def saved_profile(path: Path, name: str = "default") -> Profile:
    return load_config(path).profiles[name]


async def test_first_run_walks_sites_keys_apps_then_browser(
    server: DevServer, config_path: Path, secret_service_keyring: KeyringBackend, secret_service
) -> None:  # type: ignore[no-untyped-def]
    app = shell_app(server, config_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        await pilot.press("j", "j", "enter")  # US1 -> US3 -> US5
        await settle(pilot)
        assert isinstance(app.screen, CredentialsForm)
        assert app.screen.site.name == "US5"
        fill(app, api_key=DEMO_API_KEY, app_key=DEMO_APP_KEY)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        assert any("Stored the keys of profile 'default' (US5)" in n for n in notifications(app))
        assert len(app.screen.shown) == 4
        await pilot.press("w", "e", "b")
        await settle(pilot)
        assert [a.name for a in app.screen.shown] == ["Shop Web"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.application_name == "Shop Web"
        assert app.screen.view == "/home"  # the busiest view
        assert screen_names(app) == ["AppPicker", "BrowserScreen"]
    assert secret_service.items() == {"default:api_key": DEMO_API_KEY, "default:app_key": DEMO_APP_KEY}
    config = load_config(config_path)
    assert config.active_profile == "default"
    assert config.profiles["default"].site == "US5"
    # Where it left off is the app's memory, in the state file, not the person's config.
    assert config.profiles["default"].last_application_id is None
    assert "last_" not in config_path.read_text()
    position = saved_position()
    assert position is not None and position.application_id == app_id(server)
    assert position.site == "US5"


def write_config(path: Path, **profile: str) -> None:
    config = Config(active_profile="default", profiles={"default": Profile(**profile)})
    save_config(config, path)


async def test_a_later_run_starts_where_the_last_one_left_off(server: DevServer, config_path: Path) -> None:
    write_config(
        config_path,
        site="EU1",
        last_application_id=app_id(server),
        last_view_name="/cart",
        last_device_type="mobile",
    )
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        assert (browser.application_name, browser.view, browser.device) == ("Shop Web", "/cart", "mobile")
        assert browser.connection.site.name == "EU1"
        assert "/search" in browser.views  # the views were discovered for the view picker
        # ... after the first rows: the list is answered before discovery is even asked.
        paths = [r.path for r in server.app.log.records]
        first_list = paths.index("/api/v2/replay/heatmap/snapshots")
        assert first_list < paths.index("/api/v2/rum/analytics/aggregate")
        # The browser says its filters changed: the state file remembers them; the config
        # file is not written at all (its bytes are those the old config was migrated from).
        config_bytes = config_path.read_bytes()
        browser.post_message(BrowserScreen.PositionChanged("/search", None))
        await settle(pilot)
        position = saved_position()
        assert position is not None
        assert (position.application_id, position.view_name, position.device_type) == (
            app_id(server),
            "/search",
            None,
        )
        assert config_path.read_bytes() == config_bytes
        # Escape goes back one step, to the application picker, which only now loads.
        assert server.count("GET", "/api/v2/rum/applications") == 1  # the browser's name lookup
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        assert app.screen.table.cursor_row == [a.name for a in app.screen.shown].index("Shop Web")
        # Escape again (nothing to clear, nothing below): the site picker, EU1 preselected.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        sites = app.screen.query_one("#sites")
        assert sites.highlighted == 3  # EU1


async def test_the_app_flag_and_site_flag_win_for_this_run(server: DevServer, config_path: Path) -> None:
    write_config(config_path, site="EU1", last_application_id=app_id(server), last_view_name="/cart")
    ios = app_id(server, "Shop iOS")
    app = shell_app(server, config_path, env=DEMO_ENV, overrides=Overrides(site="US5", application_id=ios))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        assert browser.application_name == "Shop iOS"
        assert browser.view == "HomeViewController"  # not the web app's last view
        assert browser.connection.site.name == "US5"
    assert saved_profile(config_path).site == "EU1"  # a flag is for this run only
    position = saved_position()
    assert position is not None and position.application_id == ios


async def test_a_broken_config_starts_on_defaults_says_where_and_is_never_overwritten(
    server: DevServer, config_path: Path
) -> None:
    config_path.parent.mkdir(parents=True)
    broken = 'active_profile = "default"\n[profiles.default]\nsite = "US5\n'
    config_path.write_text(broken)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        [message] = [n for n in notifications(app) if str(config_path) in n]
        assert "line 3" in message and "not valid TOML" in message
        await pilot.press("enter")  # US1, with the keys from the environment
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
    assert config_path.read_text() == broken


async def test_a_server_that_is_down_is_a_plain_message(config_path: Path) -> None:
    write_config(config_path, site="US5")
    server = DevServer(seed=True).start()
    server.stop()  # its URL stays known, and nobody answers there
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AppPicker)
        hint = str(picker.query_one("#apps-hint").render())
        assert "Could not list the RUM applications on US5: could not connect" in hint
        assert "ctrl+r to try again" in hint
        assert any("could not connect" in n for n in notifications(app))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, AppPicker)


async def test_keymap_from_the_config_remaps_bindings(server: DevServer, config_path: Path) -> None:
    config = Config(
        active_profile="default",
        profiles={"default": Profile(site="US5")},
        keymap={"app.help": "f2", "apps.refresh": "f5", "no.such_binding": "x"},
    )
    save_config(config, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        assert server.count("GET", "/api/v2/rum/applications") == 1
        await pilot.press("f5")
        await settle(pilot)
        assert server.count("GET", "/api/v2/rum/applications") == 2
        await pilot.press("tab")  # to the table, where `?` is not text
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)
        assert any("'no.such_binding'" in n for n in notifications(app))


async def test_read_only_hides_every_write_action(server: DevServer, config_path: Path) -> None:
    write_config(config_path, site="US5", last_application_id=app_id(server), last_view_name="/home")
    app = shell_app(server, config_path, env=DEMO_ENV, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen) and browser.read_only
        active = {b.binding.action for b in browser.active_bindings.values()}
        assert active.isdisjoint({"new", "edit", "delete", "mark", "mark_all"})
        names = [c.name for c in palette_commands(app, browser)]
        assert "New snapshot" not in names
        assert "Read-only mode is on" in names
        await pilot.press("n", "d", "e")
        await settle(pilot)
        assert app.screen is browser
        await pilot.press("question_mark")
        help_text = help_plain(app)
        assert "New snapshot" not in help_text and "Delete" not in help_text and "Refresh" in help_text


async def test_help_lists_the_bindings_of_the_current_screen(server: DevServer, config_path: Path) -> None:
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SitePicker)
        await pilot.press("question_mark")
        text = help_plain(app)
        for line in (
            "Site picker",
            "enter  Use site",
            "j  Down",
            "c  Custom URL",
            "Everywhere",
            "ctrl+q  Quit",
            "? f1  Help",
        ):
            assert line in text
        await pilot.press("escape")
        assert isinstance(app.screen, SitePicker)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AppPicker)
        await pilot.press("question_mark")  # typed first into the empty filter: help, not a filter
        assert isinstance(app.screen, HelpScreen)
        text = help_plain(app)
        assert "Application picker" in text and "ctrl+r  Refresh" in text and "enter  Open" in text
        await pilot.press("question_mark")
        assert isinstance(app.screen, AppPicker)
        assert app.screen.filter_text == ""


async def test_command_palette_offers_what_fits_the_state(server: DevServer, config_path: Path) -> None:
    config = Config(
        active_profile="default",
        profiles={"default": Profile(site="US5"), "staging": Profile(site="EU1")},
    )
    save_config(config, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AppPicker)
        names = [c.name for c in palette_commands(app, picker)]
        assert "Load the applications again" in names  # from its bindings, described as in the README
        assert "Switch profile: staging" in names and "Switch site…" in names
        assert "New snapshot" not in names and "Switch application…" not in names
        await pilot.press("enter")
        await settle(pilot)
        names = [c.name for c in palette_commands(app, app.screen)]
        assert {"New snapshot", "Refresh", "Switch application…", "Toggle read-only mode (now off)"} <= set(
            names
        )
        # Through the real palette: switch profile.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"staging")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.profile == "staging"
        assert isinstance(app.screen, AppPicker)
        assert app.screen.connection.site.name == "EU1"
        assert load_config(config_path).active_profile == "staging"
        # Read-only toggled from the palette reaches the browser.
        await pilot.press("enter")
        await settle(pilot)
        app.action_toggle_read_only()
        assert isinstance(app.screen, BrowserScreen) and app.screen.read_only
        assert "New snapshot" not in [c.name for c in palette_commands(app, app.screen)]


def test_snapshot_help_screen(server: DevServer, config_path: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    write_config(config_path, site="US5")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(
        shell_app(server, config_path, env=DEMO_ENV), terminal_size=SIZE, run_before=run_before
    )


async def test_the_screenshots_script_draws_every_screen_and_never_a_key(tmp_path: Path) -> None:
    from heatmap_tui.ui.screenshots import WRONG_APP_KEY, take

    written = await take(tmp_path)
    assert [p.stem for p in written] == [
        "01-site-picker", "02-credentials-rejected", "03-application-picker", "04-browser",
        "05-detail-json", "06-create-form-error", "07-edit-form", "08-delete-confirm",
        "09-bulk-delete", "10-help", "11-command-palette", "12-replay-picker", "13-trash", "14-cleanup",
        "15-browser-80x24",
    ]  # fmt: skip
    texts = {p.stem: p.read_text() for p in written}
    assert "rejected&#160;by&#160;US5" in texts["02-credentials-rejected"]
    assert "Pick&#160;a&#160;replay&#160;frame" in texts["12-replay-picker"]
    assert "3&#160;entries" in texts["13-trash"]
    assert "would&#160;go" in texts["14-cleanup"]
    assert 'viewBox="0 0 994 ' in texts["15-browser-80x24"]  # 80 columns wide
    assert "Filter" in texts["15-browser-80x24"] and "Modified" in texts["15-browser-80x24"]
    for text in texts.values():
        for secret in (DEMO_API_KEY, DEMO_APP_KEY, WRONG_APP_KEY, DEMO_API_KEY[-8:], DEMO_APP_KEY[-8:]):
            assert secret not in text


async def test_the_theme_preference_is_applied_and_kept(server: DevServer, config_path: Path) -> None:
    config = Config(active_profile="default", profiles={"default": Profile(site="US5")})
    config.preferences.theme = "nord"
    save_config(config, config_path)
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await settle(pilot)
    assert load_config(config_path).preferences.theme == "gruvbox"


async def test_demo_goes_straight_to_the_browser_and_writes_nothing(
    config_path: Path,
    tmp_path: Path,
    secret_service_keyring: KeyringBackend,
    secret_service,  # type: ignore[no-untyped-def]
) -> None:
    from heatmap_tui.commands.tui import demo_services

    with DevServer(seed=True, now=NOW) as demo:
        services = demo_services(demo, tmp_path / "scratch")
        app = HeatmapApp(services)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            browser = app.screen
            assert isinstance(browser, BrowserScreen)
            assert (browser.application_name, browser.view) == ("Shop Web", "/home")
            assert browser.table.model.total_count > 0
            browser.post_message(BrowserScreen.PositionChanged("/cart", "mobile"))
            await settle(pilot)
            assert services.memory_state.profiles["demo"].view_name == "/cart"
            assert browser.trash.path == tmp_path / "scratch" / "trash.jsonl"
            # Nothing leads away from the demo server: no other site, profile or keys.
            names = [c.name for c in palette_commands(app, browser)]
            assert "Switch application…" in names
            assert not [
                n
                for n in names
                if n.startswith(("Switch site", "Switch profile", "New profile", "Enter keys"))
            ]
            await pilot.press("escape")  # back to the application picker
            await settle(pilot)
            assert isinstance(app.screen, AppPicker)
            for key in ("ctrl+o", "escape"):  # other keys; back to the site picker
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, AppPicker), key
            assert sum("runs on its own server" in n for n in notifications(app)) == 2
    assert not config_path.exists()
    assert not (tmp_path / "data" / "state.json").exists()  # nor a state file
    assert secret_service.items() == {}
    assert services.config_path is None


OLD_CONFIG = """\
# written by hand, long ago
active_profile = "default"

[profiles.default]   # our EU org
site = "EU1"
last_application_id = "{app}"
last_view_name = "/cart"
last_device_type = "mobile"
"""


async def test_an_old_config_resumes_the_same_view_and_its_keys_move_to_the_state(
    server: DevServer, config_path: Path
) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text(OLD_CONFIG.format(app=app_id(server)))
    before = config_path.read_bytes()
    app = shell_app(server, config_path, env=DEMO_ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        assert (browser.application_name, browser.view, browser.device) == ("Shop Web", "/cart", "mobile")
        # Adopted into the state at start; the config file is not touched by reading it.
        position = saved_position()
        assert position is not None and (position.view_name, position.device_type) == ("/cart", "mobile")
        assert config_path.read_bytes() == before
        # The person's next change of the config (a theme) takes the old keys out, and only them.
        app.theme = "dracula"
        await settle(pilot)
    text = config_path.read_text()
    assert "last_" not in text
    assert text.startswith("# written by hand, long ago\n") and "[profiles.default]   # our EU org" in text
    assert 'theme = "dracula"' in text
    # And the next run resumes from the state alone.
    again = shell_app(server, config_path, env=DEMO_ENV)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = again.screen
        assert isinstance(browser, BrowserScreen)
        assert (browser.view, browser.device) == ("/cart", "mobile")


async def test_f1_shows_the_keys_of_every_dialog_and_question_mark_where_it_is_not_text(
    server: DevServer, config_path: Path
) -> None:
    """Issue 15, bug 4: a modal dialog hides the app's own bindings, so f1 did nothing there."""
    write_config(config_path, site="EU1")
    overrides = Overrides(application_id=app_id(server), view="/home")
    app = shell_app(server, config_path, env=DEMO_ENV, overrides=overrides)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        await pilot.press("a", "question_mark")  # typed into the name: text, not help
        assert app.screen is form and isinstance(app.focused, Input) and app.focused.value == "a?"
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Snapshot form" in help_plain(app) and "ctrl+s  Save" in help_plain(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form and isinstance(app.focused, Input) and app.focused.value == "a?"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")  # the delete confirmation: the focus is on Cancel, not on text
        await settle(pilot)
        confirm = app.screen
        assert type(confirm).__name__ == "ConfirmDelete"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and "Previous button" in help_plain(app)
        await pilot.press("f1")  # f1 again closes the help
        await settle(pilot)
        assert app.screen is confirm
