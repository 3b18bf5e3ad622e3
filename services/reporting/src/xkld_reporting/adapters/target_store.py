"""SQL of the targets (chỉ tiêu) table."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_reporting.domain.target_row import TargetRow


async def value_for_update(conn: Conn, row: TargetRow) -> int | None:
    """The target's value now, locked until the transaction ends; None when there is none."""
    value = await conn.fetchval(
        """SELECT value FROM target WHERE area_code = $1 AND year = $2 AND quarter = $3
           AND indicator = $4 AND market = $5 FOR UPDATE""",
        row.area_code,
        row.year,
        row.quarter,
        row.indicator.value,
        row.market,
    )
    return None if value is None else int(value)


async def put(conn: Conn, row: TargetRow, updated_by: str) -> None:
    await conn.execute(
        """INSERT INTO target (area_code, year, quarter, indicator, market, value,
                               updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now())
           ON CONFLICT (area_code, year, quarter, indicator, market)
           DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by,
                         updated_at = now()""",
        row.area_code,
        row.year,
        row.quarter,
        row.indicator.value,
        row.market,
        row.value,
        updated_by,
    )


async def of_areas(conn: Conn, areas: list[str], year: int | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT area_code, year, quarter, indicator, market, value, updated_at
           FROM target WHERE area_code = ANY($1) AND ($2::int IS NULL OR year = $2)
           ORDER BY area_code, year, quarter, indicator, market""",
        areas,
        year,
    )
    return [_target_view(r) for r in rows]


def _target_view(r: Record) -> dict[str, Any]:
    """A target as read: no quarter (the whole year) and no market (all) as null."""
    return dict(r) | {"quarter": r["quarter"] or None, "market": r["market"] or None}
