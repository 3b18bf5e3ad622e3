"""The bank's screens in process, with the loans service replaced by a stand-in that answers as
it does: each screen renders in Vietnamese and English, each form sends the loans service the
body and the Idempotency-Key it expects, and maker-checker holds in the portal too."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.adapters.session_cookie import COOKIE, Session, SessionCookie
from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.bootstrap import create_app
from xkld_portal.domain import bank
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer, jwks_of

KEY = SigningKey.generate()
SESSION_KEY = generate_key()
CSRF = "c" * 30
LOAN = "6f1c2b1e-0000-4000-8000-00000000000a"
EVALUATION = {
    "regime_code": "ND338-2025",
    "eligible": True,
    "reasons": ["Mức vay tối đa bằng chi phí / The maximum is the costs"],
    "max_amount_vnd": 100_000_000,
    "collateral_required": False,
    "monthly_rate": "0.0055",
    "overdue_monthly_rate": "0.00715",
    "max_term_months": 36,
    "top_up_code": None,
    "subsidised_share_of_interest": None,
}


def application(status: str, proposed_by: str | None = "user-officer") -> dict[str, Any]:
    proposal = None
    if proposed_by:
        proposal = {
            "approve": True,
            "proposed_by": proposed_by,
            "amount_vnd": 90_000_000,
            "term_months": 24,
            "reason": None,
        }
    return {
        "application_id": LOAN,
        "registration_id": str(uuid.uuid4()),
        "branch_code": "VBSP-86",
        "commune_code": "29800",
        "status": status,
        "requested_vnd": 95_000_000,
        "requested_term_months": 24,
        "evaluation": EVALUATION,
        "proposal": proposal,
        "decided_by": None,
        "reviewer": None,
        "programme": "labour_export",
        "application_date": "2026-11-20",
        "priority_groups": ["poor_household"],
        "contract_costs_vnd": 100_000_000,
        "contract_term_months": 36,
    }


QUEUE_ROW = {
    "id": LOAN,
    "registration_id": str(uuid.uuid4()),
    "commune_code": "29800",
    "status": "application_received",
    "requested_vnd": 95_000_000,
    "regime_code": "ND338-2025",
    "eligible": True,
    "proposed_vnd": 90_000_000,
    "proposed_by": "user-officer",
    "reviewer": None,
    "review_flag": None,
    "review_flagged_on": None,
    "created_at": "2026-11-20T03:00:00+00:00",
    "updated_at": "2026-11-21T03:00:00+00:00",
}
SCHEDULE = [
    {
        "number": n,
        "due_on": due,
        "opening_balance_vnd": 90_000_000,
        "principal_vnd": 3_750_000,
        "interest_vnd": 495_000,
        "total_vnd": 4_245_000,
        "principal_paid_vnd": paid,
        "interest_paid_vnd": 495_000 if paid else 0,
        "overdue_interest_vnd": 0,
        "overdue_interest_paid_vnd": 0,
    }
    for n, due, paid in ((1, "2026-01-15", 3_750_000), (2, "2026-02-15", 0), (3, "2099-03-15", 0))
]
PORTFOLIO = {
    "branch": "VBSP-86",
    "as_of": "2026-12-02",
    "group_by": "commune",
    "lines": [
        {
            "group": "29800",
            "loans": 2,
            "outstanding_principal_vnd": 170_000_000,
            "overdue_principal_vnd": 3_750_000,
            "overdue_by_age_vnd": {"1-30": 0, "31-90": 3_750_000, "91-180": 0, ">180": 0},
            "overdue_interest_owed_vnd": 12_000,
            "par30_principal_vnd": 86_250_000,
            "par30_ratio": "0.5074",
        }
    ],
}


class LoansStandIn:
    """Answers the loans service's paths with fixed answers; remembers what was sent."""

    def __init__(self, status: str = "application_received", proposed_by: str | None = None):
        self.app = application(status, proposed_by)
        self.sent: list[tuple[str, str, Any, str | None]] = []
        self.refuse: Refusal | None = None
        self.asked: list[tuple[str, dict[str, Any] | None]] = []

    def _answers(self) -> dict[str, Any]:
        base = f"/loan-applications/{LOAN}"
        return {
            "/work-queues/applications-to-review": [QUEUE_ROW],
            "/work-queues/proposals-to-confirm": [QUEUE_ROW | {"status": "proposed"}],
            "/work-queues/disbursements-due": [QUEUE_ROW | {"transaction_day": "2026-12-15"}],
            base: self.app,
            "/regimes": [
                {
                    "code": "ND338-2025",
                    "name": "Nghị định 338",
                    "legal_basis": "NĐ 338/2025/NĐ-CP",
                    "source_notes": ["Ghi chú"],
                }
            ],
            f"{base}/history": [
                {
                    "occurred_at": "2026-11-20T03:00:00Z",
                    "actor_username": "tindung",
                    "action": "loan.application_received",
                }
            ],
            f"{base}/schedule": SCHEDULE,
            f"{base}/repayments": [{"id": "r", "amount_vnd": 4_245_000, "paid_on": "2026-01-15"}],
            f"{base}/balance": {
                "on": "2026-12-02",
                "disbursed_vnd": 90_000_000,
                "principal_repaid_vnd": 3_750_000,
                "interest_paid_vnd": 495_000,
                "overdue_interest_paid_vnd": 0,
                "principal_written_off_vnd": 0,
                "outstanding_principal_vnd": 86_250_000,
            },
            "/portfolio": PORTFOLIO,
            "/work-queues/overdue": [
                {
                    "id": LOAN,
                    "commune_code": "29800",
                    "oldest_due_on": "2026-02-15",
                    "days_past_due": 290,
                    "overdue_principal_vnd": 3_750_000,
                    "overdue_interest_vnd": 495_000,
                }
            ],
        }

    def _with_summary(self) -> dict[str, Any]:
        """Loans' one-read summary of a loan, made of the single answers above."""
        answers = self._answers()
        base = f"/loan-applications/{LOAN}"
        parts = {part: answers[f"{base}/{part}"] for part in ("history", "schedule", "repayments")}
        regime = answers["/regimes"][0]
        summary = {"application": answers[base], "regime": regime} | parts
        return answers | {f"{base}/summary": summary}

    async def get(self, service: Service, path: str, **kw: Any) -> Any:
        self.asked.append((path, kw.get("params")))
        answers = self._with_summary()
        if service is Service.LOANS and path in answers:
            return answers[path]
        raise NothingHere

    async def send(self, service: Service, method: str, path: str, **kw: Any) -> Any:
        if path in ("/auth/refresh", "/auth/login", "/auth/logout"):
            return None
        self.sent.append((method, path, kw.get("json"), kw.get("key")))
        if self.refuse:
            raise self.refuse
        return self.app

    async def raw(self, service: Service, path: str, **kw: Any) -> tuple[bytes, str]:
        self.asked.append((path, kw.get("params")))
        return b"\xef\xbb\xbfNhom,So khoan vay\n", "text/csv"


