"""Quiet hours (21:00-07:00 in Vietnam), the next morning, and the circuit breaker."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from xkld_notifications.domain.breaker import BreakerState, CircuitBreaker
from xkld_notifications.domain.timing import in_quiet_hours, next_morning, release_time

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = dt.time(21, 0), dt.time(7, 0)


def _vn(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("at", "quiet"),
    [((26, 20, 59), False), ((26, 21, 0), True), ((27, 3, 0), True), ((27, 7, 0), False)],
)
def test_quiet_hours_run_from_21_to_07_vietnam_time(at: tuple[int, int, int], quiet: bool) -> None:
    assert in_quiet_hours(_vn(*at).astimezone(dt.UTC), START, END, VN) is quiet


def test_a_message_created_late_evening_waits_for_seven_next_morning() -> None:
    assert release_time(_vn(26, 22, 30), START, END, VN) == _vn(27, 7)


def test_a_message_created_before_dawn_waits_for_seven_the_same_morning() -> None:
    assert release_time(_vn(27, 5, 10), START, END, VN) == _vn(27, 7)


def test_a_daytime_message_is_not_held() -> None:
    at = _vn(27, 10).astimezone(dt.UTC)
    assert release_time(at, START, END, VN) == at


def test_over_the_limit_waits_for_the_next_local_morning() -> None:
    # 23:30 UTC on the 26th is already 06:30 on the 27th in Vietnam.
    at = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC)
    assert next_morning(at, END, VN) == _vn(28, 7)


def test_the_breaker_opens_after_repeated_failures_and_holds_the_backlog() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown_seconds=10)
    for t in range(3):
        assert breaker.allowance(float(t), 50) == 50
        breaker.failed(float(t))
    assert breaker.state(2.0) is BreakerState.OPEN
    assert breaker.allowance(5.0, 50) == 0


def test_after_the_cooldown_one_probe_goes_and_success_closes_the_breaker() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown_seconds=10)
    breaker.failed(0.0)
    assert breaker.allowance(10.0, 50) == 1
    assert breaker.allowance(10.5, 50) == 0, "only one probe at a time"
    breaker.succeeded()
    assert breaker.state(11.0) is BreakerState.CLOSED
    assert breaker.allowance(11.0, 50) == 50


def test_a_failed_probe_opens_the_breaker_again() -> None:
    breaker = CircuitBreaker(threshold=5, cooldown_seconds=10)
    for _ in range(5):
        breaker.failed(0.0)
    assert breaker.allowance(10.0, 50) == 1
    breaker.failed(10.0)
    assert breaker.state(15.0) is BreakerState.OPEN
    assert breaker.state(20.0) is BreakerState.HALF_OPEN


def test_a_probe_that_never_reports_is_given_up_after_another_cooldown() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown_seconds=10)
    breaker.failed(0.0)
    assert breaker.allowance(10.0, 50) == 1  # the probe's row is then not sent, and not told
    assert breaker.allowance(19.9, 50) == 0, "still waiting for that probe"
    assert breaker.allowance(20.0, 50) == 1, "a lost probe must not hold the backlog for ever"
    breaker.succeeded()
    assert breaker.allowance(20.5, 50) == 50


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown_seconds=10)
    breaker.failed(0.0)
    breaker.failed(0.0)
    breaker.succeeded()
    breaker.failed(0.0)
    assert breaker.state(0.0) is BreakerState.CLOSED
