"""Plain http is for loopback only: keys must never travel unencrypted to another host.

A custom API URL with http:// and a host that is not a loopback address is refused before any
request is sent, wherever such a URL can come in (the site resolver, a profile in the config, the
command line). Every real request made here goes to loopback.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from faults import DEMO_AUTH, RecordingSleep, make_client

from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.config import Profile
from heatmap_tui.core.credentials import resolve_profile_site
from heatmap_tui.core.errors import ApiError, UnexpectedRedirect
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import Site, SiteError, custom_site, resolve_site

NOT_LOOPBACK = [
    "http://example.com",
    "http://api.datadoghq.com",
    "HTTP://API.DATADOGHQ.EU/",
    "http://10.0.0.5:8080",
    "http://192.168.1.10/api",
    "http://0.0.0.0:8126",  # every interface, not loopback
    "http://[::]:8126",
    "http://[2001:db8::1]:8126",
    "http://[::ffff:127.0.0.1]",  # an IPv4-mapped address: refused rather than reasoned about
    "http://localhost.example.com",
    "http://127.0.0.1.nip.io",
    "http://2130706433",  # 127.0.0.1 as one number: resolvers differ, so it is not trusted
    "http://127.1",
    "http://user:secret@example.com",
    "  http://example.com  ",
]
LOOPBACK = [
    "http://127.0.0.1:8126",
    "http://localhost:8126",
    "http://[::1]:8126",
    "http://127.0.0.2",
    "http://LOCALHOST/",
]


@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_custom_site_refuses_plain_http_off_loopback(url: str) -> None:
    with pytest.raises(SiteError) as info:
        custom_site(url)
    assert "plain http is only allowed on loopback" in str(info.value) or "not an http(s) URL" in str(
        info.value
    )
    for resolve in (
        lambda: resolve_site(api_url=url),
        lambda: Profile(api_url=url).resolve_site(),
        lambda: resolve_profile_site(None, "default", api_url=url, env={}),
    ):
        with pytest.raises(SiteError):
            resolve()


@pytest.mark.parametrize("url", LOOPBACK)
def test_plain_http_on_loopback_and_https_anywhere_are_fine(url: str) -> None:
    assert custom_site(url).api_url.startswith("http://")
    assert custom_site(url.replace("http://", "https://").replace("HTTP://", "https://")).api_url.startswith(
        "https://"
    )
    assert custom_site("https://example.com/dd").api_url == "https://example.com/dd"


def test_dd_site_cannot_smuggle_a_url() -> None:
    with pytest.raises(SiteError):
        resolve_profile_site(None, "default", env={"DD_SITE": "http://example.com"})


def test_a_profile_in_the_config_with_plain_http_is_a_config_error(tmp_path: Path) -> None:
    from heatmap_tui.core.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text('active_profile = "evil"\n\n[profiles.evil]\napi_url = "http://example.com"\n')
    with pytest.raises(ConfigError, match="plain http is only allowed on loopback"):
        load_config(path)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request any httpx client tries to send is recorded and refused."""
    sent: list[str] = []

    def refuse(self: object, request: httpx.Request, *args: object, **kwargs: object) -> httpx.Response:
        sent.append(str(request.url))
        raise httpx.ConnectError("the test forbids the network", request=request)

    async def refuse_async(
        self: object, request: httpx.Request, *args: object, **kwargs: object
    ) -> httpx.Response:
        return refuse(self, request)

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse_async)
    return sent


def test_the_command_line_refuses_before_sending_anything(
    no_network: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from heatmap_tui.cli import main

    monkeypatch.setenv("HEATMAP_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("DD_API_KEY", DEMO_AUTH.api_key.get_secret_value())  # type: ignore[union-attr]
    monkeypatch.setenv("DD_APP_KEY", DEMO_AUTH.app_key.get_secret_value())  # type: ignore[union-attr]
    code = main(["snapshots", "list", "--api-url", "http://example.com", "--view", "/home"])
    assert code == 2
    assert "plain http is only allowed on loopback" in capsys.readouterr().err
    assert no_network == []


async def test_the_client_refuses_a_hand_made_plain_http_site() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:  # stands in for example.com: no network
        sent.append(request)
        return httpx.Response(200, json={"status": "ok"})

    site = Site("evil", "example.com", "example.com", custom_url="http://example.com")
    try:
        client = DatadogClient(site, DEMO_AUTH, transport=httpx.MockTransport(answer))
    except SiteError:
        return
    async with client:
        with suppress(ApiError):
            await RumService(client).validate_keys()
    assert not sent, f"the keys went to {sent[0].url} in plain text ({', '.join(sorted(sent[0].headers))})"


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str]
    location: str | None

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(302 if self.location else 200)
        if self.location:
            self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_pair() -> Iterator[tuple[str, list[str], list[str]]]:
    """Two loopback servers: the first redirects everything to the second, which records hits."""
    first_hits: list[str] = []
    second_hits: list[str] = []
    second = ThreadingHTTPServer(
        ("127.0.0.1", 0), type("Second", (_Recorder,), {"hits": second_hits, "location": None})
    )
    target = f"http://127.0.0.1:{second.server_address[1]}/stolen"
    first = ThreadingHTTPServer(
        ("127.0.0.1", 0), type("First", (_Recorder,), {"hits": first_hits, "location": target})
    )
    threads = [
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        for s in (first, second)
    ]
    for t in threads:
        t.start()
    try:
        yield f"http://127.0.0.1:{first.server_address[1]}", first_hits, second_hits
    finally:
        for s in (first, second):
            s.shutdown()
            s.server_close()


async def test_a_redirect_is_never_followed(loopback_pair: tuple[str, list[str], list[str]]) -> None:
    """A server (or a proxy) cannot bounce the keys elsewhere: the client does not follow redirects."""
    url, first_hits, second_hits = loopback_pair
    async with make_client(url, RecordingSleep()) as client:
        with pytest.raises(ApiError) as info:
            await RumService(client).validate_keys()
    assert first_hits == ["/api/v2/validate_keys"] and second_hits == []
    assert info.value.status == 302 and str(info.value).startswith(f"Could not validate the keys on {url}: ")
    assert isinstance(info.value, UnexpectedRedirect) and "redirect" in str(info.value)


def test_a_plain_http_client_loads_no_ca_bundle_and_still_verifies() -> None:
    from heatmap_tui.core.client import _tls_for

    assert _tls_for("https://api.datadoghq.com") is True  # httpx's default: the CA bundle
    context = _tls_for("http://127.0.0.1:8126")
    assert not isinstance(context, bool)
    # Never used (plain http, no redirects), and were it ever: it trusts no certificate.
    assert context.cert_store_stats()["x509_ca"] == 0
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
