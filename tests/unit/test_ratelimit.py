from heatmap_tui.core.ratelimit import RateLimitTracker, parse_headers


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def headers(remaining: int, reset: int, limit: int = 100) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-period": "10",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-name": "snapshots",
    }


def test_parse_headers_reads_every_value() -> None:
    info = parse_headers(headers(3, 7), now=5.0)
    assert info is not None
    assert (info.limit, info.period, info.remaining, info.reset, info.name) == (100, 10, 3, 7.0, "snapshots")
    assert info.seconds_to_reset(now=8.0) == 4.0
    assert parse_headers({}) is None


async def test_waits_for_the_reset_when_remaining_reaches_zero() -> None:
    clock = FakeClock()
    tracker = RateLimitTracker(clock=clock, sleep=clock.sleep)
    await tracker.acquire()
    tracker.update(headers(remaining=0, reset=4))
    await tracker.acquire()
    assert clock.slept == [4.0]
    assert tracker.waits == 1


async def test_counts_down_locally_between_answers() -> None:
    clock = FakeClock()
    tracker = RateLimitTracker(clock=clock, sleep=clock.sleep)
    tracker.update(headers(remaining=2, reset=5))
    await tracker.acquire()
    await tracker.acquire()
    assert clock.slept == []
    await tracker.acquire()  # the third would exceed the window: wait for it to end
    assert clock.slept == [5.0]


async def test_no_wait_without_headers_or_with_headroom() -> None:
    clock = FakeClock()
    tracker = RateLimitTracker(clock=clock, sleep=clock.sleep)
    for _ in range(5):
        await tracker.acquire()
    tracker.update(headers(remaining=50, reset=5))
    for _ in range(10):
        await tracker.acquire()
    assert clock.slept == []


async def test_a_reset_hours_away_is_waited_no_longer_than_the_cap() -> None:
    clock = FakeClock()
    tracker = RateLimitTracker(clock=clock, sleep=clock.sleep)
    tracker.update(headers(remaining=0, reset=86_400))  # a server announcing a reset a day ahead
    await tracker.acquire(max_wait=65.0)
    assert clock.slept == [65.0]  # then the request goes out, and its answer says what is next
    tracker.update(headers(remaining=0, reset=86_335))
    await tracker.acquire(max_wait=65.0)
    assert clock.slept == [65.0, 65.0]


async def test_requests_in_flight_are_taken_off_an_answers_remaining() -> None:
    clock = FakeClock()
    tracker = RateLimitTracker(clock=clock, sleep=clock.sleep)
    for _ in range(10):  # ten at once, before any answer told the limits
        await tracker.acquire()
    tracker.release()  # one answered: the server had counted it, perhaps not the nine others yet
    tracker.update(headers(remaining=9, reset=5))
    await tracker.acquire()
    assert clock.slept == [5.0]  # 9 - 9 in flight: none left in this window


async def test_after_a_used_up_window_no_more_than_the_limit_go_at_once() -> None:
    clock = FakeClock()
    tracker = RateLimitTracker(clock=clock, sleep=clock.sleep)
    tracker.update(headers(remaining=0, reset=5, limit=3))
    for _ in range(4):  # requests that all waited for the end of the window
        await tracker.acquire()
    assert clock.slept == [5.0, 10.0]  # three in the next window; the fourth waits a period more
