"""The enterprise reputation report (issue 17): per enterprise, workers sent and contracts
completed, early returns by cause, absconding, complaints by category, fees against the cap,
and the flags the thresholds raise. Counts and codes only: no personal data."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from xkld_shared.http.wiring import from_app_state

from xkld_reporting.adapters.enterprise_queries import enterprise_lines
from xkld_reporting.adapters.freshness import freshness
from xkld_reporting.adapters.reputation_rules import ReputationRules
from xkld_reporting.domain.reputation import EnterpriseLine
from xkld_reporting.entrypoints.json_body import json_response
from xkld_reporting.entrypoints.params import ReportArea, Snapshot

router = APIRouter(prefix="/reports", tags=["reports"])

Rules = Annotated[ReputationRules, Depends(from_app_state("reputation_rules", ReputationRules))]


@router.get("/enterprises")
async def enterprises(area: ReportArea, conn: Snapshot, rules: Rules) -> Response:
    """Uy tín doanh nghiệp: mỗi doanh nghiệp một dòng, các cờ cảnh báo theo ngưỡng.

    Licence status is not on any event: the registration service's enterprise list holds it."""
    rows = [_row(line) for line in await enterprise_lines(conn, area.communes, rules)]
    return json_response(
        {
            "area_code": area.code,
            "area_name": area.name,
            "freshness": await freshness(conn),
            "thresholds": asdict(rules.thresholds),
            "fee_caps": [asdict(c) for c in rules.fee_caps],
            "licence_status": "not_in_events",
            "enterprises": rows,
        }
    )


def _row(line: EnterpriseLine) -> dict[str, Any]:
    """The line's fields and its early-return rate (a property, which `asdict` leaves out)."""
    return asdict(line) | {"early_return_rate_percent": line.early_return_rate_percent}
