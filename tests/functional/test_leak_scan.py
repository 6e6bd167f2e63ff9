"""A whole TUI session with distinctive keys, then a scan of everything it left for those keys.

The dev server accepts only a canary key pair. HOME, XDG_*, HEATMAP_TUI_CONFIG and
HEATMAP_TUI_DATA all point under tmp_path; no OS keyring is available (the fail backend), so the
keys are typed into the credentials form (one rejected attempt first) and kept for the session.
The session browses, edits, deletes one snapshot (to the trash), hits a 500 on a refresh, exports
the loaded snapshots, and captures the screen as SVG after each step. Then every file under
tmp_path, the captures, the log records (DEBUG) and the captured stdout/stderr are scanned for each
key, its last 8 characters and its base64 (standard and urlsafe, at every alignment): zero hits.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import pytest
from faults import report
from textual.pilot import Pilot
from textual.widgets import Input, Static

from heatmap_tui.core.transfer import export_snapshots
from heatmap_tui.devserver import DEMO_USER, DevServer, KeyRing
from heatmap_tui.ui.dialogs.confirm_dialog import ConfirmDelete
from heatmap_tui.ui.dialogs.credentials_form import CredentialsForm
from heatmap_tui.ui.dialogs.snapshot_form import SnapshotForm
from heatmap_tui.ui.screens.app_picker import AppPicker
from heatmap_tui.ui.screens.browser import BrowserScreen
from heatmap_tui.ui.screens.site_picker import SitePicker
from tests.apps.shell_app import NOW, SIZE, no_keyring, notifications, settle, shell_app

# Distinctive through to the last 8 characters, so a hit can only be a leak.
CANARY_API_KEY = "LEAKCANARYAPI0123456789abcdefK9QZ"
CANARY_APP_KEY = "LEAKCANARYAPP0123456789abcdef0000XQ7ZK9W"
REJECTED_APP_KEY = "LEAKWRONGAPPK0123456789abcdef0000JR4VY2T"  # typed in the rejected attempt
SECRETS = (CANARY_API_KEY, CANARY_APP_KEY, REJECTED_APP_KEY)
PATH = "/api/v2/replay/heatmap/snapshots"


def forms_of(secret: str) -> dict[str, bytes]:
    """The secret, its last 8 characters, and its base64 (standard and urlsafe) at every alignment."""
    raw = secret.encode()
    forms = {"raw": raw, "last8": raw[-8:]}
    for offset in range(3):
        for name, encode in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
            encoded = encode(b"\0" * offset + raw)
            # Drop the chunks a neighbouring byte would change.
            forms[f"{name}@{offset}"] = encoded[4 if offset else 0 : -4]
    return forms


def test_forms_of_finds_every_encoding() -> None:
    for secret in SECRETS:
        found = forms_of(secret)
        for prefix in (b"", b"x", b"xy"):
            blob = prefix + b"user:" + secret.encode() + b"!"
            for encode in (base64.b64encode, base64.urlsafe_b64encode):
                assert any(form in encode(blob) for name, form in found.items() if name.startswith("b64"))
        assert found["last8"] in b"...." + secret[-8:].encode()


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_RUNTIME_DIR", "run"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(home / sub))
    for name in ("DD_API_KEY", "DD_APP_KEY", "DD_APPLICATION_KEY", "DD_SITE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("HEATMAP_TUI_CONFIG", str(config))
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))
    return config


def fill(app: Any, **values: str) -> None:
    for widget_id, value in values.items():
        app.screen.query_one(f"#{widget_id}", Input).value = value


async def test_a_whole_session_leaks_no_key(
    tmp_path: Path,
    isolated_env: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    caplog.set_level(logging.DEBUG)
    captures = tmp_path / "captures"
    captures.mkdir()
    svgs: list[str] = []
    keys = KeyRing({(CANARY_API_KEY, CANARY_APP_KEY): DEMO_USER})

    with DevServer(seed=True, now=NOW, keys=keys) as server:
        app = shell_app(server, isolated_env, store=no_keyring(), env={})

        async with app.run_test(size=SIZE) as pilot:

            async def capture(name: str) -> None:
                await settle(pilot)
                svg = app.export_screenshot(title=name)
                (captures / f"{len(svgs):02d}-{name}.svg").write_text(svg)
                svgs.append(svg)

            async def press(*names: str) -> None:
                await pilot.press(*names)
                await settle(pilot)

            await settle(pilot)
            assert isinstance(app.screen, SitePicker)
            await capture("site-picker")

            # Keys: one rejected attempt, then the right pair.
            await press("j", "j", "enter")  # US1 -> US5
            assert isinstance(app.screen, CredentialsForm)
            fill(app, **{"api-key": CANARY_API_KEY, "app-key": REJECTED_APP_KEY})
            await press("ctrl+s")
            assert isinstance(app.screen, CredentialsForm)
            assert "rejected" in str(app.screen.query_one("#cred-error", Static).render())
            await capture("credentials-rejected")
            fill(app, **{"app-key": CANARY_APP_KEY})
            await press("ctrl+s")
            assert isinstance(app.screen, AppPicker)
            assert any("session only" in n for n in notifications(app))
            await capture("app-picker")

            # Browse.
            await press("w", "e", "b", "enter")
            browser = app.screen
            assert isinstance(browser, BrowserScreen) and browser.application_name == "Shop Web"
            table = browser.table
            assert table.model.total_count > 2
            await capture("browser")
            await press("j", "J")
            await capture("browser-detail")
            await press("escape")

            # Edit a snapshot.
            target = table.cursor_snapshot
            assert target is not None
            await press("e")
            assert isinstance(app.screen, SnapshotForm)
            fill(app, **{"f-start": "2:00.250"})
            await capture("edit-form")
            await press("ctrl+s")
            assert app.screen is browser
            stored = server.store.get_snapshot(target.id)
            assert stored is not None and stored.attributes.start == 120_250
            await capture("edited")

            # Delete one (to the trash).
            doomed = table.cursor_snapshot
            assert doomed is not None
            await press("d")
            assert isinstance(app.screen, ConfirmDelete)
            await capture("delete-confirm")
            await pilot.click("#delete")
            await settle(pilot)
            assert app.screen is browser and server.store.get_snapshot(doomed.id) is None
            assert table.model.index_of(doomed.id) is None
            await capture("deleted")

            # An error: a 500 on every try of a refresh.
            server.faults.fail_next(500, count=3, method="GET", path_prefix=PATH)
            await press("r")
            assert app.screen is browser
            assert any("HTTP 500" in n for n in notifications(app))
            await capture("refresh-500")
            server.faults.clear()
            await press("r")
            await capture("refreshed")

            # Export what the table holds.
            loaded = table.model.snapshots
            assert export_snapshots(loaded, tmp_path / "export" / "snapshots.json") == len(loaded)

            # The trash, where the deleted one went.
            await press("T")
            await capture("trash")

    assert server.count("DELETE", PATH, status=204) + server.count("DELETE", PATH, status=200) == 1
    out, err = capsys.readouterr()

    # --- the scan ---------------------------------------------------------------------------
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert isolated_env in files and len([p for p in files if p.suffix == ".svg"]) == len(svgs)
    assert any(p.relative_to(tmp_path).parts[0] == "data" for p in files), "the trash was not written"
    assert (tmp_path / "export" / "snapshots.json") in files
    blobs: dict[str, bytes] = {str(p.relative_to(tmp_path)): p.read_bytes() for p in files}
    blobs.update({f"capture {i}": svg.encode() for i, svg in enumerate(svgs)})
    log_texts = [caplog.text]
    for record in caplog.records:
        log_texts.append(record.getMessage())
        log_texts.append(repr(record.args))
        log_texts.append(repr(record.__dict__))
    blobs.update({f"log {i}": text.encode() for i, text in enumerate(log_texts)})
    blobs["stdout"], blobs["stderr"] = out.encode(), err.encode()

    hits = [
        f"{secret[:17]}.. {form_name} in {where}"
        for secret in SECRETS
        for form_name, form in forms_of(secret).items()
        for where, blob in blobs.items()
        if form in blob
    ]
    file_bytes = sum(len(blobs[str(p.relative_to(tmp_path))]) for p in files)
    report(
        request.config,
        [
            f"leak scan: {len(files)} files under tmp_path ({file_bytes} bytes, {len(svgs)} SVG captures), "
            f"{len(caplog.records)} log records ({len(caplog.text)} chars), "
            f"stdout {len(out)} + stderr {len(err)} chars; "
            f"{len(SECRETS)} keys x {len(forms_of(CANARY_API_KEY))} forms: {len(hits)} hits",
            "  files: "
            + ", ".join(sorted(str(p.relative_to(tmp_path)) for p in files if p.suffix != ".svg")),
        ],
    )
    assert hits == []
