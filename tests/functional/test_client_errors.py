"""Whatever fails inside a request comes out as the app's own error, with no chain and no key.

Real faults first: the embedded server mislabels a body, a key holds a character HTTP cannot
carry, a path holds one a URL cannot. Then, where no server can make the fault, a transport
raises each exception httpx and the codecs can raise. Every error must be an ApiError whose text
is a plain sentence, with no __cause__ and no __context__ (the chain would keep httpx's frames,
and with them the request and its headers), and no piece of a key anywhere in it.
"""

from __future__ import annotations

import traceback

import httpx
import pytest
from faults import NOT_PLAIN, RecordingSleep, make_client

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.errors import ApiError, BadRequest, InvalidResponse, RequestNotSent
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DevServer

APPS = "/api/v2/rum/applications"
API_KEY = "SCRUBAPI0123456789abcdefSCRUBAPI"  # 32 characters, like a real API key
APP_KEY = "SCRUBAPP0123456789abcdef0123456789SCRUBA"  # 40, like an application key


def pieces(*secrets: str) -> set[str]:
    return {s[i : i + 8] for s in secrets for i in range(len(s) - 7)}


def assert_clean(error: ApiError, *secrets: str) -> None:
    """A plain sentence, no chained exception, no 8-character piece of a key, in str or repr."""
    assert error.__cause__ is None and error.__context__ is None, repr(error.__context__)
    text = str(error)
    assert text.startswith("Could not ") and text.endswith("."), text
    for bad in NOT_PLAIN:
        assert bad not in text, f"{bad!r} in {text!r}"
    printed = "".join(traceback.format_exception(error)) + repr(error) + repr(vars(error))
    assert "httpx" not in "".join(traceback.format_exception(error)), printed
    leaked = [p for p in pieces(*secrets) if p in printed]
    assert leaked == [], leaked


def client_for(server: DevServer | str, auth: ApiAuth, transport: httpx.AsyncBaseTransport | None = None):
    url = server if isinstance(server, str) else server.url
    return DatadogClient(custom_site(url), auth, sleep=RecordingSleep(), transport=transport)


# --- faults a real server or a real key makes -------------------------------------------------


async def test_a_body_mislabelled_as_gzip_is_an_invalid_response(devserver: DevServer) -> None:
    devserver.faults.mislabel_next(path_prefix=APPS)
    async with make_client(devserver, RecordingSleep()) as client:
        with pytest.raises(InvalidResponse) as info:
            await RumService(client).list_applications()
        assert await RumService(client).list_applications()  # one-shot; the client still works
    assert "could not be decoded" in str(info.value)
    assert_clean(info.value, DEMO_API_KEY, DEMO_APP_KEY)
    assert devserver.count("GET", APPS) == 2  # a lying server is not asked again


@pytest.mark.parametrize(
    ("api_key", "why"),
    [
        ("clé-" + "0" * 28, "non-ASCII"),
        ("0" * 16 + "\r\nX-Evil: 1\r\n" + "0" * 6, "a header split"),
        ("0" * 16 + " " + "0" * 15, "a space"),
        ("0" * 16 + "\x00" + "0" * 15, "NUL"),
    ],
)
async def test_a_key_no_header_can_carry_is_never_sent(devserver: DevServer, api_key: str, why: str) -> None:
    async with client_for(devserver, ApiAuth(api_key, DEMO_APP_KEY)) as client:
        with pytest.raises(RequestNotSent) as info:
            await RumService(client).list_applications()
    assert "API key" in str(info.value) and "not sent" in str(info.value)
    assert_clean(info.value, api_key, DEMO_APP_KEY)
    assert devserver.requests == [], why


async def test_a_path_no_url_can_carry_is_refused(devserver: DevServer) -> None:
    async with make_client(devserver, RecordingSleep()) as client:
        with pytest.raises(RequestNotSent) as info:
            await client.request("read a thing", "GET", "/api/v2/\x00thing")
    assert_clean(info.value, DEMO_API_KEY, DEMO_APP_KEY)
    assert devserver.requests == []


# --- faults only a transport can make ---------------------------------------------------------


def _request() -> httpx.Request:
    return httpx.Request("GET", "http://127.0.0.1:9/x")


