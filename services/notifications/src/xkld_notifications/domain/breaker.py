"""A circuit breaker: after repeated provider failures the backlog waits instead of hammering.

closed -> (threshold consecutive transient failures) -> open -> (cool-down) -> half-open,
where one probe is let through: success closes it, failure opens it again. A probe that never
reports (its row was not claimed after all, or its pass failed before the answer) is given up
after one more cool-down, so the breaker cannot stay half-open with nothing sent. Time is passed
in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    threshold: int = 5
    cooldown_seconds: float = 30.0
    _failures: int = 0
    _opened_at: float | None = None
    _probe_started: float | None = None

    def state(self, now: float) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if now - self._opened_at >= self.cooldown_seconds:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allowance(self, now: float, wanted: int) -> int:
        """How many sends may start now: all, none while open, one probe when half-open."""
        match self.state(now):
            case BreakerState.CLOSED:
                return wanted
            case BreakerState.OPEN:
                return 0
            case BreakerState.HALF_OPEN:
                if self._probing(now):
                    return 0
                self._probe_started = now
                return min(1, wanted)

    def _probing(self, now: float) -> bool:
        started = self._probe_started
        return started is not None and now - started < self.cooldown_seconds

    def abandon_probe(self) -> None:
        """The probe was not sent after all (deferred or suppressed): let another one try."""
        self._probe_started = None

    def succeeded(self) -> None:
        self._failures, self._opened_at, self._probe_started = 0, None, None

    def failed(self, now: float) -> None:
        """A transient failure (timeout, connection error, 5xx); 4xx says nothing of health."""
        self._failures += 1
        if self._probe_started is not None or self._failures >= self.threshold:
            self._opened_at, self._probe_started = now, None
