"""What the demo org is made of: its apps, their views, the people who save snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from heatmap_tui.devserver.auth import DEMO_USER, User

SEED = 20250611  # the RNG seed: the same `now` always yields the same org

WEB_URL = "https://shop.example.com"


@dataclass(frozen=True, slots=True)
class View:
    name: str  # the RUM view name: a URL path pattern on the web, a screen class on mobile
    title: str  # how snapshot names refer to it
    weight: int = 1  # how often sessions visit it


@dataclass(frozen=True, slots=True)
class AppSpec:
    name: str
    type: str
    active: bool
    devices: tuple[str, ...]
    views: tuple[View, ...]
    sessions: int  # replay sessions in the last 30 days
    snapshots: int
    # Deploys: (version, days ago it shipped), oldest first; an event carries the version live then.
    releases: tuple[tuple[str, int], ...] = ()
    old_sessions: int = 0  # sessions 30 to 90 days ago, whose replays are past retention


def version_at(spec: AppSpec, age_days: float) -> str | None:
    """The version `spec` ran `age_days` ago (None before its first release, or with none)."""
    live = [version for version, shipped in spec.releases if shipped >= age_days]
    return live[-1] if live else None


WEB_VIEWS = (
    View("/home", "Home", 10),
    View("/search", "Search", 6),
    View("/product/:id", "Product page", 8),
    View("/cart", "Cart", 5),
    View("/checkout", "Checkout", 4),
    View("/login", "Login", 3),
    View("/account", "Account", 2),
    View("/orders", "Orders", 2),
    View("/wishlist", "Wishlist", 2),
    View("/help", "Help center", 1),
    View("/settings", "Settings", 1),
    View("/blog", "Blog", 2),
    View("/blog/:slug", "Blog post", 2),
    View("/stores", "Store locator", 1),
)

IOS_VIEWS = (
    View("HomeViewController", "Home", 8),
    View("SearchViewController", "Search", 4),
    View("ProductViewController", "Product", 6),
    View("CartViewController", "Cart", 3),
    View("CheckoutViewController", "Checkout", 2),
    View("ProfileViewController", "Profile", 1),
)

ANDROID_VIEWS = (
    View("com.shop.app.HomeActivity", "Home", 8),
    View("com.shop.app.SearchActivity", "Search", 4),
    View("com.shop.app.ProductActivity", "Product", 6),
    View("com.shop.app.CartActivity", "Cart", 3),
    View("com.shop.app.CheckoutActivity", "Checkout", 2),
    View("com.shop.app.SettingsActivity", "Settings", 1),
)

LEGACY_VIEWS = (
    View("/", "Landing"),
    View("/dashboard", "Dashboard"),
    View("/reports", "Reports"),
)

APPS = (
    AppSpec(
        "Shop Web",
        "browser",
        True,
        ("desktop", "mobile", "tablet"),
        WEB_VIEWS,
        140,
        230,
        releases=(("2.3.1", 400), ("2.4.0", 40), ("2.5.0", 10)),
        old_sessions=60,
    ),
    AppSpec(
        "Shop iOS",
        "ios",
        True,
        ("mobile", "tablet"),
        IOS_VIEWS,
        50,
        45,
        releases=(("5.1.0", 300), ("5.2.0", 20)),
        old_sessions=20,
    ),
    AppSpec(
        "Shop Android",
        "android",
        True,
        ("mobile", "tablet"),
        ANDROID_VIEWS,
        50,
        45,
        releases=(("5.1.2", 300), ("5.2.1", 15)),
        old_sessions=20,
    ),
    # Inactive: no sessions in the last 30 days, only older ones, and only old snapshots.
    AppSpec(
        "Legacy Portal",
        "browser",
        False,
        ("desktop",),
        LEGACY_VIEWS,
        0,
        15,
        releases=(("1.8.4", 900), ("1.9.0", 200)),
        old_sessions=12,
    ),
)

AUTHORS = (
    DEMO_USER,
    User("Ada Lovelace", "ada.lovelace@shop.example", 1000002),
    User("Grace Hopper", "grace.hopper@shop.example", 1000003),
    User("Alan Turing", "alan.turing@shop.example", 1000004),
    User("Katherine Johnson", "katherine.johnson@shop.example", 1000005),
    User("Linus Pauling", "linus.pauling@shop.example", 1000006),
)

NAME_SUFFIXES = (
    "baseline",
    "after redesign",
    "Q3 review",
    "A/B variant B",
    "holiday banner",
    "new header",
    "dark mode",
    "promo carousel",
    "before launch",
    "sticky footer",
    "experiment 42",
    "accessibility pass",
)
