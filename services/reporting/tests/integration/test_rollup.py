"""The rollup's definition (`rollup_of`), on monthly counter rows written by hand."""

from __future__ import annotations

import datetime as dt

import asyncpg
from xkld_reporting.adapters.projection_schema import rollup_backfill
from xkld_shared.testing.infra import Namespace

MONTHLY = [
    # indicator, commune, month, market, n, amount_vnd, province
    ("departed", "29800", dt.date(2026, 5, 1), "JP", 1, 0, "86"),
    ("loans_disbursed", "29800", dt.date(2025, 1, 1), "", 1, 50_000_000, "86"),
    ("loans_disbursed", "29641", dt.date(2025, 12, 1), "", 2, 70_000_001, "86"),
    ("registered", "99999", dt.date(2026, 7, 1), "KR", 4, 0, ""),
]


async def _rollup(namespace: Namespace) -> dict[tuple[object, ...], tuple[int, int]]:
    conn = await asyncpg.connect(namespace.dsn("reporting"))
    try:
        await conn.executemany(
            "INSERT INTO rp.monthly VALUES ($1, $2, $3, $4, $5, $6, $7)", MONTHLY
        )
        await conn.execute(rollup_backfill("rp"))
        rows = await conn.fetch("SELECT * FROM rp.rollup")
    finally:
        await conn.close()
    return {tuple(r)[:6]: (r["n"], r["amount_vnd"]) for r in rows}


async def test_a_departure_counts_for_its_commune_and_province_by_year_quarter_and_market(
    namespace: Namespace,
) -> None:
    rollup = await _rollup(namespace)
    departed = {k: v for k, v in rollup.items() if k[4] == "departed"}
    assert departed == {
        ("86", 2026, q, m, "departed", area): (1, 0)
        for q in (0, 2)
        for m in ("JP", "*")
        for area in ("29800", "86")
    }
    # Months of one province add up in its yearly line; quarters keep them apart.
    assert rollup[("86", 2025, 0, "*", "loans_disbursed", "86")] == (3, 120_000_001)
    assert rollup[("86", 2025, 4, "", "loans_disbursed", "29641")] == (2, 70_000_001)
    assert ("86", 2025, 1, "", "loans_disbursed", "29641") not in rollup
    # A commune of no known province has its own lines only.
    unknown = {k for k in rollup if k[4] == "registered"}
    assert {k[5] for k in unknown} == {"99999"}
    assert {k[2] for k in unknown} == {0, 3}
