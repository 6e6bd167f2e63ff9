"""The browser's view catalog, without Textual: typed views, discovered ones, lists cut short."""

from __future__ import annotations

from heatmap_tui.core.rum_models import ViewCount
from heatmap_tui.ui.widgets.view_catalog import ViewCatalog


def counted(*pairs: tuple[str, int]) -> list[ViewCount]:
    return [ViewCount(name=name, count=count) for name, count in pairs]


def test_known_views_keep_their_order_once_each() -> None:
    catalog = ViewCatalog(["/home", "/cart", "/home"])
    assert catalog.views == ["/home", "/cart"]
    assert catalog.discovered is None and catalog.counts == {}
    assert catalog.add("/checkout") and not catalog.add("/cart")
    assert catalog.views == ["/home", "/cart", "/checkout"]


def test_discovered_views_come_first_busiest_first_then_the_others() -> None:
    catalog = ViewCatalog(["/typed", "/cart"])
    catalog.found(counted(("/cart", 90), ("/home", 40)))
    assert catalog.views == ["/cart", "/home", "/typed"]
    assert catalog.counts == {"/cart": 90, "/home": 40}
    assert catalog.add("/later") and catalog.views[-1] == "/later"


def test_views_given_with_their_discovery_are_merged_at_once() -> None:
    catalog = ViewCatalog(["/typed"], counted(("/home", 3)))
    assert catalog.views == ["/home", "/typed"]
    assert catalog.discovered == counted(("/home", 3))


def test_an_empty_discovery_is_an_answer() -> None:
    catalog = ViewCatalog(["/home"], [])
    assert catalog.discovered == [] and catalog.views == ["/home"]


def test_the_views_cut_short_are_those_listed_that_came_back_full() -> None:
    catalog = ViewCatalog(["/a", "/b", "/c"])
    catalog.listed(catalog.views, {"/c", "/a", "/elsewhere"})
    assert catalog.cut == ("/a", "/c")  # in the catalog's order
    catalog.listed(["/b"], {"/a"})
    assert catalog.cut == ()


def test_the_views_handed_out_are_copies() -> None:
    catalog = ViewCatalog(["/home"])
    catalog.views.append("/not-added")
    assert catalog.views == ["/home"]