RAISED = {
    "ConnectError": lambda: httpx.ConnectError("no", request=_request()),
    "ReadError": lambda: httpx.ReadError("no", request=_request()),
    "ProxyError": lambda: httpx.ProxyError("no", request=_request()),
    "UnsupportedProtocol": lambda: httpx.UnsupportedProtocol("no", request=_request()),
    "LocalProtocolError": lambda: httpx.LocalProtocolError("Illegal header value b'" + API_KEY + "'"),
    "RemoteProtocolError": lambda: httpx.RemoteProtocolError("no", request=_request()),
    "DecodingError": lambda: httpx.DecodingError("no", request=_request()),
    "TooManyRedirects": lambda: httpx.TooManyRedirects("no", request=_request()),
    "HTTPStatusError": lambda: httpx.HTTPStatusError(
        "no", request=_request(), response=httpx.Response(500, request=_request())
    ),
    "InvalidURL": lambda: httpx.InvalidURL("bad url " + API_KEY),
    "CookieConflict": lambda: httpx.CookieConflict("no"),
    "StreamConsumed": lambda: httpx.StreamConsumed(),
    "ResponseNotRead": lambda: httpx.ResponseNotRead(),
    "UnicodeEncodeError": lambda: UnicodeEncodeError("ascii", API_KEY + "é", 32, 33, "no"),
    "UnicodeDecodeError": lambda: UnicodeDecodeError("utf-8", b"\xff" + APP_KEY.encode(), 0, 1, "no"),
    "LookupError": lambda: LookupError("unknown encoding: " + APP_KEY),
}


class Raising(httpx.AsyncBaseTransport):
    def __init__(self, make) -> None:
        self.make = make
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise self.make()


@pytest.mark.parametrize("name", list(RAISED))
async def test_every_library_exception_becomes_an_api_error(name: str) -> None:
    transport = Raising(RAISED[name])
    async with client_for("http://127.0.0.1:9", ApiAuth(API_KEY, APP_KEY), transport) as client:
        with pytest.raises(ApiError) as info:
            await client.request("list the snapshots of /home", "GET", "/api/v2/x")
    assert_clean(info.value, API_KEY, APP_KEY)
    assert 1 <= transport.calls <= 3


async def test_a_bug_below_the_client_is_not_dressed_up_as_an_api_error() -> None:
    # Not an HTTP or codec failure: it stays what it is (the crash-report tests show it holds no key).
    transport = Raising(lambda: RuntimeError("a bug"))
    async with client_for("http://127.0.0.1:9", ApiAuth(API_KEY, APP_KEY), transport) as client:
        with pytest.raises(RuntimeError):
            await client.request("list", "GET", "/api/v2/x")


# --- keys: one place, masked, scrubbed ----------------------------------------------------------


async def test_keys_reach_a_request_only_through_the_auth_hook(devserver: DevServer) -> None:
    auth = ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)
    async with client_for(devserver, auth) as client:
        assert client._http.auth is auth
        assert not any(k.lower().startswith(("dd-", "authorization")) for k in client._http.headers)
        assert await RumService(client).list_applications()  # the hook did put them on the request


def test_the_auth_object_shows_at_most_the_last_four_characters() -> None:
    auth = ApiAuth(API_KEY, APP_KEY)
    for text in (repr(auth), str(auth), f"{auth}", f"{auth!r}"):
        assert text == f"ApiAuth(api_key=…{API_KEY[-4:]}, app_key=…{APP_KEY[-4:]}, bearer_token=-)"
        assert [p for p in pieces(API_KEY, APP_KEY) if p in text] == []
        assert API_KEY[-5:] not in text and APP_KEY[-5:] not in text


@pytest.mark.parametrize(
    "echo",
    [
        f"invalid key {API_KEY}",
        f"invalid key {API_KEY[3:19]}…",  # a cut piece
        f"keys {API_KEY[:8]} and {APP_KEY[-9:]}",  # the first 8, the last 9
        f"quoted '{APP_KEY[10:30]}' and wrapped <{API_KEY[20:]}>",
    ],
)
async def test_server_messages_lose_every_eight_character_piece_of_a_key(echo: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"errors": [{"title": "Bad Request", "detail": echo}]})

    transport = httpx.MockTransport(answer)
    async with client_for("http://127.0.0.1:9", ApiAuth(API_KEY, APP_KEY), transport) as client:
        with pytest.raises(BadRequest) as info:
            await client.request("list the snapshots of /home", "GET", "/x")
    assert "[redacted]" in str(info.value)
    assert_clean(info.value, API_KEY, APP_KEY)


def test_scrub_leaves_other_text_alone() -> None:
    auth = ApiAuth(API_KEY, APP_KEY)
    assert auth.scrub("filter[view_name]: missing") == "filter[view_name]: missing"
    assert auth.scrub(f"a {API_KEY[:7]} b") == f"a {API_KEY[:7]} b"  # 7 characters tell nothing
    assert auth.scrub(f"x{API_KEY}y{APP_KEY}z") == "x[redacted]y[redacted]z"
