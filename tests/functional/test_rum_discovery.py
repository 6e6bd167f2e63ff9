"""View discovery and replay view events through RUM analytics and events search, over loopback."""

from __future__ import annotations

import pytest

from heatmap_tui.core.auth import ApiAuth
from heatmap_tui.core.client import DatadogClient
from heatmap_tui.core.rum import RumService, view_events_query
from heatmap_tui.core.sites import custom_site
from heatmap_tui.devserver import DEMO_API_KEY, DEMO_APP_KEY


@pytest.fixture
async def rum(devserver):
    async with DatadogClient(custom_site(devserver.url), ApiAuth(DEMO_API_KEY, DEMO_APP_KEY)) as client:
        yield RumService(client)


async def browser_app_id(rum: RumService) -> str:
    return next(a.application_id for a in await rum.list_applications() if a.attributes.type == "browser")


def test_query_quotes_every_value() -> None:
    q = view_events_query("app-1", '/a "b"', "mobile", "s-1")
    assert q == (
        '@type:view @application.id:"app-1" @session.has_replay:true @view.name:"/a \\"b\\"" '
        '@device.type:"mobile" @session.id:"s-1"'
    )


def test_a_hostile_id_cannot_add_a_search_term() -> None:
    """An id from the server or a typed one stays one value: no term, no negation, no OR."""
    from heatmap_tui.devserver.queries import parse_query

    hostile = 'x -@session.has_replay:true @type:session OR "'
    terms = parse_query(view_events_query(hostile, "/home", hostile, hostile))
    assert [t.facet for t in terms] == [
        "@type",
        "@application.id",
        "@session.has_replay",
        "@view.name",
        "@device.type",
        "@session.id",
    ]
    assert not any(t.negated for t in terms)
    assert terms[1].value == hostile


async def test_discover_views_busiest_first(rum) -> None:
    views = await rum.discover_views(await browser_app_id(rum))
    assert len(views) >= 12
    counts = [v.count for v in views]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert "/checkout" in {v.name for v in views}


async def test_search_view_events_newest_first_filtered_and_paged(rum) -> None:
    app_id = await browser_app_id(rum)
    first = await rum.search_view_events(app_id, "/checkout", "mobile", limit=3)
    assert len(first.events) == 3 and first.cursor
    assert all(
        e.view_name == "/checkout" and e.device_type == "mobile" and e.has_replay for e in first.events
    )
    dates = [e.date for e in first.events]
    assert dates == sorted(dates, reverse=True)
    second = await rum.search_view_events(app_id, "/checkout", "mobile", limit=3, cursor=first.cursor)
    assert second.events and not {e.event_id for e in first.events} & {e.event_id for e in second.events}
    assert second.events[0].date <= first.events[-1].date

    seen, cursor, pages = set(), None, 0
    while True:
        page = await rum.search_view_events(app_id, "/checkout", "mobile", limit=4, cursor=cursor)
        seen |= {e.event_id for e in page.events}
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break
    everything = await rum.search_view_events(app_id, "/checkout", "mobile", limit=1000)
    assert seen == {e.event_id for e in everything.events} and pages > 1


async def test_start_offset_is_the_views_offset_in_its_session(rum) -> None:
    app_id = await browser_app_id(rum)
    session = (await rum.search_view_events(app_id, limit=1)).events[0].session_id
    page = await rum.search_view_events(app_id, session_id=session, limit=1000)
    assert page.cursor is None and all(e.session_id == session for e in page.events)
    in_session = sorted(page.events, key=lambda e: e.date)
    assert await rum.start_offset(in_session[0]) == 0
    if len(in_session) > 1:
        later = in_session[-1]
        expected = int((later.date - in_session[0].date).total_seconds() * 1000)
        assert await rum.start_offset(later) == expected > 0


async def test_start_offset_is_unknown_without_a_session(rum) -> None:
    app_id = await browser_app_id(rum)
    event = (await rum.search_view_events(app_id, limit=1)).events[0]
    assert await rum.start_offset(event.model_copy(update={"session_id": None})) is None
    assert await rum.start_offset(event.model_copy(update={"session_id": "no-such-session"})) is None
