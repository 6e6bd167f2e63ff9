"""Credentials: the keyring store, resolution order, validated saving, broken and hung keyrings."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.compat import properties
from keyring_harness import SecretServiceHarness
from pydantic import SecretStr

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.config import Config
from heatmap_tui.core.credentials import (
    CheckFailed,
    CredentialsError,
    InvalidKey,
    KeyRejected,
    Source,
    aresolve_credentials,
    resolve_credentials,
    save_validated,
)
from heatmap_tui.core.keyring_access import (
    KeyKind,
    KeyringFailure,
    KeyringStore,
    KeyringTimeout,
    KeyringUnavailable,
)
from heatmap_tui.core.sites import custom_site, get_site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY, DEMO_BEARER_TOKEN, DevServer

API = KeyKind.API_KEY
APP = KeyKind.APP_KEY
TOKEN = KeyKind.BEARER_TOKEN
NO_ENV: dict[str, str] = {}


def sent_headers(auth: ApiAuth) -> dict[str, str]:
    """The key headers the auth hook puts on a request: the only way keys reach one."""
    request = next(auth.sync_auth_flow(httpx.Request("GET", "https://api.datadoghq.com/api/v2/x")))
    names = ("DD-API-KEY", "DD-APPLICATION-KEY", "Authorization")
    return {name: request.headers[name] for name in names if name in request.headers}


@pytest.fixture
def store(secret_service_keyring: KeyringBackend) -> KeyringStore:
    return KeyringStore(secret_service_keyring, timeout=10)


# --- the real Secret Service ------------------------------------------------------------------


@pytest.mark.keyring
def test_store_reads_and_deletes_per_profile(
    store: KeyringStore, secret_service: SecretServiceHarness
) -> None:
    store.set("work", API, SecretStr("work-api-0001"))
    store.set("work", APP, SecretStr("work-app-0001"))
    store.set("home", API, SecretStr("home-api-0002"))
    assert secret_service.items() == {
        "work:api_key": "work-api-0001",
        "work:app_key": "work-app-0001",
        "home:api_key": "home-api-0002",
    }
    assert store.get("work", API) == SecretStr("work-api-0001")
    assert store.get("home", APP) is None
    assert store.get_all("work") == {API: SecretStr("work-api-0001"), APP: SecretStr("work-app-0001")}

    assert store.delete("work", API) is True
    assert store.delete("work", API) is False
    assert store.delete_profile("work") == [APP]
    assert secret_service.items() == {"home:api_key": "home-api-0002"}


@pytest.mark.keyring
def test_status_names_the_backend(store: KeyringStore) -> None:
    status = store.status()
    assert status.available and status.backend == "SecretService Keyring" and status.message is None


@pytest.mark.keyring
def test_default_store_uses_the_configured_keyring(
    store: KeyringStore, secret_service: SecretServiceHarness
) -> None:
    KeyringStore().set("p", API, SecretStr("via-default-backend"))
    assert secret_service.items() == {"p:api_key": "via-default-backend"}


@pytest.mark.keyring
def test_keyring_is_the_last_resort(store: KeyringStore) -> None:
    store.set("default", API, SecretStr("keyring-api-1111"))
    store.set("default", APP, SecretStr("keyring-app-2222"))
    creds = resolve_credentials("default", env=NO_ENV, store=store)
    assert (creds.api_key.source, creds.app_key.source) == (Source.KEYRING, Source.KEYRING)
    assert creds.bearer_token.source is Source.MISSING
    assert sent_headers(creds.auth) == {
        "DD-API-KEY": "keyring-api-1111",
        "DD-APPLICATION-KEY": "keyring-app-2222",
    }
    assert creds.missing_message() is None and creds.keyring_problem is None


@pytest.mark.keyring
def test_env_wins_over_the_keyring_key_by_key(store: KeyringStore) -> None:
    store.set("default", API, SecretStr("keyring-api-1111"))
    store.set("default", APP, SecretStr("keyring-app-2222"))
    creds = resolve_credentials("default", env={"DD_API_KEY": "env-api-key-3333"}, store=store)
    assert creds.api_key.source is Source.ENV and creds.api_key.value == SecretStr("env-api-key-3333")
    assert creds.app_key.source is Source.KEYRING

    both = {"DD_API_KEY": "env-api-key-3333", "DD_APP_KEY": "env-app-key-4444"}
    creds = resolve_credentials("default", env=both, store=store)
    assert (creds.api_key.source, creds.app_key.source) == (Source.ENV, Source.ENV)
    assert sent_headers(creds.auth)["DD-APPLICATION-KEY"] == "env-app-key-4444"


@pytest.mark.keyring
def test_flags_win_over_env(store: KeyringStore) -> None:
    store.set("default", APP, SecretStr("keyring-app-2222"))
    env = {"DD_API_KEY": "env-api-key-3333", "DD_APP_KEY": "env-app-key-4444"}
    creds = resolve_credentials("default", api_key="flag-api-key-5555", env=env, store=store)
    assert (creds.api_key.source, creds.app_key.source) == (Source.FLAG, Source.ENV)
    assert sent_headers(creds.auth) == {
        "DD-API-KEY": "flag-api-key-5555",
        "DD-APPLICATION-KEY": "env-app-key-4444",
    }


@pytest.mark.keyring
def test_a_token_in_the_keyring_loses_to_a_pair_from_env(store: KeyringStore) -> None:
    store.set("default", TOKEN, SecretStr("ddpat_keyring_token_9999"))
    creds = resolve_credentials("default", env=NO_ENV, store=store)
    assert creds.uses_bearer_token and sent_headers(creds.auth) == {
        "Authorization": "Bearer ddpat_keyring_token_9999"
    }
    env = {"DD_API_KEY": "env-api-key-3333", "DD_APP_KEY": "env-app-key-4444"}
    creds = resolve_credentials("default", env=env, store=store)
    assert not creds.uses_bearer_token and "DD-API-KEY" in sent_headers(creds.auth)


async def test_resolution_from_async_code(store: KeyringStore) -> None:
    store.set("default", API, SecretStr("keyring-api-1111"))
    creds = await aresolve_credentials("default", env=NO_ENV, store=store)
    assert creds.api_key.source is Source.KEYRING
    assert creds.app_key.source is Source.MISSING
    message = creds.missing_message() or ""
    assert "No application key for profile 'default'" in message and "DD_APP_KEY" in message


# --- the site -----------------------------------------------------------------------------


def test_site_order_is_flag_env_config_default() -> None:
    config = Config()
    config.ensure_profile("default", get_site("US5"))
    env = {"DD_SITE": "datadoghq.eu", "DD_API_KEY": "a" * 32, "DD_APP_KEY": "b" * 40}
    unused = KeyringStore(fail.Keyring())  # the pair comes from env: the keyring is not asked

    def site(**kw: object) -> tuple[str, Source]:
        creds = resolve_credentials("default", store=unused, **kw)  # type: ignore[arg-type]
        return creds.site.label, creds.site_source

    assert site(config=config, env=env, site="AP1") == ("AP1", Source.FLAG)
    assert site(config=config, env=env, api_url="http://127.0.0.1:9") == ("http://127.0.0.1:9", Source.FLAG)
    assert site(config=config, env=env) == ("EU1", Source.ENV)
    assert site(config=config, env={k: v for k, v in env.items() if k != "DD_SITE"}) == ("US5", Source.CONFIG)
    assert site(config=Config(), env={**env, "DD_SITE": ""}) == ("US1", Source.DEFAULT)


# --- saving only what the site accepts ------------------------------------------------------


@pytest.mark.keyring
async def test_valid_keys_are_stored(
    store: KeyringStore, secret_service: SecretServiceHarness, devserver: DevServer
) -> None:
    site = custom_site(devserver.url)
    saved = await save_validated("default", site, DEMO_API_KEY, DEMO_APP_KEY, store=store)
    assert saved.message == (
        f"Stored the keys of profile 'default' ({devserver.url}) in the OS keyring (SecretService Keyring)."
    )
    assert secret_service.items() == {"default:api_key": DEMO_API_KEY, "default:app_key": DEMO_APP_KEY}


@pytest.mark.keyring
async def test_a_token_replaces_the_pair(
    store: KeyringStore, secret_service: SecretServiceHarness, devserver: DevServer
) -> None:
    site = custom_site(devserver.url)
    await save_validated("default", site, DEMO_API_KEY, DEMO_APP_KEY, store=store)
    saved = await save_validated("default", site, bearer_token=DEMO_BEARER_TOKEN, store=store)
    assert "access token" in saved.message
    assert secret_service.items() == {"default:bearer_token": DEMO_BEARER_TOKEN}


@pytest.mark.keyring
async def test_a_rejected_application_key_is_not_stored(
    store: KeyringStore, secret_service: SecretServiceHarness, devserver: DevServer
) -> None:
    site = custom_site(devserver.url)
    wrong_app = "feedface" * 5
    with pytest.raises(KeyRejected) as info:
        await save_validated("default", site, DEMO_API_KEY, wrong_app, store=store)
    assert info.value.kind is APP
    assert str(info.value) == f"The application key was rejected by {devserver.url}. Nothing was stored."
    assert wrong_app not in str(info.value) and DEMO_API_KEY not in str(info.value)
    assert secret_service.items() == {}


@pytest.mark.keyring
async def test_a_rejected_api_key_is_named(
    store: KeyringStore, secret_service: SecretServiceHarness, devserver: DevServer
) -> None:
    store.set("default", API, SecretStr("previously-stored-key"))
    with pytest.raises(KeyRejected, match="The API key was rejected") as info:
        await save_validated("default", custom_site(devserver.url), "0" * 32, DEMO_APP_KEY, store=store)
    assert info.value.kind is API
    assert secret_service.items() == {"default:api_key": "previously-stored-key"}  # untouched


def test_the_site_label_names_the_site() -> None:
    error = KeyRejected(APP, get_site("US5"))
    assert str(error) == "The application key was rejected by US5."


@pytest.mark.keyring
async def test_a_failed_check_stores_nothing(
    store: KeyringStore, secret_service: SecretServiceHarness, devserver: DevServer
) -> None:
    devserver.app.faults.fail_next(400, path_prefix="/api/v2/validate_keys")
    with pytest.raises(CheckFailed, match="nothing was stored") as info:
        await save_validated("default", custom_site(devserver.url), DEMO_API_KEY, DEMO_APP_KEY, store=store)
    assert "HTTP 400" in str(info.value)
    assert secret_service.items() == {}


@pytest.mark.keyring
async def test_an_unreachable_site_stores_nothing(
    store: KeyringStore, secret_service: SecretServiceHarness
) -> None:
    with DevServer(seed=False) as server:
        url = server.url  # a port that was just free and is closed again below
    with pytest.raises(CheckFailed, match="could not connect"):
        await save_validated("default", custom_site(url), DEMO_API_KEY, DEMO_APP_KEY, store=store)
    assert secret_service.items() == {}


async def test_keys_must_look_like_keys() -> None:
    store = KeyringStore(fail.Keyring())
    with pytest.raises(CredentialsError, match="No application key was given"):
        await save_validated("default", get_site("US1"), "abc", "  ", store=store)
    with pytest.raises(CredentialsError, match="API key contains spaces"):
        await save_validated("default", get_site("US1"), "ab c", "def", store=store)


# --- keys are checked where they are found ---------------------------------------------------

BAD_KEYS = {
    "short": "0123456789abcde",  # 15: a cut paste
    "long": "0" * 257,
    "non-ASCII": "clé0123456789abcdef0123456789abc",
    "inner space": "0123456789abcdef 0123456789abcde",
    "escape": "0123456789abcdef\x1b[2J0123456789abc",
    "newline": "0123456789abcdef\r\nX-Evil: 0123456789",
    "bidi": "0123456789abcdef\u202e0123456789abcde",
}
GOOD_KEYS = [
    DEMO_API_KEY,
    DEMO_APP_KEY,
    DEMO_BEARER_TOKEN,
    "0" * 16,
    "f" * 256,
    "LEAKCANARY0123456789abcdef0000",
]


def assert_names_source_not_key(error: InvalidKey, where: str, key: str) -> None:
    text = str(error)
    assert f"from {where} is not a usable key" in text and text.endswith(f"Check {where}."), text
    for piece in {key[i : i + 8] for i in range(len(key) - 7)} | {key.strip()[-4:]}:
        assert piece not in text and piece not in repr(error), (piece, text)


@pytest.mark.parametrize("name", list(BAD_KEYS))
def test_a_key_from_a_flag_or_the_environment_that_cannot_be_one_is_named_by_source(name: str) -> None:
    key = BAD_KEYS[name]
    with pytest.raises(InvalidKey) as info:
        resolve_credentials("default", api_key=key, app_key=DEMO_APP_KEY, env=NO_ENV)
    assert_names_source_not_key(info.value, "the --api-key flag", key)
    with pytest.raises(InvalidKey) as info:
        resolve_credentials("default", env={"DD_API_KEY": DEMO_API_KEY, "DD_APP_KEY": key})
    assert_names_source_not_key(info.value, "DD_APP_KEY", key)
    assert info.value.kind is APP


@pytest.mark.keyring
@pytest.mark.parametrize("name", ["short", "non-ASCII", "escape"])
def test_a_key_from_the_keyring_that_cannot_be_one_is_named_by_profile(
    store: KeyringStore, name: str
) -> None:
    key = BAD_KEYS[name]
    store.set("work", API, SecretStr(key))
    store.set("work", APP, SecretStr(DEMO_APP_KEY))
    with pytest.raises(InvalidKey) as info:
        resolve_credentials("work", env=NO_ENV, store=store)
    assert_names_source_not_key(info.value, "the OS keyring (profile 'work')", key)
    # The environment still wins over the keyring, so a good pair there never reads the bad key.
    creds = resolve_credentials(
        "work", env={"DD_API_KEY": DEMO_API_KEY, "DD_APP_KEY": DEMO_APP_KEY}, store=store
    )
    assert creds.is_complete


@pytest.mark.parametrize("key", GOOD_KEYS)
def test_real_demo_and_test_keys_pass_the_check(key: str) -> None:
    creds = resolve_credentials("default", api_key=key, env={"DD_APP_KEY": DEMO_APP_KEY})
    assert creds.api_key.value == SecretStr(key) and creds.app_key.source is Source.ENV


# --- no keyring, a hung keyring, a failing keyring ---------------------------------------------

FAIL_MESSAGE = (
    "No OS keyring is available (keyring backend: fail Keyring). "
    "Set DD_API_KEY and DD_APP_KEY in the environment instead."
)


def test_the_fail_backend_is_reported_not_raised() -> None:
    store = KeyringStore(fail.Keyring())
    status = store.status()
    assert not status.available and status.backend == "fail Keyring"
    assert status.message == FAIL_MESSAGE
    with pytest.raises(KeyringUnavailable) as info:
        store.get("default", API)
    assert str(info.value) == FAIL_MESSAGE


def test_the_null_backend_is_no_keyring_either() -> None:
    assert KeyringStore(null.Keyring()).status().message == FAIL_MESSAGE.replace(
        "fail Keyring", "null Keyring"
    )


def test_the_default_keyring_set_to_fail_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert KeyringStore().status().message == FAIL_MESSAGE
    finally:
        keyring.set_keyring(previous)


def test_without_a_keyring_env_keys_still_work() -> None:
    store = KeyringStore(fail.Keyring())
    creds = resolve_credentials("default", env={"DD_API_KEY": "env-api-key-3333"}, store=store)
    assert creds.api_key.source is Source.ENV and creds.app_key.source is Source.MISSING
    assert isinstance(creds.keyring_problem, KeyringUnavailable)
    assert FAIL_MESSAGE in (creds.missing_message() or "")


async def test_saving_without_a_keyring_says_so(devserver: DevServer) -> None:
    with pytest.raises(KeyringUnavailable, match="No OS keyring is available"):
        await save_validated(
            "default",
            custom_site(devserver.url),
            DEMO_API_KEY,
            DEMO_APP_KEY,
            store=KeyringStore(fail.Keyring()),
        )


class ExplicitOnlyBackend(KeyringBackend):
    """Never auto-detected: keyring chains every *viable* KeyringBackend subclass it knows of,
    test classes included, and a backend whose priority raises is not viable."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("a test backend, only ever used explicitly")


