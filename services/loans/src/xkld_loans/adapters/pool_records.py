"""SQL of the provincial capital pools: yearly totals and every movement behind them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from xkld_shared.db.pool import Conn

from xkld_loans.domain.capital_pool import PoolYear

_AVAILABLE = "allocated_vnd + repaid_vnd - lent_vnd"


def _year(row: object) -> PoolYear:
    r = dict(row)  # type: ignore[call-overload]
    return PoolYear(
        r["province_code"], r["year"], r["allocated_vnd"], r["lent_vnd"], r["repaid_vnd"]
    )


_Added = Literal["allocated_vnd", "repaid_vnd"]  # the totals that only grow


async def add_allocation(conn: Conn, province_code: str, year: int, amount_vnd: int) -> PoolYear:
    return await _add(conn, "allocated_vnd", province_code, year, amount_vnd)


async def _add(
    conn: Conn, column: _Added, province_code: str, year: int, amount_vnd: int
) -> PoolYear:
    """Adds to one of the year's running totals, creating the year's row the first time."""
    row = await conn.fetchrow(
        f"""INSERT INTO capital_pool (province_code, year, {column}) VALUES ($1, $2, $3)
           ON CONFLICT (province_code, year) DO UPDATE
               SET {column} = capital_pool.{column} + EXCLUDED.{column}
           RETURNING *""",
        province_code,
        year,
        amount_vnd,
    )
    return _year(row)


async def draw(conn: Conn, province_code: str, year: int, amount_vnd: int) -> PoolYear | None:
    """Takes the amount if the year's pool still holds it, in one statement; None otherwise.

    Concurrent draws queue on the row lock of the UPDATE, and each re-checks the condition on
    the row as the previous one left it, so together they can never take more than is there.
    """
    row = await conn.fetchrow(
        f"""UPDATE capital_pool SET lent_vnd = lent_vnd + $3
            WHERE province_code = $1 AND year = $2 AND {_AVAILABLE} >= $3
            RETURNING *""",
        province_code,
        year,
        amount_vnd,
    )
    return None if row is None else _year(row)


async def give_back(conn: Conn, province_code: str, year: int, amount_vnd: int) -> PoolYear:
    """A withdrawn loan's draw returns to the year it was drawn from."""
    row = await conn.fetchrow(
        """UPDATE capital_pool SET lent_vnd = lent_vnd - $3
           WHERE province_code = $1 AND year = $2 RETURNING *""",
        province_code,
        year,
        amount_vnd,
    )
    if row is None:
        raise RuntimeError("a draw always has its pool row")
    return _year(row)


async def add_repaid(conn: Conn, province_code: str, year: int, amount_vnd: int) -> PoolYear:
    return await _add(conn, "repaid_vnd", province_code, year, amount_vnd)


async def record_movement(
    conn: Conn,
    pool: PoolYear,
    kind: str,
    amount_vnd: int,
    on: dt.date,
    recorded_by: str,
    *,
    loan_application_id: uuid.UUID | None = None,
    reference: str | None = None,
) -> uuid.UUID:
    movement_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO capital_pool_movement (id, province_code, year, kind, amount_vnd,
               loan_application_id, on_date, reference, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        movement_id,
        pool.province_code,
        pool.year,
        kind,
        amount_vnd,
        loan_application_id,
        on,
        reference,
        recorded_by,
    )
    return movement_id


async def draw_of(conn: Conn, loan_application_id: uuid.UUID) -> tuple[str, int, int] | None:
    """The province, year and amount a loan drew, if it drew and has not given it back."""
    row = await conn.fetchrow(
        """SELECT d.province_code, d.year, d.amount_vnd FROM capital_pool_movement d
           WHERE d.loan_application_id = $1 AND d.kind = 'draw'
             AND NOT EXISTS (SELECT 1 FROM capital_pool_movement w
                             WHERE w.loan_application_id = $1 AND w.kind = 'withdrawal')""",
        loan_application_id,
    )
    return None if row is None else (row["province_code"], row["year"], row["amount_vnd"])


async def years_of(conn: Conn, province_code: str) -> list[PoolYear]:
    rows = await conn.fetch(
        "SELECT * FROM capital_pool WHERE province_code = $1 ORDER BY year", province_code
    )
    return [_year(r) for r in rows]
