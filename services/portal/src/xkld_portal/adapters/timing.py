"""Time spent waiting for the services, per page request, for the Server-Timing header: the
benchmark reads it to tell the portal's own time from the backends' (bench/portal.py)."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

_backend_seconds: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "backend_seconds", default=None
)


@contextmanager
def page_timing() -> Iterator[list[float]]:
    """Collects the backend time of everything awaited inside (a one-item list, in seconds)."""
    spent = [0.0]
    token = _backend_seconds.set(spent)
    try:
        yield spent
    finally:
        _backend_seconds.reset(token)


@contextmanager
def backend_call() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        if (spent := _backend_seconds.get()) is not None:
            spent[0] += time.perf_counter() - started
