"""Bounded waits and sizes: a server cannot hold the app, fill its memory, or park it for hours.

All against the embedded server over loopback: a body a byte at a time (trickle), bodies past
the 32 MiB cap (plain, and gzip-encoded so only the unpacked size gives them away), and rate-limit
resets far beyond what the retry policy waits, announced by a 429 or by a used-up window.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from faults import DEMO_AUTH, RecordingSleep, make_client

from heatmap_tui.core.client import MAX_BODY_BYTES, DatadogClient
from heatmap_tui.core.errors import InvalidResponse, NetworkError, RateLimited
from heatmap_tui.core.rum import RumService
from heatmap_tui.core.sites import custom_site
from heatmap_tui.core.snapshots import SnapshotService
from heatmap_tui.devserver import DevServer

APPS = "/api/v2/rum/applications"
SNAPSHOTS = "/api/v2/replay/heatmap/snapshots"


async def test_a_trickling_answer_is_cut_at_the_deadline(devserver: DevServer) -> None:
    devserver.faults.trickle_next(0.05, path_prefix=APPS)  # a few KB at 20 bytes/s: minutes
    sleep = RecordingSleep()
    client = DatadogClient(custom_site(devserver.url), DEMO_AUTH, sleep=sleep, deadline=0.6)
    async with client:
        started = time.monotonic()
        with pytest.raises(NetworkError) as info:
            async with asyncio.timeout(10):  # the old client would read on for minutes
                await RumService(client).list_applications()
        took = time.monotonic() - started
        assert await RumService(client).list_applications()  # the next request is served normally
    assert 0.6 <= took < 2.0
    assert "did not finish answering within 0.6 s" in str(info.value)
    assert devserver.count("GET", APPS) == 2 and sleep.waits == []  # a slow server is not asked again


def test_the_default_deadline_and_cap() -> None:
    client = DatadogClient(custom_site("http://127.0.0.1:9"), DEMO_AUTH)
    assert client.deadline == 60.0 and client.max_body_bytes == MAX_BODY_BYTES == 32 * 1024 * 1024


@pytest.mark.parametrize("gzipped", [False, True], ids=["declared", "gzip-bomb"])
async def test_an_answer_past_32_mib_is_refused(devserver: DevServer, gzipped: bool) -> None:
    devserver.faults.oversize_next(MAX_BODY_BYTES + 1024 * 1024, path_prefix=APPS, gzip=gzipped)
    async with make_client(devserver, RecordingSleep()) as client:
        with pytest.raises(InvalidResponse) as info:
            await RumService(client).list_applications()
    assert "larger than 32 MiB" in str(info.value)
    assert devserver.count("GET", APPS) == 1


async def test_an_answer_just_under_the_cap_is_read(devserver: DevServer) -> None:
    devserver.faults.oversize_next(4096, path_prefix=APPS, gzip=True)
    client = DatadogClient(custom_site(devserver.url), DEMO_AUTH, max_body_bytes=4096)
    async with client:
        assert await RumService(client).list_applications() == []
        devserver.faults.oversize_next(4097, path_prefix=APPS, gzip=True)
        with pytest.raises(InvalidResponse, match="larger than 4096 bytes"):
            await RumService(client).list_applications()


async def test_a_429_asking_for_more_than_the_cap_is_waited_capped_and_named(devserver: DevServer) -> None:
    devserver.faults.fail_next(429, count=3, path_prefix=SNAPSHOTS, reset=3600)
    sleep = RecordingSleep()
    async with make_client(devserver, sleep) as client:
        with pytest.raises(RateLimited) as info:
            await SnapshotService(client).list("/home")
    assert sleep.waits == [65.0, 65.0] and devserver.count("GET", SNAPSHOTS) == 3
    text = str(info.value)
    assert "resets in 3600 s, longer than the 65 s this app waits; try again later" in text, text
    assert info.value.retry_after == 3600


async def test_a_used_up_window_resetting_beyond_the_cap_is_waited_capped_and_named(
    devserver: DevServer,
) -> None:
    devserver.set_rate_limit(1, 3600.0)  # one request an hour
    sleep = RecordingSleep()
    async with make_client(devserver, sleep) as client:
        service = SnapshotService(client)
        await service.list("/home")  # answered with Remaining 0, Reset 3600
        with pytest.raises(RateLimited) as info:
            await service.list("/home")
    # The window (an hour away) is waited 65 s, like each 429 after it: never the whole hour.
    assert sleep.waits == [65.0, 65.0, 65.0], sleep.waits
    assert devserver.count("GET", SNAPSHOTS, status=429) == 3
    assert "resets in 3600 s, longer than the 65 s this app waits" in str(info.value)


async def test_a_window_resetting_within_the_cap_is_waited_in_full(devserver: DevServer) -> None:
    devserver.set_rate_limit(1, 3.0)
    sleep = RecordingSleep()
    async with make_client(devserver, sleep) as client:
        service = SnapshotService(client)
        await service.list("/home")
        devserver.set_rate_limit(None)  # the window the client saw is the one it waits out
        await service.list("/home")
    assert len(sleep.waits) == 1 and 2.0 < sleep.waits[0] <= 3.0


async def test_a_429_within_the_cap_keeps_the_usual_words(devserver: DevServer) -> None:
    devserver.faults.fail_next(429, count=3, path_prefix=SNAPSHOTS, reset=2)
    async with make_client(devserver, RecordingSleep()) as client:
        with pytest.raises(RateLimited) as info:
            await SnapshotService(client).list("/home")
    assert "try again shortly" in str(info.value) and "longer than" not in str(info.value)
