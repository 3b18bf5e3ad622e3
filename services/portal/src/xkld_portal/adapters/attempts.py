"""Failed sign-in attempts counted per source address and per username, in a sliding window, in this
process's memory: a first brake in front of the identity component's own rules."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class AttemptLimiter:
    def __init__(
        self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._seen: defaultdict[str, deque[float]] = defaultdict(deque)

    def blocked(self, *subjects: str) -> bool:
        """True if any subject has failed `limit` times within the window. Asking counts
        nothing: a commune office signs in many people from one address, and only failures
        should brake it."""
        now = self._clock()
        return any(len(self._recent(subject, now)) >= self._limit for subject in subjects)

    def failed(self, *subjects: str) -> None:
        now = self._clock()
        for subject in subjects:
            self._recent(subject, now).append(now)
        if len(self._seen) > 100_000:  # forget the idle ones rather than grow without bound
            self._seen = defaultdict(deque, {k: v for k, v in self._seen.items() if v})

    def _recent(self, subject: str, now: float) -> deque[float]:
        seen = self._seen[subject]
        while seen and seen[0] <= now - self._window:
            seen.popleft()
        return seen
