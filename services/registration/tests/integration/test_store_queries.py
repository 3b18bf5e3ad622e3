"""The store's hot statements use the indexes meant for them, even as generic prepared plans."""

from __future__ import annotations

import asyncpg
from xkld_registration.adapters.postgres_store import _ACTIVE_BY_CCCD
from xkld_shared.testing.infra import Namespace


async def test_the_duplicate_check_uses_the_partial_unique_index(namespace: Namespace) -> None:
    """asyncpg prepares statements; after a few runs PostgreSQL may switch to a generic plan,
    which cannot use a partial index whose predicate depends on a parameter."""
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute("SET enable_seqscan = off")  # an empty table would favour a scan
        explain = await conn.prepare(f"EXPLAIN {_ACTIVE_BY_CCCD}")
        plan = "\n".join(row[0] for row in await explain.fetch([b"x" * 32]))
    finally:
        await conn.close()
    assert "registration_one_active_per_cccd" in plan, plan
