"""The enterprise reputation screen in process, with reporting and registration stood in for:
the table in both languages, flags beside each licence, and only for the labour officer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.steps import BY_PATH, parse
from xkld_shared.identity.principal import Role

from .test_bank_screens import CSRF, portal, signed_in

__all__ = ["portal"]  # the fixture, shared with the bank screens' tests

CAUSES = {
    "accident_or_illness": 0,
    "employer_bankruptcy_or_force_majeure": 0,
    "terminated_for_abuse": 1,
    "dispute": 1,
    "death_or_missing": 0,
}
CATEGORIES = {"fees_over_cap": 0, "contract_breach": 0, "wage_arrears": 2, "abuse": 1, "other": 0}


def _line(code: str, **changes: Any) -> dict[str, Any]:
    line = {
        "enterprise_code": code,
        "departed": 5,
        "completed": 1,
        "returned_early": 2,
        "early_by_cause": CAUSES,
        "absconded": 1,
        "complaints": 3,
        "complaints_by_category": CATEGORIES,
        "fees_recorded": 2,
        "fees_over_cap": 1,
        "fees_cap_unknown": 1,
        "fees_total_vnd": 210_000_000,
        "flags": ["early_return_rate", "complaints", "fees_over_cap"],
        "early_return_rate_percent": "40.0",
    }
    return line | changes


REPORT = {
    "area_code": "86",
    "freshness": {"as_of": "2026-08-02T03:00:00+00:00", "streams": []},
    "licence_status": "not_in_events",
    "enterprises": [
        _line("ENT-A"),
        _line(
            "ENT-GONE",
            departed=2,
            returned_early=0,
            early_by_cause=dict.fromkeys(CAUSES, 0),
            complaints=0,
            complaints_by_category=dict.fromkeys(CATEGORIES, 0),
            fees_over_cap=0,
            fees_cap_unknown=0,
            flags=[],
            early_return_rate_percent="0.0",
        ),
    ],
}
LISTED = [
    {
        "code": "ENT-A",
        "name": "Công ty Nhân lực A",
        "licence_valid_to": "2099-01-01",
        "revoked_on": "2026-07-01",
    }
]


class ReputationStandIn:
    def __init__(self) -> None:
        self.asked: list[tuple[Service, str]] = []

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        self.asked.append((service, path))
        if service is Service.REPORTING and path == "/reports/enterprises":
            return REPORT
        if service is Service.REGISTRATION and path == "/enterprises":
            return LISTED
        raise NothingHere

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        return None


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "vi",
            [
                "Uy tín doanh nghiệp",
                "Nhiều lao động về nước trước hạn",
                "Nợ lương: 2",
                "Đã thu hồi",
            ],
        ),
        ("en", ["Enterprise reputation", "Many early returns", "Wage arrears: 2", "Revoked"]),
    ],
)
def test_the_labour_officer_sees_each_enterprise_with_its_flags_beside_its_licence(
    portal: tuple[TestClient, Any], lang: str, words: list[str]
) -> None:
    stand_in = ReputationStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER, lang=lang)  # type: ignore[arg-type]
    page = client.get("/enterprise-reputation")
    assert page.status_code == 200, page.text
    for word in words:
        assert word in page.text, word
    assert 'data-flags="early_return_rate complaints fees_over_cap"' in page.text
    assert 'data-enterprise="ENT-GONE" data-flags=""' in page.text
    assert "Công ty Nhân lực A" in page.text
    assert "40,0%" in page.text
    assert 'href="/enterprise-reputation"' in page.text, "linked from the menu"
    assert (Service.REPORTING, "/reports/enterprises") in stand_in.asked


def test_an_enterprise_reporting_knows_but_registration_does_not_is_said_to_be_unlisted(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, ReputationStandIn(), Role.LABOUR_OFFICER, lang="en")  # type: ignore[arg-type]
    page = client.get("/enterprise-reputation").text
    row = page[page.index('data-enterprise="ENT-GONE"') :]
    assert "Not in the list" in row[: row.index("</tr>")]


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.LOAN_OFFICER, Role.REPORT_VIEWER])
def test_other_roles_do_not_get_the_screen_or_its_link(
    portal: tuple[TestClient, Any], role: Role
) -> None:
    stand_in = ReputationStandIn()
    client = signed_in(portal, stand_in, role)  # type: ignore[arg-type]
    assert client.get("/enterprise-reputation").status_code == 403
    assert stand_in.asked == []


class RecordingStandIn(ReputationStandIn):
    def __init__(self, refuse: Refusal | None = None) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, Any, str | None]] = []
        self.refuse = refuse

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        if path.startswith("/auth/"):
            return None
        self.sent.append((method, path, kw.get("json"), kw.get("key")))
        if self.refuse:
            raise self.refuse
        return {}


def _complaint_form(**changes: str) -> dict[str, str]:
    form = {
        "csrf_token": CSRF,
        "form_key": "complaint-key-1",
        "enterprise_code": "ENT-A",
        "category": "wage_arrears",
        "complained_on": "2026-08-01",
        "details": "Nợ lương ba tháng",
    }
    return form | changes


def test_a_complaint_is_sent_to_registration_with_the_form_s_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = RecordingStandIn()
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)  # type: ignore[arg-type]
    page = client.get("/enterprise-reputation").text
    assert 'action="/enterprise-reputation/complaints"' in page
    assert '<option value="ENT-A">ENT-A – Công ty Nhân lực A</option>' in page
    answer = client.post(
        "/enterprise-reputation/complaints",
        data=_complaint_form(),
        headers={"HX-Request": "true"},
    )
    assert answer.headers["hx-redirect"] == "/enterprise-reputation?done=complaint-key-1"
    body = {
        "category": "wage_arrears",
        "complained_on": "2026-08-01",
        "details": "Nợ lương ba tháng",
    }
    assert stand_in.sent == [("POST", "/enterprises/ENT-A/complaints", body, "complaint-key-1")]


def test_a_refused_complaint_keeps_what_was_typed_and_says_why_by_the_field(
    portal: tuple[TestClient, Any],
) -> None:
    refusal = Refusal(
        422,
        "Không hợp lệ",
        "Invalid",
        {"complained_on": ("Ngày khiếu nại không được sau ngày hôm nay", "Not after today")},
    )
    stand_in = RecordingStandIn(refusal)
    client = signed_in(portal, stand_in, Role.LABOUR_OFFICER)  # type: ignore[arg-type]
    page = client.post("/enterprise-reputation/complaints", data=_complaint_form())
    assert page.status_code == 422
    assert (
        'id="err-complaint-complained_on">Ngày khiếu nại không được sau ngày hôm nay<' in page.text
    )
    assert 'name="form_key" value="complaint-key-1"' in page.text
    assert "Nợ lương ba tháng" in page.text
    unchosen = RecordingStandIn()
    client = signed_in(portal, unchosen, Role.LABOUR_OFFICER)  # type: ignore[arg-type]
    page = client.post(
        "/enterprise-reputation/complaints", data=_complaint_form(enterprise_code="")
    )
    assert page.status_code == 422
    assert 'id="err-complaint-enterprise_code"' in page.text
    assert unchosen.sent == []


def test_a_commune_officer_cannot_post_a_complaint(portal: tuple[TestClient, Any]) -> None:
    stand_in = RecordingStandIn()
    client = signed_in(portal, stand_in, Role.COMMUNE_OFFICER)  # type: ignore[arg-type]
    assert (
        client.post("/enterprise-reputation/complaints", data=_complaint_form()).status_code == 403
    )
    assert stand_in.sent == []


def test_the_contract_step_sends_the_fee_when_one_is_entered_and_leaves_it_out_otherwise() -> None:
    contract = BY_PATH["contract"]
    typed: dict[str, object] = {
        "enterprise_code": "ENT-A",
        "contract_number": "HD-1",
        "market_code": "JP",
        "programme": "TITP",
        "employer_name": "Sato",
        "term_months": "36",
        "monthly_salary": "180000",
        "salary_currency": "JPY",
        "signed_on": "2026-03-01",
    }
    with_fee = parse(contract, typed | {"fee_vnd": "95.000.000"})
    assert with_fee.problems == []
    assert with_fee.body["fee_vnd"] == 95_000_000
    assert "fee_vnd" not in parse(contract, typed).body
    assert [p.name for p in parse(contract, typed | {"fee_vnd": "95tr"}).problems] == ["fee_vnd"]
