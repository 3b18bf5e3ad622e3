"""The rural vocational-training screens in process, with registration replaced by a stand-in
that answers as it does: each screen renders in Vietnamese and English, each form sends the
body and the Idempotency-Key registration expects, and a refusal shows next to its field."""

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
        self.answers: dict[str, Any] = {
            "/trainees": PAGE,
            f"/trainees/{TID}": TRAINEE,
            f"/trainees/{TID}/history": HISTORY,
            "/trainees/outcomes-due": DUE,
            "/courses": [COURSE],
            f"/courses/{CODE}/roster": [],
            f"/courses/{CODE}/trainees": COURSE_TRAINEES,
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


OFFICER_PAGES = {
    "/trainees": {"vi": "Học viên học nghề ở lại địa phương", "en": "Trainees who stay"},
    "/trainees/new": {"vi": "Nhóm đối tượng theo QĐ 46/2015", "en": "Decision 46/2015 groups"},
    f"/trainees/{TID}": {
        "vi": "Ghi nhận việc làm sau học nghề",
        "en": "Record work after training",
    },
    "/trainees/due": {"vi": "Hạn ghi nhận", "en": "Due by"},
    "/": {"vi": "Cần ghi nhận việc làm sau học nghề", "en": "Employment outcomes due"},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", sorted(OFFICER_PAGES))
def test_each_commune_officer_trainee_screen_renders_in_both_languages(
    portal: tuple[TestClient, Any], path: str, lang: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.COMMUNE_OFFICER, lang=lang)
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert f'<html lang="{lang}">' in page.text
    assert OFFICER_PAGES[path][lang] in page.text
    assert "Traceback" not in page.text


def test_the_trainee_page_shows_the_one_history_the_support_and_the_file_abroad(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.COMMUNE_OFFICER)
    page = client.get(f"/trainees/{TID}").text
    assert "Người khuyết tật; Phụ nữ" in page
    assert "Nuôi trồng thuỷ sản (NGHE-01)" in page
    assert "6.660.000 ₫" in page
    assert f'href="/files/{RID}"' in page
    assert f'<option value="{COURSE_ID}" selected>' in page  # the one finished course


def test_taking_in_a_trainee_sends_the_person_the_groups_and_the_consents_with_the_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-intake-1",
        "full_name": " Đặng Thị Ánh ",
        "cccd": "086301000001",
        "date_of_birth": "2001-03-04",
        "gender": "female",
        "phone": "0912000001",
        "ethnicity_code": "01",
        "household_poverty": "poor",
        "commune_code": "29800",
        "support_groups": ["disability", "woman", "not-a-group"],
        "difficult_commune": "true",
        "consents": ["registration_processing", "sms_notifications"],
    }
    answer = client.post("/trainees/new", data=form, headers={"HX-Request": "true"})
    assert answer.headers["hx-redirect"] == f"/trainees/{TID}?done=key-intake-1"
    ((method, path, body, key),) = stand_in.sent
    assert (method, path, key) == ("POST", "/trainees", "key-intake-1")
    assert body["full_name"] == "Đặng Thị Ánh"
    assert body["support_groups"] == ["disability", "woman"]
    assert body["difficult_commune"] is True
    assert "other_state_support" not in body
    assert body["consents"] == {
        "registration_processing": True,
        "sms_notifications": True,
        "share_with_enterprise": False,
        "share_with_bank": False,
    }


@pytest.mark.parametrize(
    ("lang", "said"), [("vi", "Số CCCD không khớp ngày sinh"), ("en", "CCCD does not match")]
)
def test_a_refused_intake_shows_the_service_s_words_next_to_the_field_and_keeps_the_key(
    portal: tuple[TestClient, Any], lang: str, said: str
) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        422,
        "Dữ liệu không hợp lệ",
        "Invalid input",
        {"cccd": ("Số CCCD không khớp ngày sinh", "CCCD does not match the date of birth")},
    )
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER, lang=lang)
    form = {"csrf_token": CSRF, "form_key": "key-refused-2", "cccd": "086301000009"} | {
        name: "x"
        for name in (
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "ethnicity_code",
            "household_poverty",
            "commune_code",
        )
    }
    page = client.post("/trainees/new", data=form)
    assert page.status_code == 422
    assert f'id="err-cccd">{said}' in page.text
    assert 'aria-describedby="err-cccd"' in page.text
    assert 'name="form_key" value="key-refused-2"' in page.text
    assert 'value="086301000009"' in page.text


def test_a_blank_required_field_is_refused_before_anything_is_sent(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    page = client.post("/trainees/new", data={"csrf_token": CSRF, "form_key": "key-blank-3"})
    assert page.status_code == 422
    assert 'id="err-full_name">Thông tin này là bắt buộc' in page.text
    assert stand_in.sent == []


def test_a_duplicate_trainee_offers_the_existing_one(portal: tuple[TestClient, Any]) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        409, "Người này đã là học viên", "Already a trainee", {}, "duplicate_trainee"
    )
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-duplicate-4", "cccd": "086301000001"} | {
        name: "x"
        for name in (
            "full_name",
            "date_of_birth",
            "gender",
            "phone",
            "ethnicity_code",
            "household_poverty",
            "commune_code",
        )
    }
    page = client.post("/trainees/new", data=form)
    assert page.status_code == 409
    assert f'href="/trainees/{TID}"' in page.text
    assert stand_in.sent[-1][1:3] == ("/trainees/search", {"cccd": "086301000001"})


