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


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to undo when a connection goes back to the pool.

    asyncpg's default runs `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on
    every release: a round trip per use, which showed as 5-8 % of a busy consumer's time. The
    services never leave session state on a pooled connection (advisory locks are transaction
    locks, settings are `SET LOCAL`, LISTEN has its own connection); `test_pool_session` keeps
    it so. asyncpg still rolls back a transaction left open before calling this.
    """


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=30,
    )
    assert pool is not None
    return pool
