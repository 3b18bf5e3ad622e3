"""Rural vocational-training reports (issue 19): trainees against the plan, Decision 46
support against the budget, employment after training. JSON rows for the portal to export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters import rural_queries
from xkld_reporting.adapters.admin_units import AdminUnits
from xkld_reporting.adapters.freshness import freshness
from xkld_reporting.domain.periods import Period
from xkld_reporting.entrypoints.json_body import json_response
from xkld_reporting.entrypoints.params import ReadableArea, ReportArea, Snapshot, Units, YearPeriod

router = APIRouter(prefix="/reports/rural-training", tags=["reports"])

TraineesBy = Literal["trade", "commune", "group"]
SupportBy = Literal["trade", "commune", "plan_line"]
EmploymentBy = Literal["course", "trade", "commune"]
Report = Callable[
    [Conn, list[str], int, str], Awaitable[tuple[list[dict[str, Any]], dict[str, Any]]]
]


async def _report(
    conn: Conn, units: AdminUnits, area: ReadableArea, period: Period, by: str, read: Report
) -> Response:
    rows, total = await read(conn, area.communes, period.year, by)
    for row in rows:  # commune names for the reader; trades and courses go by their codes
        row["name"] = units.name_of(row["key"]) if by == "commune" and row["key"] else None
    return json_response(
        {
            "area_code": area.code,
            "area_name": area.name,
            "year": period.year,
            "by": by,
            "freshness": await freshness(conn),
            "rows": rows,
            "total": total,
        }
    )


@router.get("/trainees")
async def trainees(
    area: ReportArea,
    period: YearPeriod,
    conn: Snapshot,
    units: Units,
    by: Annotated[TraineesBy, Query()] = "trade",
) -> Response:
    """Planned places (the year's plan), enrolments in courses starting in the year, trainees,
    completed, passed and certificates, by trade, commune or Decision 46 group."""
    return await _report(conn, units, area, period, by, rural_queries.trainees_report)


@router.get("/support")
async def support(
    area: ReportArea,
    period: YearPeriod,
    conn: Snapshot,
    units: Units,
    by: Annotated[SupportBy, Query()] = "trade",
) -> Response:
    """The year's plan budget against Decision 46 support paid in the year (integer VND),
    and the trainees paid, by trade, commune or plan line."""
    return await _report(conn, units, area, period, by, rural_queries.support_report)


@router.get("/employment")
async def employment(
    area: ReportArea,
    period: YearPeriod,
    conn: Snapshot,
    units: Units,
    by: Annotated[EmploymentBy, Query()] = "course",
) -> Response:
    """Employment after training for courses completed in the year: outcomes recorded, each
    outcome, employed and the rate in basis points, by course, trade or commune."""
    return await _report(conn, units, area, period, by, rural_queries.employment_report)
