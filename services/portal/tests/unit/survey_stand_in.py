"""A stand-in for outreach (and the markets) answering the survey screens' paths as it does,
and a portal signed in with it (for test_survey_*.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fastapi.testclient import TestClient

from .rural_portal import StandIn, portal_with

ROUND = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
WANTS = "2c3d4e5f-6071-4829-93a4-b5c6d7e8f9a0"
STAYS = "3d4e5f60-7182-4930-a4b5-c6d7e8f9a0b1"
LINKED = "4e5f6071-8293-4a41-b5c6-d7e8f9a0b1c2"
RID = "5f607182-93a4-4b52-86d7-e8f9a0b1c2d3"
PATH = f"/survey-rounds/{ROUND}"


def _member(rid: str, **over: Any) -> dict[str, Any]:
    base = {
        "respondent_id": rid,
        "full_name": "Lê Văn Hùng",
        "age_band": "25-29",
        "gender": "male",
        "education": "upper_secondary",
        "current_work": "farming",
        "wants_training": False,
        "trade_code": None,
        "wants_abroad": True,
        "market_code": "KR-EPS",
        "abroad_when": "within_6_months",
        "needs_loan": True,
        "priority_groups": ["demobilised_soldier"],
        "contact_consent": True,
        "registration_id": None,
    }
    return base | over


SHOWN = {
    "round_id": ROUND,
    "commune_code": "29800",
    "province_code": "86",
    "title": "Khảo sát quý IV",
    "status": "open",
    "period_start": "2026-10-01",
    "period_end": "2026-12-31",
    "opened_by": "canbo",
    "closed_by": None,
    "households": [
        {
            "household_id": "h1",
            "hamlet": "Ấp Tân Thuận",
            "recorded_by": "canbo",
            "recorded_at": "2026-10-02T02:00:00+00:00",
            "members": [
                _member(WANTS),
                _member(STAYS, full_name=None, wants_abroad=False, market_code=None),
                _member(LINKED, full_name="Trần Thị Bé", registration_id=RID),
            ],
        }
    ],
}
ROUNDS = [{k: v for k, v in SHOWN.items() if k != "households"} | {"households": 1}]
MARKETS = [{"code": "KR-EPS", "country_vi": "Hàn Quốc", "programme": "EPS", "active": True}]
COUNTS = {
    "members": 3,
    "households": 1,
    "wants_training": 0,
    "wants_abroad": 2,
    "needs_loan": 3,
    "contact_consent": 3,
}
ROLLUPS = {
    "totals": COUNTS,
    "by_commune": [{"key": "29800"} | COUNTS],
    "by_priority_group": [{"key": "demobilised_soldier"} | COUNTS],
    "by_gender": [{"key": "male"} | COUNTS],
}
PLAN = {
    "plan_year": 2026,
    "course_size": 25,
    "lines": [
        {"trade_code": "HAN", "demand": 40, "places": 10, "places_to_add": 30, "courses_to_add": 2}
    ],
}
TARGET = {
    "markets": [{"market_code": "KR-EPS", "wanting": 2, "within_12_months": 2, "needs_loan": 2}],
    "suggested_departed": 2,
    "wanting": 2,
}
REPORT = {
    "dry_run": True,
    "rows": 2,
    "created": 0,
    "valid": 1,
    "rejected": 1,
    "households_created": 0,
    "ignored_columns": ["Ghi chú"],
    "results": [
        {"row": 2, "household": "1", "outcome": "valid", "message_vi": "Hợp lệ",
         "message_en": "Valid", "household_id": None, "errors": []},
        {"row": 3, "household": "2", "outcome": "rejected",
         "message_vi": "age_band: Không rõ nhóm tuổi '70'", "message_en": "Unknown age band",
         "household_id": None,
         "errors": [{"field": "Nhóm tuổi", "message_vi": "Không rõ nhóm tuổi '70'",
                     "message_en": "Unknown age band '70'"}]},
    ],
}  # fmt: skip
INTAKE = {
    "intake": {
        "full_name": "Lê Văn Hùng",
        "gender": "male",
        "commune_code": "29800",
        "hamlet": "Ấp Tân Thuận",
        "education": "upper_secondary",
        "priority_groups": ["demobilised_soldier"],
        "desired_market": "KR-EPS",
        "loan_wanted": True,
        "outreach_respondent_id": WANTS,
    },
    "still_needed": ["cccd", "date_of_birth", "phone"],
    "registration_id": None,
}


class Outreach(StandIn):
    """Answers outreach's paths (and the markets), and what each send makes."""

    made: ClassVar[dict[str, Any]] = {
        "/survey-rounds": {"round_id": ROUND},
        "/registrations": {"registration_id": RID},
    }

    async def send(self, service: Any, method: str, path: str, **kw: Any) -> Any:
        await super().send(service, method, path, **kw)
        if path.endswith("/imports"):
            dry = (kw.get("params") or {}).get("dry_run") == "true"
            return REPORT | {"dry_run": dry, "created": 0 if dry else 1}
        return self.made.get(path, {})


def survey_portal() -> Iterator[tuple[TestClient, StandIn]]:
    answers = {
        "/survey-rounds": ROUNDS,
        PATH: SHOWN,
        "/markets": MARKETS,
        "/survey-rollups": ROLLUPS,
        "/survey-rollups/course-plan": PLAN,
        "/survey-rollups/target": TARGET,
        f"/respondents/{WANTS}/intake": INTAKE,
        f"/respondents/{LINKED}/intake": INTAKE | {"registration_id": RID},
    }
    for http, _ in portal_with(answers):
        outreach = Outreach(answers)
        http.app.state.portal.api = outreach  # type: ignore[attr-defined]
        yield http, outreach
