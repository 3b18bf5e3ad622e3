"""Destination markets as reference data: labour officers keep them; every change is audited."""

from __future__ import annotations

import dataclasses

import asyncpg
from xkld_shared.audit import ChangeContext, record_change

from xkld_registration.application.ports import MarketStore
from xkld_registration.domain.markets import Market


class MarketBook:
    def __init__(self, pool: asyncpg.Pool, store: MarketStore) -> None:
        self._pool = pool
        self._store = store

    async def all(self) -> list[Market]:
        async with self._pool.acquire() as conn:
            return await self._store.all(conn)

    async def save(self, market: Market, context: ChangeContext) -> bool:
        """Create or replace a market; True when it is new."""
        async with self._pool.acquire() as conn, conn.transaction():
            before = await self._store.one(conn, market.code, lock=True)
            await self._store.put(conn, market)
            await record_change(
                conn,
                context,
                action="market.saved",
                entity_type="market",
                entity_id=market.code,
                before={} if before is None else dataclasses.asdict(before),
                after=dataclasses.asdict(market),
            )
        return before is None
