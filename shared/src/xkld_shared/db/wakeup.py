"""Wake a background loop on a PostgreSQL NOTIFY, with polling as the fallback.

NOTIFY is delivered at commit, so a woken loop always sees the rows that caused it. A lost
connection only costs latency: the loop still polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

log = logging.getLogger(__name__)


class PgWakeup:
    def __init__(self, dsn: str | None, channel: str) -> None:
        self._dsn = dsn
        self._channel = channel
        self._event = asyncio.Event()
        self._conn: asyncpg.Connection | None = None

    async def start(self) -> None:
        if self._dsn is None:
            return
        try:
            self._conn = await asyncpg.connect(self._dsn)
            await self._conn.add_listener(self._channel, self._on_notify)
        except (OSError, asyncpg.PostgresError):
            log.warning("LISTEN unavailable; polling only", extra={"channel": self._channel})
            self._conn = None

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def wake(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        self._event.clear()

    def _on_notify(self, *_: object) -> None:
        self._event.set()