class HungKeyring(ExplicitOnlyBackend):
    """Like a locked collection whose unlock prompt nobody answers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait(30)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.get_password(service, username)

    def delete_password(self, service: str, username: str) -> None:
        self.get_password(service, username)


@pytest.fixture
def hung() -> Iterator[HungKeyring]:
    backend = HungKeyring()
    yield backend
    backend.release.set()  # let the stuck daemon thread finish


def test_a_hung_keyring_times_out(hung: HungKeyring) -> None:
    store = KeyringStore(hung, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(KeyringTimeout, match=r"did not answer within 0\.2 s"):
        store.get("default", API)
    assert time.monotonic() - started < 2

    # While the first call still hangs, later ones fail at once instead of piling up.
    started = time.monotonic()
    with pytest.raises(KeyringTimeout, match="still not answered"):
        store.set("default", API, SecretStr("x" * 32))
    assert time.monotonic() - started < 0.15 and hung.calls == 1

    creds = resolve_credentials("default", env={"DD_API_KEY": "env-api-key-3333"}, store=store)
    assert isinstance(creds.keyring_problem, KeyringTimeout) and creds.api_key.source is Source.ENV

    hung.release.set()  # the user unlocked the keyring: it answers again
    deadline = time.monotonic() + 5
    while store.status().available is False and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.get("default", API) is None


def test_a_hung_keyring_status_is_described(hung: HungKeyring) -> None:
    hung_get = KeyringStore(hung, timeout=0.2)
    with pytest.raises(KeyringTimeout):
        hung_get.get("default", API)
    status = hung_get.status()
    assert not status.available and "DD_API_KEY" in (status.message or "")


class BrokenKeyring(ExplicitOnlyBackend):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"D-Bus said no to {password}")  # a backend that echoes the secret

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("No such password!")


def test_backend_errors_are_plain_and_never_quote_the_key() -> None:
    store = KeyringStore(BrokenKeyring())
    with pytest.raises(KeyringFailure, match="is locked; unlock it"):
        store.get("default", API)
    with pytest.raises(KeyringFailure) as info:
        store.set("default", API, SecretStr("SECRETVALUE1234567890"))
    assert "SECRETVALUE" not in str(info.value) and "[redacted]" in str(info.value)
    assert store.delete("default", API) is False


# --- secrets stay hidden ----------------------------------------------------------------------


def test_reprs_show_at_most_four_characters() -> None:
    key = "abcdefabcdefabcdefabcdefabcd9876"
    creds = resolve_credentials(
        "default", api_key=key, app_key=key[::-1], env=NO_ENV, store=KeyringStore(fail.Keyring())
    )
    for text in (repr(creds), str(creds), repr(creds.api_key), repr(creds.auth), str(creds.keys)):
        assert key not in text and key[::-1] not in text and key[:8] not in text
    assert creds.api_key.fingerprint == "…9876"
