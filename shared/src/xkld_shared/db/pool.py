"""asyncpg pools, with jsonb decoded to Python values."""

from __future__ import annotations

import json
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What a transaction body receives: a bare connection or one borrowed from a pool.
Conn: TypeAlias = asyncpg.Connection | PoolConnectionProxy


async def _init_connection(conn: Conn) -> None:
    await conn.set_type_codec("jsonb", encoder=_encode, decoder=json.loads, schema="pg_catalog")


def _encode(value: object) -> str:
    # Dates, UUIDs and the like become their ISO/str form; Vietnamese text stays readable.
    return json.dumps(value, default=str, ensure_ascii=False)


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=30
    )
    assert pool is not None
    return pool
