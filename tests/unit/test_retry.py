import pytest

from heatmap_tui.core.retry import Outcome, RetryPolicy

policy = RetryPolicy(jitter=lambda: 1.0)
no_jitter = RetryPolicy(jitter=lambda: 0.0)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("outcome", [Outcome(status=500), Outcome(status=503), Outcome(network_error=True)])
def test_idempotent_methods_retry_server_and_network_failures(method: str, outcome: Outcome) -> None:
    assert policy.delay_before_retry(method, 1, outcome) is not None
    assert policy.delay_before_retry(method, 2, outcome) is not None
    assert policy.delay_before_retry(method, 3, outcome) is None  # at most 3 tries


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("outcome", [Outcome(status=500), Outcome(status=503), Outcome(network_error=True)])
def test_writes_never_retry_an_ambiguous_failure(method: str, outcome: Outcome) -> None:
    assert policy.delay_before_retry(method, 1, outcome) is None


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_every_method_retries_429_after_the_reset(method: str) -> None:
    assert policy.delay_before_retry(method, 1, Outcome(status=429, reset_seconds=7)) == 7
    assert policy.delay_before_retry(method, 3, Outcome(status=429, reset_seconds=7)) is None


def test_429_wait_is_capped() -> None:
    assert (
        policy.delay_before_retry("GET", 1, Outcome(status=429, reset_seconds=3600))
        == policy.max_rate_limit_wait
    )


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(status: int) -> None:
    assert policy.delay_before_retry("GET", 1, Outcome(status=status)) is None


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    big = RetryPolicy(max_tries=10, base_delay=0.5, max_delay=8.0, jitter=lambda: 1.0)
    assert [big.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    low = RetryPolicy(max_tries=10, jitter=lambda: 0.0)
    assert low.backoff(3) == 1.0  # jitter spreads each wait over the upper half
    assert no_jitter.delay_before_retry("GET", 1, Outcome(status=502)) == 0.25
