"""A stand-in for outreach answering the campaign screens' paths as it does, and a portal
signed in with it (for test_campaign_screens.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fastapi.testclient import TestClient

from .rural_portal import StandIn, portal_with
from .survey_stand_in import ROUND, SHOWN, STAYS, WANTS

CAMPAIGN = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
PATH = f"/campaigns/{CAMPAIGN}"
CAMPAIGN_SHOWN = {
    "campaign_id": CAMPAIGN,
    "goal": "Chính sách vay vốn của tỉnh tới hộ nghèo",
    "province_code": "86",
    "template_code": "loan_policy_nq37",
    "status": "active",
    "created_by": "canbo",
    "communes": ["29800"],
    "priority_groups": ["demobilised_soldier"],
    "hamlets": [],
    "age_bands": [],
    "channels": ["sms_broadcast", "meeting", "loudspeaker"],
    "period_start": "2026-11-01",
    "period_end": "2026-12-31",
    "meetings": [
        {"meeting_id": "m1", "commune_code": "29800", "held_on": "2026-11-05",
         "place": "Nhà văn hoá ấp Tân Thuận", "walk_ins": 4, "attendees": 2, "interested": 1,
         "recorded_by": "canbo"},
    ],
}  # fmt: skip
TEMPLATE = {
    "code": "loan_policy_nq37",
    "version": 2,
    "title": "Vay vốn đi làm việc ở nước ngoài",
    "sms_text": "Tinh ho tro vay von di lam viec o nuoc ngoai",
    "zalo_template_id": "ZNS01",
    "zalo_params": {"chuong_trinh": "NQ37"},
    "announcement": "Kính thưa bà con...",
    "edited_by": "canbo",
    "edited_at": "2026-11-01T02:00:00+00:00",
    "versions": [{"version": 1, "edited_by": "seed", "edited_at": "2026-10-01T02:00:00+00:00"}],
}
RECIPIENTS = {
    "campaign_id": CAMPAIGN,
    "broadcasts": [
        {"broadcast_id": "b1", "route": "zalo_then_sms", "recipients": 1,
         "skipped_already_sent": 0, "requested_at": "2026-11-02T02:00:00+00:00"},
    ],
    "by_outcome": {"delivered": 1},
    "recipients": [
        {"recipient_id": "r1", "broadcast_id": "b1", "respondent_id": STAYS,
         "commune_code": "29800", "outcome": "delivered", "channel": "sms", "fell_back": True,
         "reason": "no_zalo_account", "cost_vnd": 800, "settled_at": None},
    ],
}  # fmt: skip
FUNNEL = {
    "campaign_id": CAMPAIGN,
    "total": {"reached": 7, "interested": 2, "registered": 1, "departed": 0},
    "by_priority_group": {
        "demobilised_soldier": {"reached": 3, "interested": 2, "registered": 1, "departed": 0}
    },
    "walk_ins": 4,
}


def _with_phones(shown: dict[str, Any]) -> dict[str, Any]:
    """The round as outreach shows it, where each member says whether a phone is on file."""
    households = [
        h | {"members": [m | {"has_phone": m["respondent_id"] in (WANTS, STAYS)}
                          for m in h["members"]]}
        for h in shown["households"]
    ]  # fmt: skip
    return shown | {"households": households}


class Outreach(StandIn):
    """Answers outreach's paths, what each send makes, and the files it would download."""

    made: ClassVar[dict[str, Any]] = {"/campaigns": {"campaign_id": CAMPAIGN}}

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__(answers)
        self.fetched: list[tuple[str, dict[str, Any] | None]] = []

    async def send(self, service: Any, method: str, path: str, **kw: Any) -> Any:
        await super().send(service, method, path, **kw)
        return self.made.get(path, {})

    async def raw(self, service: Any, path: str, **kw: Any) -> tuple[bytes, str]:
        self.fetched.append((path, kw.get("params")))
        if path.endswith("/announcement"):
            return (
                b"<html><head><title>Loa</title></head><body><h1>Loa xa</h1></body></html>",
                "text/html",
            )
        return b"\xef\xbb\xbfNhom uu tien;Tiep can\r\n", "text/csv"


def campaign_portal() -> Iterator[tuple[TestClient, Outreach]]:
    answers = {
        "/campaigns": [{k: v for k, v in CAMPAIGN_SHOWN.items() if k != "meetings"}],
        PATH: CAMPAIGN_SHOWN,
        "/message-templates": [{k: v for k, v in TEMPLATE.items() if k != "versions"}],
        "/message-templates/loan_policy_nq37": TEMPLATE,
        "/survey-rounds": [{"round_id": ROUND, "commune_code": "29800"}],
        f"/survey-rounds/{ROUND}": _with_phones(SHOWN),
        f"{PATH}/recipients": RECIPIENTS,
        f"{PATH}/funnel": FUNNEL,
    }
    for http, _ in portal_with(answers):
        outreach = Outreach(answers)
        http.app.state.portal.api = outreach  # type: ignore[attr-defined]
        yield http, outreach
