"""Sign-in attempts counted per source address and per username, in a sliding window, in this
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

    def allow(self, *subjects: str) -> bool:
        """Counts one attempt against each subject; False if any is over its limit."""
        now = self._clock()
        allowed = True
        for subject in subjects:
            seen = self._seen[subject]
            while seen and seen[0] <= now - self._window:
                seen.popleft()
            if len(seen) >= self._limit:
                allowed = False
            seen.append(now)
        if len(self._seen) > 100_000:  # forget the idle ones rather than grow without bound
            self._seen = defaultdict(deque, {k: v for k, v in self._seen.items() if v})
        return allowed
