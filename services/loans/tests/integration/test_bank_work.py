"""The bank's daily work over HTTP: balance on a date, the portfolio and its exports,
restructuring, and the work queues (maker-checker included)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from xkld_loans.adapters import overdue_records
from xkld_loans.application.overdue_job import run_overdue_job
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace

Disbursed = Callable[..., Awaitable[str]]
BRANCH = "VBSP-86-TANQUOI"
# 120,000,000 over 24 months from 5 Mar 2026 at 0.6985 %/month: 5,000,000 principal a month;
# the first month's interest is 120,000,000 x 0.006985 = 838,200.
FIRST_INSTALMENT = 5_000_000 + 838_200


@pytest.fixture
async def client(loans_service: str) -> AsyncIterator[httpx.AsyncClient]:
    async with local_client(base_url=loans_service) as client:
        yield client


def _as(ns: Namespace, role: Role, username: str) -> dict[str, str]:
    return ns.auth(role, branch=BRANCH, username=username)


async def _repay(client: httpx.AsyncClient, ns: Namespace, loan: str, amount: int, on: str) -> None:
    answer = await client.post(
        f"/loan-applications/{loan}/repayments",
        json={"amount_vnd": amount, "paid_on": on},
        headers=_as(ns, Role.LOAN_OFFICER, "officer-a") | {"Idempotency-Key": f"r-{loan}-{on}"},
    )
    assert answer.status_code == 201, answer.text


async def _late_loan(disbursed_loan: Disbursed, client: httpx.AsyncClient, ns: Namespace) -> str:
    """Paid in April, then nothing: on 10 June May's instalment is 36 days late, June's 5."""
    loan = await disbursed_loan()
    await _repay(client, ns, loan, FIRST_INSTALMENT, "2026-04-05")
    pool = await asyncpg.create_pool(ns.dsn("loans"), min_size=1, max_size=2)
    try:
        await run_overdue_job(
            pool, ns.topics.of(Stream.LOAN), dt.date(2026, 6, 10), records=overdue_records
        )
    finally:
        await pool.close()
    return loan


async def test_the_balance_on_a_date_follows_the_payment_history(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    loan = await disbursed_loan()
    await _repay(client, namespace, loan, FIRST_INSTALMENT, "2026-04-05")
    manager = _as(namespace, Role.BANK_MANAGER, "manager-b")

    async def balance(on: str) -> dict[str, Any]:
        answer = await client.get(f"/loan-applications/{loan}/balance?on={on}", headers=manager)
        return dict(answer.json())

    before, after = await balance("2026-04-04"), await balance("2026-04-05")
    assert before["outstanding_principal_vnd"] == 120_000_000
    assert (after["outstanding_principal_vnd"], after["interest_paid_vnd"]) == (
        115_000_000,
        838_200,
    )
    assert (await balance("2026-03-01"))["outstanding_principal_vnd"] == 0  # not yet disbursed
    history = await client.get(f"/loan-applications/{loan}/repayments", headers=manager)
    assert [r["amount_vnd"] for r in history.json()] == [FIRST_INSTALMENT]


async def test_the_portfolio_ages_overdue_principal_and_measures_par30(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    await _late_loan(disbursed_loan, client, namespace)
    manager = _as(namespace, Role.BANK_MANAGER, "manager-b")
    answer = await client.get("/portfolio?as_of=2026-06-10&by=commune", headers=manager)
    (line,) = answer.json()["lines"]
    assert line["group"] == "29800"
    assert line["outstanding_principal_vnd"] == 115_000_000
    assert line["overdue_principal_vnd"] == 10_000_000
    assert line["overdue_by_age_vnd"] == {
        "1-30": 5_000_000,
        "31-90": 5_000_000,
        "91-180": 0,
        ">180": 0,
    }
    assert (line["par30_principal_vnd"], line["par30_ratio"]) == (115_000_000, "1.0000")
    by_regime = await client.get("/portfolio?as_of=2026-06-10&by=regime", headers=manager)
    assert [g["group"] for g in by_regime.json()["lines"]] == ["ND338-2025"]


async def test_the_portfolio_exports_as_csv_with_a_bom_and_as_a_workbook(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    await _late_loan(disbursed_loan, client, namespace)
    manager = _as(namespace, Role.BANK_MANAGER, "manager-b")
    csv = await client.get("/portfolio?as_of=2026-06-10&format=csv", headers=manager)
    assert csv.content.startswith("\ufeff".encode())
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("Nhóm,Số khoản vay,Dư nợ gốc (đồng)")
    assert lines[2].startswith("29800,1,115000000,10000000,5000000,5000000,0,0,")
    xlsx = await client.get("/portfolio?as_of=2026-06-10&format=xlsx", headers=manager)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert "10/06/2026" in str(sheet["A1"].value)
    assert [sheet.cell(3, c).value for c in range(1, 5)] == ["29800", 1, 115_000_000, 10_000_000]


async def test_a_write_off_closes_the_loan_and_an_extension_keeps_the_principal_exact(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    manager = _as(namespace, Role.BANK_MANAGER, "manager-b")
    written, extended = await disbursed_loan(), await disbursed_loan()

    async def restructure(loan: str, body: dict[str, Any], key: str) -> httpx.Response:
        return await client.post(
            f"/loan-applications/{loan}/restructuring",
            json=body,
            headers=manager | {"Idempotency-Key": f"restructure-{key}"},
        )

    gone = await restructure(
        written, {"kind": "written_off", "effective_on": "2026-05-01", "reason": "tử vong"}, "w1"
    )
    assert gone.status_code == 201, gone.text
    assert (gone.json()["status"], gone.json()["written_off_principal_vnd"]) == (
        "written_off",
        120_000_000,
    )
    balance = await client.get(
        f"/loan-applications/{written}/balance?on=2026-05-02", headers=manager
    )
    assert balance.json()["outstanding_principal_vnd"] == 0
    again = await restructure(
        written, {"kind": "frozen", "effective_on": "2026-05-02", "reason": "x"}, "w2"
    )
    assert again.status_code == 409

    longer = await restructure(
        extended,
        {"kind": "extended", "effective_on": "2026-03-20", "reason": "mất mùa", "extra_months": 6},
        "e1",
    )
    assert longer.status_code == 201, longer.text
    schedule = (await client.get(f"/loan-applications/{extended}/schedule", headers=manager)).json()
    assert len(schedule) == 30
    assert sum(i["principal_vnd"] for i in schedule) == 120_000_000
    assert schedule[-1]["due_on"] == "2028-09-05"  # 5 Apr 2026 + 29 months


async def test_the_manager_queue_never_offers_a_proposal_of_ones_own(
    loans_service: str, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    body = {
        "registration_id": "6f1c2b1e-0000-4000-8000-000000000001",
        "commune_code": "29800",
        "programme": "labour_export",
        "application_date": "2026-02-10",
        "priority_groups": [],
        "contract_costs_vnd": 100_000_000,
        "requested_vnd": 90_000_000,
        "requested_term_months": 24,
        "contract_term_months": 24,
    }
    both = namespace.auth(Role.LOAN_OFFICER, Role.BANK_MANAGER, branch=BRANCH, username="an")
    created = (await client.post("/loan-applications", json=body, headers=both)).json()
    to_review = await client.get(
        "/work-queues/applications-to-review", headers=_as(namespace, Role.LOAN_OFFICER, "x")
    )
    assert [a["id"] for a in to_review.json()] == [created["application_id"]]
    taken = await client.post(
        f"/loan-applications/{created['application_id']}/review", headers=both
    )
    assert (taken.json()["status"], taken.json()["reviewer"]) == ("under_review", "user-an")
    queue = await client.get(
        "/work-queues/applications-to-review", headers=_as(namespace, Role.LOAN_OFFICER, "x")
    )
    assert [a["reviewer"] for a in queue.json()] == ["user-an"]
    await client.post(
        f"/loan-applications/{created['application_id']}/proposal",
        json={"decision": "approve", "amount_vnd": 90_000_000, "term_months": 24},
        headers=both,
    )
    mine = await client.get("/work-queues/proposals-to-confirm", headers=both)
    theirs = await client.get(
        "/work-queues/proposals-to-confirm", headers=_as(namespace, Role.BANK_MANAGER, "binh")
    )
    assert mine.json() == []
    assert [a["id"] for a in theirs.json()] == [created["application_id"]]


async def _restructure(
    client: httpx.AsyncClient, ns: Namespace, loan: str, body: dict[str, Any], key: str
) -> httpx.Response:
    return await client.post(
        f"/loan-applications/{loan}/restructuring",
        json=body,
        headers=_as(ns, Role.BANK_MANAGER, "manager-b")
        | {"Idempotency-Key": f"restructure-{loan}-{key}"},
    )


async def test_a_freeze_cancels_future_interest_even_after_early_repayment_and_accrues_nothing(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    loan = await disbursed_loan()
    pool = await asyncpg.create_pool(namespace.dsn("loans"), min_size=1, max_size=2)
    topic = namespace.topics.of(Stream.LOAN)
    try:
        # instalment 1: 99,891 so far
        await run_overdue_job(pool, topic, dt.date(2026, 6, 10), records=overdue_records)
        frozen = {"kind": "frozen", "effective_on": "2026-06-10", "reason": "thiên tai"}
        answer = await _restructure(client, namespace, loan, frozen, "f")
        assert answer.status_code == 201, answer.text
        # Everything due, plus 1,000,000 early: the recomputed months must stay interest-free.
        payable = await pool.fetchval(
            """SELECT sum(principal_vnd + interest_vnd + overdue_interest_vnd)
               FROM installment WHERE loan_application_id = $1::uuid AND due_on <= '2026-06-10'""",
            loan,
        )
        await _repay(client, namespace, loan, int(payable) + 1_000_000, "2026-06-10")
        future = await pool.fetch(
            """SELECT interest_vnd FROM installment
               WHERE loan_application_id = $1::uuid AND due_on > '2026-06-10'""",
            loan,
        )
        assert {r["interest_vnd"] for r in future} == {0}
        back_dated = {
            "kind": "extended",
            "effective_on": "2026-06-01",
            "reason": "x",
            "extra_months": 1,
        }
        refused = await _restructure(client, namespace, loan, back_dated, "b")
        assert refused.status_code == 422  # before the latest repayment
        assert refused.json()["error"]["fields"][0]["field"] == "effective_on"
        extended = {
            "kind": "extended",
            "effective_on": "2026-09-01",
            "reason": "x",
            "extra_months": 1,
        }
        assert (await _restructure(client, namespace, loan, extended, "e")).status_code == 201
        await run_overdue_job(pool, topic, dt.date(2026, 9, 2), records=overdue_records)
        # July's and August's instalments fell due while frozen: one day of overdue interest
        # each from 1 September (4,791,667 unpaid x 0.009081 / 30 = 1,450.4 -> 1,450), not
        # two months' worth.
        late = await pool.fetch(
            """SELECT number, overdue_interest_vnd FROM installment
               WHERE loan_application_id = $1::uuid AND due_on BETWEEN '2026-07-01' AND '2026-08-31'
               ORDER BY number""",
            loan,
        )
        assert all(r["overdue_interest_vnd"] < 2_000 for r in late), [dict(r) for r in late]
    finally:
        await pool.close()


async def test_far_away_dates_and_formula_like_codes_get_a_clear_422(
    client: httpx.AsyncClient, namespace: Namespace
) -> None:
    manager = _as(namespace, Role.BANK_MANAGER, "manager-b")
    far = await client.get("/work-queues/disbursements-due?from=9999-12-20", headers=manager)
    assert far.status_code == 422
    assert far.json()["error"]["message_vi"]
    formula = {"code": '=HYPERLINK("x")', "name": "x"}
    assert (await client.post("/regimes", json=formula, headers=manager)).status_code == 422


async def test_an_application_shows_the_costs_asked_on_and_its_history_oldest_first(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    loan = await disbursed_loan(amount_vnd=80_000_000)
    officer = _as(namespace, Role.LOAN_OFFICER, "officer-a")
    seen = (await client.get(f"/loan-applications/{loan}", headers=officer)).json()
    assert (seen["contract_costs_vnd"], seen["contract_term_months"]) == (80_000_000, 24)
    assert (seen["programme"], seen["priority_groups"]) == ("labour_export", ["poor_household"])
    history = await client.get(f"/loan-applications/{loan}/history", headers=officer)
    assert [h["action"] for h in history.json()] == [
        "loan.application_received",
        "loan.proposed",
        "loan.decision_confirmed",
        "loan.disbursed",
    ]
    assert history.json()[1]["actor_username"] == "officer-a"
    elsewhere = namespace.auth(Role.LOAN_OFFICER, branch="VBSP-01", username="z")
    assert (
        await client.get(f"/loan-applications/{loan}/history", headers=elsewhere)
    ).status_code == 404


async def test_a_loan_s_summary_is_what_its_single_reads_answer_and_only_for_its_branch(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    loan = await disbursed_loan()
    await _repay(client, namespace, loan, FIRST_INSTALMENT, "2026-04-05")
    officer = _as(namespace, Role.LOAN_OFFICER, "officer-a")
    base = f"/loan-applications/{loan}"
    summary = (await client.get(f"{base}/summary", headers=officer)).json()
    for part, path in (
        ("application", base),
        ("history", f"{base}/history"),
        ("schedule", f"{base}/schedule"),
        ("repayments", f"{base}/repayments"),
    ):
        assert summary[part] == (await client.get(path, headers=officer)).json(), part
    assert summary["regime"]["code"] == summary["application"]["evaluation"]["regime_code"]
    assert [r["amount_vnd"] for r in summary["repayments"]] == [FIRST_INSTALMENT]
    elsewhere = namespace.auth(Role.LOAN_OFFICER, branch="VBSP-01", username="z")
    assert (await client.get(f"{base}/summary", headers=elsewhere)).status_code == 404


async def test_the_overdue_list_names_each_late_loan_with_its_oldest_unpaid_instalment(
    disbursed_loan: Disbursed, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    late = await _late_loan(disbursed_loan, client, namespace)
    officer = _as(namespace, Role.LOAN_OFFICER, "officer-a")
    answer = await client.get("/work-queues/overdue?as_of=2026-06-10", headers=officer)
    mine = [row for row in answer.json() if row["id"] == late]
    assert [(r["oldest_due_on"], r["days_past_due"]) for r in mine] == [("2026-05-05", 36)]
    assert mine[0]["overdue_principal_vnd"] == 10_000_000  # May's and June's, both unpaid
    before = await client.get("/work-queues/overdue?as_of=2026-04-05", headers=officer)
    assert late not in [row["id"] for row in before.json()]


async def test_a_proposal_sent_back_keeps_the_manager_s_reason_in_the_history(
    loans_service: str, client: httpx.AsyncClient, namespace: Namespace
) -> None:
    body = {
        "registration_id": "6f1c2b1e-0000-4000-8000-000000000002",
        "commune_code": "29800",
        "programme": "labour_export",
        "application_date": "2026-02-10",
        "priority_groups": [],
        "contract_costs_vnd": 100_000_000,
        "requested_vnd": 90_000_000,
        "requested_term_months": 24,
        "contract_term_months": 24,
    }
    officer = _as(namespace, Role.LOAN_OFFICER, "an")
    loan = (await client.post("/loan-applications", json=body, headers=officer)).json()
    path = f"/loan-applications/{loan['application_id']}"
    proposal = {"decision": "approve", "amount_vnd": 90_000_000, "term_months": 24}
    await client.post(f"{path}/proposal", json=proposal, headers=officer)
    back = {"agree": False, "reason": "  Thiếu xác nhận hộ nghèo  "}
    manager = _as(namespace, Role.BANK_MANAGER, "binh")
    assert (await client.post(f"{path}/decision", json=back, headers=manager)).status_code == 200
    history = (await client.get(f"{path}/history", headers=officer)).json()
    assert [(h["action"], h["reason"]) for h in history[-2:]] == [
        ("loan.proposed", None),
        ("loan.proposal_sent_back", "Thiếu xác nhận hộ nghèo"),
    ]