def test_the_search_by_name_is_a_post_and_never_puts_the_name_in_a_url(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    page = client.post("/trainees/search", data={"csrf_token": CSRF, "name": "dang thi anh"})
    assert page.status_code == 200
    assert stand_in.sent == [
        ("POST", "/trainees/search", {"page": 1, "page_size": 25, "name": "dang thi anh"}, None)
    ]
    assert f'href="/trainees/{TID}"' in page.text


def test_an_employment_outcome_is_sent_with_the_course_and_the_form_s_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-out-1",
        "course_id": COURSE_ID,
        "outcome": "went_abroad",
        "observed_on": "2026-12-02",
        "registration_id": RID,
    }
    answer = client.post(f"/trainees/{TID}/outcomes", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/trainees/{TID}?done=key-out-1"
    assert stand_in.sent == [
        (
            "POST",
            f"/trainees/{TID}/employment-outcomes",
            {
                "course_id": COURSE_ID,
                "outcome": "went_abroad",
                "observed_on": "2026-12-02",
                "registration_id": RID,
            },
            "key-out-1",
        )
    ]


def test_a_refused_outcome_shows_the_message_at_the_date(portal: tuple[TestClient, Any]) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        422, "Sai", "Wrong", {"observed_on": ("Ngày ghi nhận ở tương lai", "In the future")}
    )
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-outcome-5",
        "course_id": COURSE_ID,
        "outcome": "other_work",
    }
    page = client.post(f"/trainees/{TID}/outcomes", data=form | {"observed_on": "2099-01-01"})
    assert page.status_code == 422
    assert 'id="err-outcome-observed_on">Ngày ghi nhận ở tương lai<' in page.text
    assert 'value="2099-01-01"' in page.text


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.TRAINING_STAFF, "/trainees/new"),
        (Role.LABOUR_OFFICER, "/trainees/due"),
        (Role.LOAN_OFFICER, "/trainees"),
    ],
)
def test_a_role_that_may_not_use_a_trainee_screen_gets_403(
    portal: tuple[TestClient, Any], role: Role, path: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("lang", "said"), [("vi", "Ghi danh học viên này"), ("en", "Enrol the trainee")]
)
def test_a_vocational_course_page_lists_its_trainees_with_the_centre_s_forms(
    portal: tuple[TestClient, Any], lang: str, said: str
) -> None:
    client = signed_in(portal, RegistrationStandIn(), Role.TRAINING_STAFF, lang=lang)
    page = client.get(f"/courses/{CODE}")
    assert page.status_code == 200, page.text
    assert said in page.text
    assert "Đặng Thị Ánh" in page.text
    assert f'<option value="{TID}">Đặng Thị Ánh — 29800</option>' in page.text
    assert f'action="/courses/{CODE}/trainee-attendance"' in page.text


def test_enrolling_a_trainee_sends_the_distance_with_a_point_the_course_and_the_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-enrol-1",
        "trainee_code": f" {TID} ",
        "distance_km": "16,5",
    }
    answer = client.post(f"/courses/{CODE}/trainee-enrolments", data=form, follow_redirects=False)
    assert answer.headers["location"] == f"/courses/{CODE}?done=key-enrol-1"
    assert stand_in.sent == [
        (
            "POST",
            f"/trainees/{TID}/enrolments",
            {"distance_km": "16.5", "course_id": COURSE_ID},
            "key-enrol-1",
        )
    ]


def test_attendance_and_a_result_of_a_trainee_go_to_registration_with_their_keys(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF)
    present = {"trainee_id": TID, "attended_on": "2026-11-02", "present": "false"}
    client.post(
        f"/courses/{CODE}/trainee-attendance",
        data={"csrf_token": CSRF, "form_key": "key-attend-1"} | present,
    )
    passed = {"trainee_id": TID, "passed": "true", "certificate_number": " SC-1 "}
    client.post(
        f"/courses/{CODE}/trainee-results",
        data={"csrf_token": CSRF, "form_key": "key-result-1"} | passed,
    )
    assert [(p, b, k) for _, p, b, k in stand_in.sent] == [
        (
            f"/trainees/{TID}/attendance",
            {"attended_on": "2026-11-02", "present": False, "course_id": COURSE_ID},
            "key-attend-1",
        ),
        (
            f"/trainees/{TID}/training-results",
            {"passed": True, "certificate_number": "SC-1", "course_id": COURSE_ID},
            "key-result-1",
        ),
    ]


def test_a_mistyped_trainee_code_is_refused_beside_the_field_and_nothing_is_sent(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF)
    form = {"csrf_token": CSRF, "form_key": "key-enrol-2", "trainee_code": "HV-12"}
    page = client.post(f"/courses/{CODE}/trainee-enrolments", data=form | {"distance_km": "3"})
    assert page.status_code == 422
    assert 'id="err-trainee-enrol-trainee_code">Mã học viên không đúng' in page.text
    assert 'name="form_key" value="key-enrol-2"' in page.text
    assert stand_in.sent == []


def test_a_refused_enrolment_shows_the_service_s_message_at_the_distance(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    stand_in.refuse = Refusal(
        422, "Sai", "Wrong", {"distance_km": ("Tối đa 1 chữ số thập phân", "One decimal")}
    )
    client = signed_in(portal, stand_in, Role.TRAINING_STAFF, lang="en")
    form = {"csrf_token": CSRF, "form_key": "key-enrol-3", "trainee_code": TID}
    page = client.post(f"/courses/{CODE}/trainee-enrolments", data=form | {"distance_km": "1.25"})
    assert page.status_code == 422
    assert 'id="err-trainee-enrol-distance_km">One decimal<' in page.text
    assert 'value="1.25"' in page.text


def test_only_the_training_centre_records_a_trainee_s_training(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RegistrationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-enrol-4", "trainee_code": TID}
    answer = client.post(f"/courses/{CODE}/trainee-enrolments", data=form)
    assert answer.status_code == 403
    assert stand_in.sent == []
