"""The Datadog sites, and custom base URLs for our own server."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    domain: str
    web_host: str
    custom_url: str | None = None

    @property
    def api_url(self) -> str:
        if self.custom_url is not None:
            return self.custom_url
        return f"https://api.{self.domain}"

    @property
    def web_url(self) -> str:
        if self.custom_url is not None:
            return self.custom_url
        return f"https://{self.web_host}"

    @property
    def is_custom(self) -> bool:
        return self.custom_url is not None

    @property
    def label(self) -> str:
        return self.custom_url if self.custom_url is not None else self.name


SITES: tuple[Site, ...] = (
    Site("US1", "datadoghq.com", "app.datadoghq.com"),
    Site("US3", "us3.datadoghq.com", "us3.datadoghq.com"),
    Site("US5", "us5.datadoghq.com", "us5.datadoghq.com"),
    Site("EU1", "datadoghq.eu", "app.datadoghq.eu"),
    Site("AP1", "ap1.datadoghq.com", "ap1.datadoghq.com"),
    Site("AP2", "ap2.datadoghq.com", "ap2.datadoghq.com"),
    Site("US1-FED", "ddog-gov.com", "app.ddog-gov.com"),
    Site("UK1", "uk1.datadoghq.com", "uk1.datadoghq.com"),
    Site("US2-FED", "us2.ddog-gov.com", "us2.ddog-gov.com"),
)

DEFAULT_SITE = SITES[0]


class SiteError(ValueError):
    """A site name, domain or custom URL that cannot be used."""


def get_site(key: str) -> Site:
    """Find a site by name ("US5"), domain ("datadoghq.eu") or API host ("api.datadoghq.eu")."""
    wanted = key.strip().lower()
    for site in SITES:
        if wanted in (site.name.lower(), site.domain, f"api.{site.domain}", site.web_host):
            return site
    known = ", ".join(f"{s.name} ({s.domain})" for s in SITES)
    raise SiteError(f"unknown Datadog site {key!r}; known sites: {known}")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport_url(url: str) -> None:
    """Keys travel in headers: refuse anything but https, or http on loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError(f"{url!r} is not an http(s) URL with a host")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise SiteError(f"plain http is only allowed on loopback addresses; use https for {parts.hostname}")


def custom_site(url: str) -> Site:
    """A site for a custom base URL: http only on loopback, https anywhere."""
    check_transport_url(url)
    parts = urlsplit(url.strip())
    if parts.query or parts.fragment:
        raise SiteError(f"{url!r} must not carry a query or fragment")
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return Site(name="custom", domain=parts.netloc, web_host=parts.netloc, custom_url=base)


def resolve_site(site: str | None = None, api_url: str | None = None) -> Site:
    """A custom URL wins over a site name; neither gives the default site (US1)."""
    if api_url:
        return custom_site(api_url)
    if site:
        return get_site(site)
    return DEFAULT_SITE
