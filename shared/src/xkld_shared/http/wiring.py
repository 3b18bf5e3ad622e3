"""Typed wiring from a service's composition root to its routes.

The composition root (`bootstrap.py`) puts each use case on `app.state` once, at start. Routes
do not read that untyped bag themselves: they declare a parameter typed with
`Annotated[UseCase, Depends(from_app_state("name", UseCase))]`, so a reader (and mypy) can
follow a route to its use case, and a wrong wiring fails loudly on the first request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request

T = TypeVar("T")


def from_app_state(attribute: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A FastAPI dependency giving the `kind` object the composition root stored as
    `app.state.<attribute>`.

    A coroutine function although it awaits nothing: FastAPI runs a plain function dependency
    in a worker thread, a hop that cost a busy service about 5 % of its time per request."""

    async def wired(request: Request) -> T:
        return state_value(request, attribute, kind)

    wired.__name__ = f"wired_{attribute}"
    return wired


def state_value(request: Request, attribute: str, kind: type[T]) -> T:
    """The same lookup, for code that is not a dependency (an error page, a token check)."""
    value = getattr(request.app.state, attribute)
    if not isinstance(value, kind):
        raise TypeError(f"app.state.{attribute} is {type(value).__name__}, not {kind.__name__}")
    return value