def token(*roles: Role, subject: str) -> str:
    who = Principal(subject, subject, frozenset(roles), Scope(frozenset(), None, "VBSP-86"))
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
    portal: tuple[TestClient, Any], stand_in: LoansStandIn, *roles: Role, lang: str = "vi"
) -> TestClient:
    client, app = portal
    app.state.portal.api = stand_in
    subject = "user-manager" if Role.BANK_MANAGER in roles else "user-officer"
    raw = base64.urlsafe_b64decode(SESSION_KEY + "=" * (-len(SESSION_KEY) % 4))
    session = Session(token(*roles, subject=subject), "refresh", CSRF)
    client.cookies.set(COOKIE, SessionCookie(raw).seal(session))
    client.cookies.set("xkld_lang", lang)
    client.cookies.set("xkld_csrf", CSRF)
    return client


OFFICER_PAGES = ["/", "/loans", "/loans/day-sheet", "/loans/overdue", f"/loans/{LOAN}"]
MANAGER_PAGES = ["/", "/loans/proposals", "/loans/portfolio", f"/loans/{LOAN}/decision"]
WORDS = {"vi": "Hồ sơ vay", "en": "Loan application"}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_each_loan_officer_screen_renders_in_both_languages(
    portal: tuple[TestClient, Any], path: str, lang: str
) -> None:
    client = signed_in(portal, LoansStandIn(), Role.LOAN_OFFICER, lang=lang)
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert WORDS[lang] in page.text
    assert "Traceback" not in page.text


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_each_bank_manager_screen_renders_in_both_languages(
    portal: tuple[TestClient, Any], path: str, lang: str
) -> None:
    stand_in = LoansStandIn("proposed", proposed_by="user-officer")
    client = signed_in(portal, stand_in, Role.BANK_MANAGER, lang=lang)
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert f'<html lang="{lang}">' in page.text
    assert {"vi": "Đề xuất chờ phê duyệt", "en": "Proposals to confirm"}[lang] in page.text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_disbursed_loan_shows_its_schedule_balance_and_the_repayment_form(
    portal: tuple[TestClient, Any], lang: str
) -> None:
    client = signed_in(portal, LoansStandIn("disbursed", "x"), Role.LOAN_OFFICER, lang=lang)
    page = client.get(f"/loans/{LOAN}?on=2026-12-02").text
    assert "86.250.000 ₫" in page  # the balance on the chosen day
    assert page.count('class="instalment-paid"') == 1
    assert page.count('class="instalment-overdue"') == 1
    assert page.count('class="instalment-due"') == 1
    assert 'action="/loans/' + LOAN + '/repayments"' in page
    assert "NĐ 338/2025/NĐ-CP" in page  # the regime's legal basis beside the evaluation


