"""Rural vocational-training reports (issue 19): trainees against the plan, Decision 46
support against the budget, employment after training. JSON rows for the portal to export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Response
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.admin_units import AdminUnits
from xkld_reporting.application import queries, rural_queries
from xkld_reporting.application.queries import area_communes
from xkld_reporting.entrypoints.http import Area, Pool, Units, Year, _json, _period
from xkld_reporting.entrypoints.scope import ReportReader, resolve_area

router = APIRouter(prefix="/reports/rural-training", tags=["reports"])

TraineesBy = Literal["trade", "commune", "group"]
SupportBy = Literal["trade", "commune", "plan_line"]
EmploymentBy = Literal["course", "trade", "commune"]
Report = Callable[
    [Conn, list[str], int, str], Awaitable[tuple[list[dict[str, Any]], dict[str, Any]]]
]


async def _report(
    pool: asyncpg.Pool,
    units: AdminUnits,
    principal: Any,
    area: str | None,
    year: int | None,
    by: str,
    read: Report,
) -> Response:
    code = resolve_area(principal, units, area)
    period = _period(year, None, None)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows, total = await read(conn, area_communes(units, code), period.year, by)
        fresh = await queries.freshness(conn)
    for row in rows:  # commune names for the reader; trades and courses go by their codes
        row["name"] = units.name_of(row["key"]) if by == "commune" and row["key"] else None
    return _json(
        {
            "area_code": code,
            "area_name": units.name_of(code),
            "year": period.year,
            "by": by,
            "freshness": fresh,
            "rows": rows,
            "total": total,
        }
    )


@router.get("/trainees")
async def trainees(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    by: Annotated[TraineesBy, Query()] = "trade",
) -> Response:
    """Planned places (the year's plan), enrolments in courses starting in the year, trainees,
    completed, passed and certificates, by trade, commune or Decision 46 group."""
    return await _report(pool, units, principal, area, year, by, rural_queries.trainees_report)


@router.get("/support")
async def support(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    by: Annotated[SupportBy, Query()] = "trade",
) -> Response:
    """The year's plan budget against Decision 46 support paid in the year (integer VND),
    and the trainees paid, by trade, commune or plan line."""
    return await _report(pool, units, principal, area, year, by, rural_queries.support_report)


@router.get("/employment")
async def employment(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    by: Annotated[EmploymentBy, Query()] = "course",
) -> Response:
    """Employment after training for courses completed in the year: outcomes recorded, each
    outcome, employed and the rate in basis points, by course, trade or commune."""
    return await _report(pool, units, principal, area, year, by, rural_queries.employment_report)
