"""What the programme achieves (issue 17): poverty left behind and money sent home, per
commune and year, against the loans disbursed. No personal data."""

from __future__ import annotations

from fastapi import APIRouter, Response

from xkld_reporting.adapters import outcome_queries
from xkld_reporting.adapters.freshness import freshness
from xkld_reporting.entrypoints.json_body import json_response
from xkld_reporting.entrypoints.params import ReportArea, Snapshot, Units, YearPeriod

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/outcomes")
async def outcomes(area: ReportArea, period: YearPeriod, conn: Snapshot, units: Units) -> Response:
    """Per commune: households poor or near-poor at intake whose status on the year's list
    after the return is known (`followed`), those that left poor (`left_poor`) or near-poor
    (`left_near_poor`) status, and the rate in basis points; money sent home in the year as
    reported at check-ins (`remittance_vnd`) against the loans disbursed in the year."""
    rows, total = await outcome_queries.outcomes_report(conn, area.communes, period.year)
    for row in rows:
        row["name"] = units.name_of(row["key"])
    return json_response(
        {
            "area_code": area.code,
            "area_name": area.name,
            "year": period.year,
            "freshness": await freshness(conn),
            "rows": rows,
            "total": total,
        }
    )
