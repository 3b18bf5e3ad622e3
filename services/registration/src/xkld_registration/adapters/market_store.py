"""Destination markets as stored, for the labour officer's list and edits."""

from __future__ import annotations

import dataclasses

from xkld_shared.db.pool import Conn

from xkld_registration.adapters.postgres_store import market_of
from xkld_registration.domain.markets import Market

_PUT = """INSERT INTO market (code, country_vi, programme, min_age, max_age, typical_cost_vnd,
        active) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (code) DO UPDATE SET country_vi = EXCLUDED.country_vi,
        programme = EXCLUDED.programme, min_age = EXCLUDED.min_age, max_age = EXCLUDED.max_age,
        typical_cost_vnd = EXCLUDED.typical_cost_vnd, active = EXCLUDED.active,
        updated_at = now()"""


class PostgresMarketStore:
    async def all(self, conn: Conn) -> list[Market]:
        return [market_of(r) for r in await conn.fetch("SELECT * FROM market ORDER BY code")]

    async def one(self, conn: Conn, code: str, *, lock: bool) -> Market | None:
        sql = "SELECT * FROM market WHERE code = $1" + (" FOR UPDATE" if lock else "")
        row = await conn.fetchrow(sql, code)
        return None if row is None else market_of(row)

    async def put(self, conn: Conn, market: Market) -> None:
        await conn.execute(_PUT, *dataclasses.astuple(market))
