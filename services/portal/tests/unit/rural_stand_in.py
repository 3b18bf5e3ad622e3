"""A stand-in for registration answering the rural vocational-training paths as it does, and a
portal signed in with the roles a test needs (for test_rural_*.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.bootstrap import create_app
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of

KEY = SigningKey.generate()
SESSION_KEY = generate_key()
CSRF = "c" * 30
TID = "7a1c2b1e-0000-4000-8000-0000000000aa"
RID = "7a1c2b1e-0000-4000-8000-0000000000bb"
COURSE_ID = "7a1c2b1e-0000-4000-8000-0000000000cc"
CODE = "NGHE-01"
TRAINEE = {
    "trainee_id": TID,
    "full_name": "Đặng Thị Ánh",
    "commune_code": "29800",
    "province_code": "86",
    "hamlet": "Ấp Tân Thuận",
    "gender": "female",
    "date_of_birth": "2001-03-04",
    "registered_on": "2026-10-01",
    "support_groups": ["disability", "woman"],
    "difficult_commune": True,
    "consents": {"registration_processing": True, "sms_notifications": True},
    "consent_text_version": "2026-01",
    "other_state_support": None,
}
HISTORY = {
    "trainee_id": TID,
    "full_name": "Đặng Thị Ánh",
    "commune_code": "29800",
    "registered_on": "2026-10-01",
    "support_groups": ["disability", "woman"],
    "difficult_commune": True,
    "courses": [
        {
            "course_id": COURSE_ID,
            "course_code": CODE,
            "title": "Nuôi trồng thuỷ sản",
            "starts_on": "2026-10-05",
            "ends_on": "2026-11-30",
            "enrolled_on": "2026-10-05",
            "distance_km": "16.5",
            "days_present": 12,
            "completed_on": "2026-11-30",
            "passed": True,
            "employment_outcome": None,
            "outcome_observed_on": None,
        }
    ],
    "support": {
        "kind": "paid",
        "policy_code": "QD46-2015",
        "course_id": COURSE_ID,
        "payment_id": "p",
        "paid_on": "2026-12-01",
        "total_vnd": 6_660_000,
    },
    "labour_export_files": [
        {
            "registration_id": RID,
            "status": "submitted",
            "commune_code": "29800",
            "submitted_on": "2026-12-01",
        }
    ],
}
PAGE = {
    "items": [
        {
            "trainee_id": TID,
            "full_name": "Đặng Thị Ánh",
            "commune_code": "29800",
            "hamlet": "Ấp Tân Thuận",
            "gender": "female",
            "birth_year": 2001,
            "registered_on": "2026-10-01",
            "support_groups": ["disability"],
            "courses": 1,
        }
    ],
    "page": 1,
    "page_size": 25,
    "total": 1,
}
COURSE = {
    "id": COURSE_ID,
    "code": CODE,
    "course_type": "vocational",
    "title": "Nuôi trồng thuỷ sản",
    "provider": "Trung tâm GDNN Long Hồ",
    "venue": "Long Hồ",
    "starts_on": "2026-10-05",
    "ends_on": "2026-11-30",
    "capacity": 30,
    "enrolled": 2,
}
COURSE_TRAINEES = [
    {
        "trainee_id": TID,
        "full_name": "Đặng Thị Ánh",
        "commune_code": "29800",
        "enrolled_on": "2026-10-05",
        "distance_km": "16.5",
        "days_present": 12,
        "days_absent": 1,
        "last_attended_on": "2026-11-29",
        "completed_on": None,
        "passed": None,
        "certificate_number": None,
    }
]
SHEET = {
    "course_id": COURSE_ID,
    "course_code": CODE,
    "course_title": "Nuôi trồng thuỷ sản",
    "provider": "Trung tâm GDNN Long Hồ",
    "starts_on": "2026-10-05",
    "ends_on": "2026-11-30",
    "policy_code": "QD46-2015",
    "legal_basis": "Quyết định 46/2015/QĐ-TTg",
    "tuition_vnd": 8_000_000,
    "fisher_vessel_trade": False,
    "lines": [
        {
            "trainee_id": TID,
            "full_name": "Đặng Thị Ánh",
            "commune_code": "29800",
            "days_present": 12,
            "distance_km": "16.5",
            "cost_vnd": 6_000_000,
            "meals_vnd": 360_000,
            "travel_vnd": 300_000,
            "total_vnd": 6_660_000,
            "status": "due",
        },
        {
            "trainee_id": RID,
            "full_name": "Trần Văn Ba",
            "commune_code": "29800",
            "days_present": 0,
            "distance_km": "2.0",
            "cost_vnd": 2_000_000,
            "meals_vnd": 0,
            "travel_vnd": 0,
            "total_vnd": 2_000_000,
            "status": "no_attendance",
        },
    ],
    "due_total_vnd": 6_660_000,
}
DUE = [
    {
        "trainee_id": TID,
        "full_name": "Đặng Thị Ánh",
        "commune_code": "29800",
        "course_id": COURSE_ID,
        "course_code": CODE,
        "completed_on": "2026-11-30",
        "due_by": "2027-05-30",
    }
]


class RegistrationStandIn:
    """Answers registration's paths with fixed answers; remembers what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any, str | None]] = []
        self.asked: list[tuple[str, Any]] = []
        self.refuse: Refusal | None = None
        self.refuse_sheet: Refusal | None = None
        self.answers: dict[str, Any] = {
            "/trainees": PAGE,
            f"/trainees/{TID}": TRAINEE,
            f"/trainees/{TID}/history": HISTORY,
            "/trainees/outcomes-due": DUE,
            "/courses": [COURSE],
            f"/courses/{CODE}/roster": [],
            f"/courses/{CODE}/trainees": COURSE_TRAINEES,
            f"/courses/{CODE}/support-sheet": SHEET,
            "/registrations/overview": {
                "by_stage": {},
                "waiting_for_documents": [],
                "departures_this_month": [],
                "silent_abroad": [],
                "silent_days": 90,
            },
        }

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        self.asked.append((path, kw.get("params")))
        if path.endswith("/support-sheet") and self.refuse_sheet:
            raise self.refuse_sheet
        if service is Service.REGISTRATION and path in self.answers:
            return self.answers[path]
        raise NothingHere

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        if path in ("/auth/refresh", "/auth/login", "/auth/logout"):
            return None
        self.sent.append((method, path, kw.get("json"), kw.get("key")))
        if path == "/trainees/search":
            return PAGE
        if self.refuse:
            raise self.refuse
        if path == "/trainees":
            return {"trainee_id": TID}
        return {}

    async def raw(self, service: Service, path: str, **kw: Any) -> tuple[bytes, str]:
        self.asked.append((path, kw.get("params")))
        return b"PK\x03\x04 workbook", "application/octet-stream"


def token(*roles: Role) -> str:
    scope = Scope(frozenset({"29800"}), "86" if Role.LABOUR_OFFICER in roles else None)
    who = Principal("user-1", "u", frozenset(roles), scope)
    issuer = TokenIssuer(KEY, "xkld", "xkld", lifetime=dt.timedelta(minutes=15))
    return issuer.issue(who)


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, Any]]:
    settings = PortalSettings(
        portal_session_key=SESSION_KEY,
        portal_cookie_secure=False,
        auth_jwks=json.dumps(jwks_of([KEY])),
        log_json=False,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app


def signed_in(
    portal: tuple[TestClient, Any], stand_in: RegistrationStandIn, *roles: Role, lang: str = "vi"
) -> TestClient:
    client, app = portal
    app.state.portal.api = stand_in
    raw = base64.urlsafe_b64decode(SESSION_KEY + "=" * (-len(SESSION_KEY) % 4))
    session = Session(token(*roles), "refresh", CSRF)
    client.cookies.set(COOKIE, SessionCookie(raw).seal(session))
    client.cookies.set("xkld_lang", lang)
    client.cookies.set("xkld_csrf", CSRF)
    return client
