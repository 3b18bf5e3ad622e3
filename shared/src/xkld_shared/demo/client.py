"""The demo's way to the services: HTTP clients, and staff signed in through identity."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

# Access tokens live 15 minutes by default; sign in again well before, as a long load may take.
TOKEN_REUSE_SECONDS = 300
T = TypeVar("T")


class DemoError(RuntimeError):
    """A service refused a demo request: what was asked, and its answer."""


def say(message: str) -> None:
    """Progress for the person waiting (stderr; stdout carries the summary)."""
    print(f"demo: {message}", file=sys.stderr, flush=True)


def expect(answer: httpx.Response, what: str, *codes: int) -> httpx.Response:
    if answer.status_code not in codes:
        raise DemoError(f"{what}: HTTP {answer.status_code} {answer.text[:500]}")
    return answer


@dataclass
class Desk:
    """The services' clients and the staff's passwords; tokens are fetched when needed."""

    identity: httpx.AsyncClient
    registration: httpx.AsyncClient
    loans: httpx.AsyncClient | None
    reporting: httpx.AsyncClient | None
    passwords: dict[str, str]
    outreach: httpx.AsyncClient | None = None
    _tokens: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def auth(self, username: str) -> dict[str, str]:
        async with self._lock:
            got = self._tokens.get(username)
            if got is not None and time.monotonic() - got[0] < TOKEN_REUSE_SECONDS:
                return got[1]
            if username not in self.passwords:
                raise DemoError(f"{username} exists, but its password is not in the accounts file")
            body = {"username": username, "password": self.passwords[username]}
            answer = expect(
                await self.identity.post("/auth/login", json=body), f"sign-in {username}", 200
            )
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            self._tokens[username] = (time.monotonic(), headers)
            return headers

    async def get(self, client: httpx.AsyncClient, path: str, user: str, **params: Any) -> Any:
        answer = await client.get(path, headers=await self.auth(user), params=params or None)
        return expect(answer, f"GET {path}", 200).json()

    async def post(
        self,
        client: httpx.AsyncClient,
        path: str,
        user: str,
        body: dict[str, Any] | None = None,
        *,
        key: str | None = None,
    ) -> httpx.Response:
        headers = await self.auth(user)
        if key is not None:
            headers = headers | {"Idempotency-Key": key}
        return await client.post(path, json=body or {}, headers=headers)


def client_for(url: str | None) -> httpx.AsyncClient | None:
    if url is None:
        return None
    # Connection errors are retried (a service still warming up); answers are never retried
    # blindly: every write that could double carries an Idempotency-Key or is looked up first.
    transport = httpx.AsyncHTTPTransport(retries=3)
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so the client seldom
    # sends on a connection the server is closing at that moment.
    limits = httpx.Limits(keepalive_expiry=2.0)
    return httpx.AsyncClient(base_url=url, timeout=60, transport=transport, limits=limits)


async def again_if_cut(work: Callable[[], Awaitable[T]], what: str, attempts: int = 3) -> T:
    """Run `work` again when a connection broke. Only for work that is safe to repeat: each
    caller reads what is there before it writes, or sends a stable Idempotency-Key."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except httpx.TransportError as error:
            if attempt == attempts:
                raise DemoError(f"{what}: {error!r}") from error
            say(f"{what}: connection broken ({error!r}); trying again")
            await asyncio.sleep(attempt)
    raise AssertionError("unreachable")


async def eventually(
    check: Callable[[], Awaitable[T | None]], what: str, timeout: float, every: float = 0.5
) -> T:
    """Poll until `check` gives something: events cross Kafka, so answers come a little later."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise DemoError(f"waited {timeout:.0f} s, in vain, for {what}")
        await asyncio.sleep(every)
