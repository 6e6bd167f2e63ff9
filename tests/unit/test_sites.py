import pytest

from heatmap_tui.core.sites import SITES, SiteError, custom_site, get_site, resolve_site


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("US5", "US5"),
        ("eu1", "EU1"),
        ("datadoghq.eu", "EU1"),
        ("api.us3.datadoghq.com", "US3"),
        ("ddog-gov.com", "US1-FED"),
        ("datadoghq.com", "US1"),
        ("uk1.datadoghq.com", "UK1"),
    ],
)
def test_lookup_by_name_or_domain(key: str, name: str) -> None:
    assert get_site(key).name == name


def test_every_site_has_api_and_web_urls() -> None:
    assert len(SITES) == 9
    eu = get_site("EU1")
    assert eu.api_url == "https://api.datadoghq.eu"
    assert eu.web_url == "https://app.datadoghq.eu"
    assert get_site("US3").web_url == "https://us3.datadoghq.com"


def test_unknown_site_lists_the_known_ones() -> None:
    with pytest.raises(SiteError, match=r"unknown Datadog site 'mars'.*US5"):
        get_site("mars")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8126", "http://localhost:9/", "http://[::1]:80", "https://dd.example.com/base/"]
)
def test_custom_urls_allowed(url: str) -> None:
    site = custom_site(url)
    assert site.is_custom
    assert not site.api_url.endswith("/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5:8080", "plain http is only allowed on loopback"),
        ("http://example.com", "plain http is only allowed on loopback"),
        ("ftp://127.0.0.1", "not an http"),
        ("127.0.0.1:8080", "not an http"),
        ("https://x.example.com/?a=1", "must not carry a query"),
    ],
)
def test_custom_urls_refused(url: str, message: str) -> None:
    with pytest.raises(SiteError, match=message):
        custom_site(url)


def test_resolve_prefers_custom_url_then_name_then_default() -> None:
    assert resolve_site("EU1", "http://127.0.0.1:1").is_custom
    assert resolve_site("EU1").name == "EU1"
    assert resolve_site().name == "US1"
