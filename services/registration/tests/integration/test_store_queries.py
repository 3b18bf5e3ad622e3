"""The hot lookups probe their indexes even as generic plans made while the tables were empty.

asyncpg prepares statements; after a few runs PostgreSQL may keep a generic plan, and a
connection keeps it for its life. One made while a table is empty scans the table, which
costs more with every row added (3.6 ms a call at 17 000 registrations, before this test).
"""

from __future__ import annotations

import asyncpg
import pytest
from xkld_registration.adapters.postgres_store import ACTIVE_BY_CCCD
from xkld_shared.idempotency import FIND_STORED
from xkld_shared.testing.infra import Namespace

LOOKUPS = {
    "duplicate check": (
        ACTIVE_BY_CCCD,
        "bytea[]",
        "ARRAY['\\x00'::bytea]",
        "registration_one_active_per_cccd",
    ),
    "stored idempotency answers": (
        FIND_STORED,
        "text[], text[]",
        "ARRAY['scope'], ARRAY['key']",
        "idempotency_key_pkey",
    ),
}


@pytest.mark.parametrize("lookup", LOOKUPS, ids=list(LOOKUPS))
async def test_a_generic_plan_on_an_empty_table_probes_the_index(
    namespace: Namespace, lookup: str
) -> None:
    sql, types, values, index = LOOKUPS[lookup]
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        # EXPLAIN with bound parameters would plan for their values; EXPLAIN EXECUTE of a
        # server-side prepared statement under force_generic_plan shows the generic plan.
        await conn.execute(f"PREPARE lookup({types}) AS {sql}")
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        rows = await conn.fetch(f"EXPLAIN EXECUTE lookup({values})")
        plan = "\n".join(row[0] for row in rows)
    finally:
        await conn.close()
    assert f"Index Scan using {index}" in plan, plan
    assert "Seq Scan" not in plan, plan
