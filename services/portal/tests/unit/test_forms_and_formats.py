"""The small rules behind the pages: formats, forms to JSON, cookies, the sign-in brake."""

from __future__ import annotations

import base64
import datetime as dt
from typing import get_args

import pytest
from xkld_portal.adapters.attempts import AttemptLimiter
from xkld_portal.adapters.session_cookie import Session, SessionCookie
from xkld_portal.domain import labels
from xkld_portal.domain.format import day, moment, money
from xkld_portal.domain.intake import intake_body
from xkld_portal.domain.steps import BY_PATH, STEPS, offered, parse
from xkld_portal.entrypoints.web import local_path
from xkld_shared.contracts.journey import EarlyReturnCause
from xkld_shared.contracts.registration import PriorityGroup
from xkld_shared.crypto import generate_key


def test_money_is_grouped_with_dots_and_the_dong_sign() -> None:
    assert money(12_500_000) == "12.500.000 ₫"
    assert money(0) == "0 ₫"
    assert money(-1500) == "-1.500 ₫"


def test_dates_read_day_month_year_on_vietnams_calendar() -> None:
    assert day("2026-03-01") == "01/03/2026"
    assert day(dt.datetime(2026, 2, 28, 18, 30, tzinfo=dt.UTC)) == "01/03/2026"
    assert moment("2026-02-28T18:30:00+00:00") == "01/03/2026 01:30"


def test_labels_cover_every_code_the_contracts_know() -> None:
    assert set(labels.PRIORITY_GROUPS) == set(get_args(PriorityGroup))
    assert set(labels.EARLY_CAUSES) == set(get_args(EarlyReturnCause))


def test_a_role_is_offered_only_its_own_next_steps() -> None:
    next_steps = ["eligibility", "rejection", "withdrawal", "erasure"]
    commune = [s.path for s in offered(next_steps, frozenset({"commune_officer"}))]
    labour = [s.path for s in offered(next_steps, frozenset({"labour_officer"}))]
    assert commune == ["withdrawal"]
    assert labour == ["eligibility", "rejection", "withdrawal"]


def test_every_step_the_registration_service_names_has_a_form() -> None:
    named = {
        "eligibility",
        "rejection",
        "withdrawal",
        "enrolments",
        "training-results",
        "loan-request",
        "no-loan",
        "contract",
        "gates/health-certificate",
        "gates/deposit-or-guarantee",
        "gates/visa",
        "departure-schedule",
        "departure",
        "check-ins",
        "absconding",
        "return",
        "reintegration-referrals",
    }
    assert {s.path for s in STEPS} == named


def test_a_step_form_is_typed_and_its_missing_fields_are_named() -> None:
    check_in = BY_PATH["check-ins"]
    parsed = parse(check_in, {"checked_in_on": "2026-03-01", "remittance_vnd": "12.500.000"})
    assert parsed.body["remittance_vnd"] == 12_500_000
    assert {p.name for p in parsed.problems} == {"channel", "employment_status", "wellbeing"}
    assert [p.name for p in parse(check_in, {"remittance_vnd": "12,5tr"}).problems][-1] == (
        "remittance_vnd"
    )


def test_loan_costs_are_read_line_by_line_in_whole_dong() -> None:
    form: dict[str, object] = {
        "requested_vnd": "90000000",
        "cost_breakdown_vnd.service_fee": "60.000.000",
        "cost_breakdown_vnd.airfare": "15000000",
        "requested_term_months": "24",
        "market_code": "JP_TITP",
        "programme": "labour_export",
        "contract_term_months": "36",
    }
    parsed = parse(BY_PATH["loan-request"], form)
    assert parsed.problems == []
    assert parsed.body["cost_breakdown_vnd"] == {"service_fee": 60_000_000, "airfare": 15_000_000}
    assert parsed.body["purpose_code"] == "labour_export_costs"


def test_the_intake_form_answers_every_consent_explicitly() -> None:
    form = {
        "full_name": "Phạm Thị Dung",
        "cccd": "086302444444",
        "date_of_birth": "2002-05-09",
        "gender": "female",
        "phone": "0912000004",
        "commune_code": "29800",
        "ethnicity_code": "01",
        "household_poverty": "near_poor",
        "consents": ["registration_processing", "sms_notifications"],
        "priority_groups": ["near_poor_household", "not_a_group"],
    }
    parsed = intake_body(form)
    assert parsed.problems == []
    assert parsed.body["consents"] == {
        "registration_processing": True,
        "sms_notifications": True,
        "share_with_enterprise": False,
        "share_with_bank": False,
    }
    assert parsed.body["priority_groups"] == ["near_poor_household"]
    assert [p.name for p in intake_body({}).problems][:2] == ["full_name", "cccd"]


def test_a_session_cookie_reads_back_only_with_its_own_key() -> None:
    mine = SessionCookie(_key())
    sealed = mine.seal(Session("access", "refresh", "csrf"))
    assert mine.open(sealed) == Session("access", "refresh", "csrf")
    assert SessionCookie(_key()).open(sealed) is None
    assert mine.open(sealed[:-2] + "AA") is None
    assert mine.open("not a cookie") is None


def _key() -> bytes:
    raw = generate_key()
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def test_failed_sign_ins_are_braked_per_address_and_per_username() -> None:
    now = [0.0]
    limiter = AttemptLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        assert not limiter.blocked("ip:a", "user:x")
        limiter.failed("ip:a", "user:x")
    assert limiter.blocked("ip:b", "user:x")  # the username, from another address
    assert limiter.blocked("ip:a", "user:y")  # the address, for another username
    assert not limiter.blocked("ip:b", "user:y")
    now[0] = 61
    assert not limiter.blocked("ip:a", "user:x")


def test_asking_whether_sign_in_is_braked_counts_nothing() -> None:
    limiter = AttemptLimiter(1, 60, clock=lambda: 0.0)
    assert not any(limiter.blocked("ip:office", f"user:{n}") for n in range(50))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/files/1", "/files/1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil", "/"),
        ("", "/"),
    ],
)
def test_a_next_page_is_only_ever_on_this_site(target: str, expected: str) -> None:
    assert local_path(target) == expected
