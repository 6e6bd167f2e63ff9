"""The Datadog sites, and custom base URLs for our own server.

Keys go in the headers of every request, so a custom URL is held to a few rules before any is
sent (`check_transport_url`): http only on loopback; no user name or password in it (and such a
URL is never repeated in a message); and no host that only looks like a Datadog one
(`datadoghq` or `ddog-gov` in a name outside Datadog's own domains). Any other custom host is
allowed once the person confirmed it (`needs_confirmation`; the profile remembers it).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from heatmap_tui.core.safe_text import has_control


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    domain: str
    web_host: str
    custom_url: str | None = None
    # The person confirmed that the keys may go to this custom host (not part of equality).
    trusted: bool = field(default=False, compare=False)

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

    @property
    def short_label(self) -> str:
        """The site as the status line names it: `US5`, or a custom host's domain."""
        return self.domain if self.is_custom else self.name


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
    raise SiteError(f"unknown Datadog site {redact_url(key)!r}; known sites: {known}")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redact_url(text: str) -> str:
    """`text` with whatever stands before an `@` in its host part (a user name, a password) cut.

    For messages: a URL someone typed with `user:password@` in it is never repeated as typed.
    """
    start = text.find("://")
    start = 0 if start < 0 else start + 3
    end = len(text)
    for stop in "/?#":
        found = text.find(stop, start)
        if found >= 0:
            end = min(end, found)
    at = text.rfind("@", start, end)
    return text if at < 0 else f"{text[:start]}…{text[at:]}"


def is_datadog_host(host: str) -> bool:
    """A host in one of the Datadog sites' own domains (api.datadoghq.eu, app.ddog-gov.com...)."""
    host = host.lower().rstrip(".")
    return any(host == site.domain or host.endswith(f".{site.domain}") for site in SITES)


_LOOKALIKE = re.compile(r"datadoghq|ddog-gov")


def resembled_site(host: str) -> Site | None:
    """The Datadog site a host that only looks like a Datadog one imitates; None if it does not.

    `datadoghq` or `ddog-gov` anywhere in a host that is not in Datadog's own domains
    (api.datadoghq.eu.evil.com, datadoghq.com.attacker.io, api-datadoghq.net) is a look-alike.
    """
    host = host.lower().rstrip(".")
    if not _LOOKALIKE.search(host) or is_datadog_host(host):
        return None

    def likeness(site: Site) -> int:
        if site.domain in host:  # the whole domain: api.datadoghq.eu.evil.com is EU1's
            return 2 * len(site.domain)
        stem = site.domain.rsplit(".", 1)[0]  # us5.datadoghq, ddog-gov
        return len(stem) if stem in host else 0

    best = max(SITES, key=likeness)
    if likeness(best) > 0:
        return best
    return next(s for s in SITES if s.name == ("US1-FED" if "ddog-gov" in host else "US1"))


def check_transport_url(url: str) -> None:
    """Keys travel in headers: refuse anything but https, or http on loopback; refuse a user name
    or password in the URL and a host that only looks like a Datadog one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError(f"{redact_url(url)!r} is not an http(s) URL with a host")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise SiteError(f"plain http is only allowed on loopback addresses; use https for {parts.hostname}")
    if "@" in parts.netloc:
        raise SiteError(
            f"a URL with a user name or password in it (…@{parts.hostname}) is refused: the keys are "
            "the only credentials sent; give the URL without the part before @"
        )
    resembled = resembled_site(parts.hostname)
    if resembled is not None:
        raise SiteError(
            f"{parts.hostname} looks like a Datadog host but is not one: it is not in any Datadog "
            f"domain. The Datadog site it resembles is {resembled.name} ({resembled.api_url}): "
            f"choose {resembled.name} to use that site"
        )


def custom_site(url: str) -> Site:
    """A site for a custom base URL: http only on loopback, https anywhere (see check_transport_url)."""
    check_transport_url(url)
    parts = urlsplit(url.strip())
    if parts.query or parts.fragment:
        raise SiteError(f"{redact_url(url)!r} must not carry a query or fragment")
    if has_control(url.strip()):  # no request can carry it (httpx refuses it mid-request)
        raise SiteError(f"{redact_url(url)!r} holds a control or invisible character")
    host = parts.netloc.lower()  # no user name in it (refused above); host names are case-blind
    base = f"{parts.scheme}://{host}{parts.path.rstrip('/')}"
    return Site(name="custom", domain=host, web_host=host, custom_url=base)


def needs_confirmation(site: Site) -> bool:
    """A custom host the keys may go to only once the person said so: not loopback, not in a
    Datadog domain, and not confirmed yet (`Site.trusted`)."""
    if not site.is_custom or site.trusted:
        return False
    host = urlsplit(site.api_url).hostname or ""
    return not (is_loopback_host(host) or is_datadog_host(host))


def confirmation_question(site: Site, profile: str) -> str:
    return (
        f"{site.domain} is not a Datadog site: the keys of profile {profile!r} will be sent to it. "
        "Do you trust this host with them?"
    )


def resolve_site(site: str | None = None, api_url: str | None = None) -> Site:
    """A custom URL wins over a site name; neither gives the default site (US1)."""
    if api_url:
        return custom_site(api_url)
    if site:
        return get_site(site)
    return DEFAULT_SITE
