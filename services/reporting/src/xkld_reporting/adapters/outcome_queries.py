"""What the programme achieves, per commune and year (issue 17): households that left poor or
near-poor status while a member worked abroad, and remittances against the loans disbursed.
Counts and integer VND only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.projection_schema import LIVE

S = LIVE

# A household counts as followed in year Y when it was poor or near-poor at intake, a member
# departed, and the commune recorded its status on the list of year Y after the return.
_POVERTY = f"""
    SELECT r.commune_code,
           count(*) AS followed,
           count(*) FILTER (WHERE i.status = 'poor' AND a.status <> 'poor') AS left_poor,
           count(*) FILTER (WHERE i.status = 'near_poor' AND a.status = 'neither')
               AS left_near_poor
    FROM {S}.poverty i
    JOIN {S}.poverty a ON a.registration_id = i.registration_id
         AND a.basis = 'after_return' AND a.list_year = $2
    JOIN {S}.registration r ON r.registration_id = i.registration_id
    WHERE i.basis = 'intake' AND i.status IN ('poor', 'near_poor')
      AND r.departed_on IS NOT NULL AND r.commune_code = ANY($1)
    GROUP BY 1"""

_MONEY = f"""
    SELECT commune_code,
           coalesce(sum(amount_vnd) FILTER (WHERE indicator = 'remittance'), 0)::bigint
               AS remittance_vnd,
           coalesce(sum(n) FILTER (WHERE indicator = 'remittance'), 0)::bigint
               AS remittance_reports,
           coalesce(sum(amount_vnd) FILTER (WHERE indicator = 'loans_disbursed'), 0)::bigint
               AS loans_disbursed_vnd
    FROM {S}.monthly
    WHERE indicator IN ('remittance', 'loans_disbursed') AND commune_code = ANY($1)
      AND month >= $2 AND month < $3
    GROUP BY 1"""

_FIGURES = (
    "followed",
    "left_poor",
    "left_near_poor",
    "remittance_vnd",
    "remittance_reports",
    "loans_disbursed_vnd",
)


def _bp(part: int, whole: int) -> int | None:
    return None if whole == 0 else part * 10_000 // whole


def _finished(row: dict[str, Any]) -> dict[str, Any]:
    row["left_poverty"] = row["left_poor"] + row["left_near_poor"]
    row["left_poverty_bp"] = _bp(row["left_poverty"], row["followed"])
    row["remittance_of_loans_bp"] = _bp(row["remittance_vnd"], row["loans_disbursed_vnd"])
    return row


async def outcomes_report(
    conn: Conn, communes: list[str], year: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per commune with any figure, and the area's total."""
    by_commune: dict[str, dict[str, Any]] = {}

    def row_of(commune: str) -> dict[str, Any]:
        return by_commune.setdefault(commune, {"key": commune} | dict.fromkeys(_FIGURES, 0))

    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    found = [*await conn.fetch(_POVERTY, communes, year)]
    found += await conn.fetch(_MONEY, communes, start, end)
    for record in found:
        figures = dict(record)
        row_of(figures.pop("commune_code")).update({k: int(v) for k, v in figures.items()})
    rows = [_finished(by_commune[c]) for c in sorted(by_commune)]
    total = {k: sum(r[k] for r in rows) for k in _FIGURES}
    return rows, _finished(total)
