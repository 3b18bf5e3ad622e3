"""Destination markets as reference data: labour officers keep them; every change is audited."""

from __future__ import annotations

import dataclasses

import asyncpg
from xkld_shared.audit import ChangeContext, record_change

from xkld_registration.adapters.postgres_store import market_of
from xkld_registration.domain.markets import Market


async def all_markets(pool: asyncpg.Pool) -> list[Market]:
    rows = await pool.fetch("SELECT * FROM market ORDER BY code")
    return [market_of(r) for r in rows]


async def save_market(pool: asyncpg.Pool, market: Market, context: ChangeContext) -> bool:
    """Create or replace a market; True when it is new."""
    async with pool.acquire() as conn, conn.transaction():
        before = await conn.fetchrow("SELECT * FROM market WHERE code = $1 FOR UPDATE", market.code)
        await conn.execute(
            """INSERT INTO market (code, country_vi, programme, min_age, max_age,
                   typical_cost_vnd, active) VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (code) DO UPDATE SET country_vi = EXCLUDED.country_vi,
                   programme = EXCLUDED.programme, min_age = EXCLUDED.min_age,
                   max_age = EXCLUDED.max_age, typical_cost_vnd = EXCLUDED.typical_cost_vnd,
                   active = EXCLUDED.active, updated_at = now()""",
            *dataclasses.astuple(market),
        )
        await record_change(
            conn,
            context,
            action="market.saved",
            entity_type="market",
            entity_id=market.code,
            before={} if before is None else dataclasses.asdict(market_of(before)),
            after=dataclasses.asdict(market),
        )
    return before is None