def test_the_application_page_shows_the_costs_the_evaluation_and_the_proposal_form(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, LoansStandIn(), Role.LOAN_OFFICER)
    page = client.get(f"/loans/{LOAN}").text
    assert "100.000.000 ₫" in page  # the contract costs and the maximum amount
    assert "0,55 %" in page
    assert 'action="/loans/' + LOAN + '/proposal"' in page
    assert "Đã nhận hồ sơ vay" in page  # the history


def test_a_proposal_goes_to_the_loans_service_with_the_form_s_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn()
    client = signed_in(portal, stand_in, Role.LOAN_OFFICER)
    form = {
        "csrf_token": CSRF,
        "form_key": "key-proposal-1",
        "decision": "approve",
        "amount_vnd": "90.000.000",
        "term_months": "24",
    }
    answer = client.post(f"/loans/{LOAN}/proposal", data=form, headers={"HX-Request": "true"})
    assert answer.headers["hx-redirect"] == f"/loans/{LOAN}?done=key-proposal-1"
    body = {"decision": "approve", "amount_vnd": 90_000_000, "term_months": 24}
    assert stand_in.sent == [
        ("POST", f"/loan-applications/{LOAN}/proposal", body, "key-proposal-1")
    ]


def test_a_refused_proposal_shows_the_service_s_message_next_to_the_amount(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn()
    stand_in.refuse = Refusal(422, "Quá mức", "Too much", {"amount_vnd": ("Tối đa 100", "At most")})
    client = signed_in(portal, stand_in, Role.LOAN_OFFICER)
    form = {"csrf_token": CSRF, "form_key": "key-2", "decision": "approve", "amount_vnd": "999"}
    page = client.post(f"/loans/{LOAN}/proposal", data=form)
    assert page.status_code == 422
    assert 'id="err-proposal-amount_vnd">Tối đa 100<' in page.text
    assert 'name="form_key" value="key-2"' in page.text
    assert 'value="999"' in page.text


def test_recording_a_disbursement_and_a_repayment_send_the_form_s_idempotency_key(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn("approved", "x")
    client = signed_in(portal, stand_in, Role.LOAN_OFFICER)
    paid = {"amount_vnd": "90000000", "disbursed_on": "2026-12-15", "channel": "bank_transfer"}
    client.post(f"/loans/{LOAN}/disbursement", data={"csrf_token": CSRF, "form_key": "d-1"} | paid)
    repaid = {"amount_vnd": "4.245.000 ₫", "paid_on": "2026-12-16"}
    client.post(f"/loans/{LOAN}/repayments", data={"csrf_token": CSRF, "form_key": "r-1"} | repaid)
    assert [(path.rsplit("/", 1)[1], body, key) for _, path, body, key in stand_in.sent] == [
        (
            "disbursement",
            {"amount_vnd": 90_000_000, "disbursed_on": "2026-12-15", "channel": "bank_transfer"},
            "d-1",
        ),
        ("repayments", {"amount_vnd": 4_245_000, "paid_on": "2026-12-16"}, "r-1"),
    ]


def test_the_day_sheet_groups_loans_by_transaction_day_and_can_be_printed(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, LoansStandIn(), Role.LOAN_OFFICER)
    page = client.get("/loans/day-sheet?from=2026-12-01").text
    assert "15/12/2026 — xã 29800" in page
    assert "data-print" in page
    assert 'action="/loans/' + LOAN + '/disbursement"' in page


def test_a_manager_never_gets_the_decision_page_of_their_own_proposal(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn("proposed", proposed_by="user-manager")
    client = signed_in(portal, stand_in, Role.BANK_MANAGER, Role.LOAN_OFFICER)
    assert client.get(f"/loans/{LOAN}/decision").status_code == 403
    own = client.get(f"/loans/{LOAN}").text
    assert f'href="/loans/{LOAN}/decision"' not in own


def test_confirming_and_sending_back_tell_the_loans_service_whether_the_manager_agrees(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn("proposed", proposed_by="user-officer")
    client = signed_in(portal, stand_in, Role.BANK_MANAGER)
    for key, agree in (("k-yes", "true"), ("k-no", "false")):
        answer = client.post(
            f"/loans/{LOAN}/decision",
            data={"csrf_token": CSRF, "form_key": key, "agree": agree, "reason": " Thiếu giấy "},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/loans/proposals"
    assert [(body, key) for *_, body, key in stand_in.sent] == [
        ({"agree": True}, "k-yes"),
        ({"agree": False, "reason": "Thiếu giấy"}, "k-no"),
    ]


def test_the_portfolio_shows_age_buckets_and_par30_and_exports_csv_and_xlsx(
    portal: tuple[TestClient, Any],
) -> None:
    stand_in = LoansStandIn()
    client = signed_in(portal, stand_in, Role.BANK_MANAGER)
    page = client.get("/loans/portfolio?by=regime&as_of=2026-12-02").text
    assert "50,7 %" in page
    assert "3.750.000 ₫" in page
    assert "/loans/portfolio.xlsx?by=regime&amp;as_of=2026-12-02" in page
    export = client.get("/loans/portfolio.csv?by=regime&as_of=2026-12-02")
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    assert stand_in.asked[-1] == (
        "/portfolio",
        {"by": "regime", "as_of": "2026-12-02", "format": "csv"},
    )


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.BANK_MANAGER, "/loans"),
        (Role.LOAN_OFFICER, "/loans/portfolio"),
        (Role.COMMUNE_OFFICER, f"/loans/{LOAN}"),
    ],
)
def test_a_role_without_bank_work_gets_403_on_the_other_s_screens(
    portal: tuple[TestClient, Any], role: Role, path: str
) -> None:
    client = signed_in(portal, LoansStandIn(), role)
    assert client.get(path).status_code == 403


def test_the_bank_forms_become_the_loans_service_s_bodies() -> None:
    assert bank.proposal_body({"decision": "reject", "reason": " Nợ xấu "}) == {
        "decision": "reject",
        "reason": "Nợ xấu",
    }
    assert bank.restructuring_body(
        {"kind": "frozen", "effective_on": "2026-12-01", "reason": "Lũ"}
    ) == {
        "kind": "frozen",
        "effective_on": "2026-12-01",
        "reason": "Lũ",
    }
    assert (
        bank.restructuring_body({"kind": "extended", "extra_months": "6", "reason": "x"})[
            "extra_months"
        ]
        == 6
    )
    assert bank.percent("0.1250") == "12,5 %"
    assert bank.rate_percent("0.0055") == "0,55 %"


def test_the_overdue_list_shows_each_late_loan_with_its_days_late_and_what_is_unpaid(
    portal: tuple[TestClient, Any],
) -> None:
    client = signed_in(portal, LoansStandIn(), Role.LOAN_OFFICER)
    page = client.get("/loans/overdue").text
    assert "<td>290</td>" in page
    assert f'href="/loans/{LOAN}"' in page
    assert "15/02/2026" in page
