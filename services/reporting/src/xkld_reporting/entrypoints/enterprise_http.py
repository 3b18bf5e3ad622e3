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
from xkld_reporting.entrypoints.json_body import json_response
from xkld_reporting.entrypoints.params import ReportArea, Snapshot

router = APIRouter(prefix="/reports", tags=["reports"])

Rules = Annotated[ReputationRules, Depends(from_app_state("reputation_rules", ReputationRules))]


@router.get("/enterprises")
async def enterprises(area: ReportArea, conn: Snapshot, rules: Rules) -> Response:
    """Uy tín doanh nghiệp: mỗi doanh nghiệp một dòng, các cờ cảnh báo theo ngưỡng.

    Licence status is not on any event: the registration service's enterprise list holds it."""
    lines = await enterprise_lines(conn, area.communes, rules)
    rows: list[dict[str, Any]] = []
    for line in lines:
        row = asdict(line)
        row["early_return_rate_percent"] = line.early_return_rate_percent
        rows.append(row)
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
