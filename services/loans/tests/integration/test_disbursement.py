"""Disbursement: at most once per loan, and a retried request never pays twice."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import serving

BRANCH = "VBSP-86-TANQUOI"
AMOUNT = 150_000_000


@pytest.fixture
async def loans(namespace: Namespace) -> AsyncIterator[str]:
    async with serving("xkld_loans", namespace.env("loans")) as proc:
        yield proc.url


def _officer(ns: Namespace) -> dict[str, str]:
    return ns.auth(Role.LOAN_OFFICER, branch=BRANCH, username="officer-a")


async def _approved(client: httpx.AsyncClient, loans: str, ns: Namespace) -> str:
    created = await client.post(
        f"{loans}/loan-applications",
        headers=_officer(ns),
        json={
            "registration_id": str(uuid.uuid4()),
            "commune_code": "29800",
            "programme": "labour_export",
            "application_date": "2026-02-10",
            "priority_groups": ["poor_household"],
            "contract_costs_vnd": 180_000_000,
            "requested_vnd": AMOUNT,
            "requested_term_months": 36,
            "contract_term_months": 36,
        },
    )
    application = created.json()["application_id"]
    await client.post(
        f"{loans}/loan-applications/{application}/proposal",
        json={"decision": "approve", "amount_vnd": AMOUNT, "term_months": 36},
        headers=_officer(ns),
    )
    confirmed = await client.post(
        f"{loans}/loan-applications/{application}/decision",
        json={"agree": True},
        headers=ns.auth(Role.BANK_MANAGER, branch=BRANCH, username="manager-b"),
    )
    assert confirmed.json()["status"] == "approved", confirmed.text
    return str(application)


def _payout(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "amount_vnd": AMOUNT,
        "disbursed_on": "2026-03-05",
        "channel": "commune_transaction_point",
    }
    return body | overrides


async def _disburse(
    client: httpx.AsyncClient,
    loans: str,
    ns: Namespace,
    application: str,
    key: str | None,
    body: dict[str, object] | None = None,
) -> httpx.Response:
    headers = _officer(ns) | ({"Idempotency-Key": key} if key else {})
    return await client.post(
        f"{loans}/loan-applications/{application}/disbursement",
        json=body or _payout(),
        headers=headers,
    )


async def _counts(ns: Namespace) -> tuple[int, int]:
    conn = await asyncpg.connect(ns.dsn("loans"))
    try:
        paid = await conn.fetchval("SELECT count(*) FROM disbursement")
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = 'LoanDisbursed'"
        )
        return int(paid), int(events)
    finally:
        await conn.close()


async def test_a_replayed_request_returns_the_first_answer_and_pays_once(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _approved(client, loans, namespace)
        first = await _disburse(client, loans, namespace, application, "payout-0001")
        again = await _disburse(client, loans, namespace, application, "payout-0001")
        schedule = await client.get(
            f"{loans}/loan-applications/{application}/schedule", headers=_officer(namespace)
        )
    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await _counts(namespace) == (1, 1)
    rows = schedule.json()
    assert len(rows) == 36
    assert sum(r["principal_vnd"] for r in rows) == AMOUNT, "principal must add up to the đồng"
    assert rows[0]["due_on"] == "2026-04-05"


async def test_the_same_key_with_a_different_body_is_refused(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _approved(client, loans, namespace)
        await _disburse(client, loans, namespace, application, "payout-0002")
        other = await _disburse(
            client,
            loans,
            namespace,
            application,
            "payout-0002",
            _payout(disbursed_on="2026-03-06"),
        )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert await _counts(namespace) == (1, 1)


async def test_a_second_disbursement_is_refused_whatever_the_key(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _approved(client, loans, namespace)
        await _disburse(client, loans, namespace, application, "payout-0003")
        second = await _disburse(client, loans, namespace, application, "payout-0004")
    assert second.status_code == 409
    assert "hai" in second.json()["error"]["message_vi"]
    assert await _counts(namespace) == (1, 1)


async def test_concurrent_retries_with_one_key_pay_once(loans: str, namespace: Namespace) -> None:
    async with local_client() as client:
        application = await _approved(client, loans, namespace)
        answers = await asyncio.gather(
            *(_disburse(client, loans, namespace, application, "payout-0005") for _ in range(5))
        )
    assert [a.status_code for a in answers] == [201] * 5
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    assert await _counts(namespace) == (1, 1)


async def test_a_disbursement_needs_an_idempotency_key_and_an_approved_loan(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _approved(client, loans, namespace)
        keyless = await _disburse(client, loans, namespace, application, None)
        wrong_amount = await _disburse(
            client, loans, namespace, application, "payout-0006", _payout(amount_vnd=AMOUNT - 1)
        )
        created = await client.post(
            f"{loans}/loan-applications",
            headers=_officer(namespace),
            json={
                "registration_id": str(uuid.uuid4()),
                "commune_code": "29800",
                "programme": "labour_export",
                "application_date": "2026-02-10",
                "contract_costs_vnd": 100_000_000,
                "requested_vnd": 50_000_000,
                "requested_term_months": 12,
                "contract_term_months": 36,
            },
        )
        unapproved = await _disburse(
            client, loans, namespace, created.json()["application_id"], "payout-0007"
        )
    assert keyless.status_code == 422
    assert keyless.json()["error"]["fields"][0]["field"] == "Idempotency-Key"
    assert wrong_amount.status_code == 422
    assert unapproved.status_code == 409
    assert await _counts(namespace) == (0, 0)


# Repayments, after a disbursement made with the helpers above.


async def _repay(
    client: httpx.AsyncClient,
    loans: str,
    ns: Namespace,
    application: str,
    key: str,
    amount: int,
    paid_on: str,
) -> httpx.Response:
    return await client.post(
        f"{loans}/loan-applications/{application}/repayments",
        json={"amount_vnd": amount, "paid_on": paid_on},
        headers=_officer(ns) | {"Idempotency-Key": key},
    )


async def _disbursed(client: httpx.AsyncClient, loans: str, ns: Namespace) -> str:
    application = await _approved(client, loans, ns)
    paid = await _disburse(client, loans, ns, application, f"payout-{application[:8]}")
    assert paid.status_code == 201, paid.text
    return application


async def test_a_repayment_is_split_interest_first_and_recorded_once(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _disbursed(client, loans, namespace)
        first = await _repay(
            client, loans, namespace, application, "repay-0001", 6_000_000, "2026-04-05"
        )
        again = await _repay(
            client, loans, namespace, application, "repay-0001", 6_000_000, "2026-04-05"
        )
    assert first.status_code == 201, first.text
    assert again.json() == first.json()
    allocation = first.json()["allocation"]
    assert allocation["interest_vnd"] == 1_047_750  # 150,000,000 × 0.006985, the first month
    assert allocation["principal_vnd"] == 150_000_000 // 36
    assert allocation["early_principal_vnd"] == 6_000_000 - 1_047_750 - 150_000_000 // 36
    assert sum(allocation.values()) == 6_000_000
    conn = await asyncpg.connect(namespace.dsn("loans"))
    try:
        assert await conn.fetchval("SELECT count(*) FROM repayment") == 1
        principal_left = await conn.fetchval(
            "SELECT sum(principal_vnd - principal_paid_vnd) FROM installment"
        )
    finally:
        await conn.close()
    assert principal_left == first.json()["outstanding_principal_vnd"]
    assert (
        principal_left + allocation["principal_vnd"] + allocation["early_principal_vnd"] == AMOUNT
    )


async def test_paying_off_everything_settles_the_loan_and_says_so(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _disbursed(client, loans, namespace)
        everything = AMOUNT + 1_047_750  # all principal, plus the interest due on 5 April
        settled = await _repay(
            client, loans, namespace, application, "repay-0002", everything, "2026-04-05"
        )
        more = await _repay(client, loans, namespace, application, "repay-0003", 1, "2026-04-06")
    assert settled.status_code == 201, settled.text
    assert settled.json()["status"] == "settled"
    assert settled.json()["outstanding_principal_vnd"] == 0
    assert more.status_code == 409, "a settled loan takes no more repayments"
    conn = await asyncpg.connect(namespace.dsn("loans"))
    try:
        types = [
            Envelope.from_bytes(bytes(r["envelope"])).event_type
            for r in await conn.fetch("SELECT envelope FROM outbox ORDER BY id")
        ]
    finally:
        await conn.close()
    assert types[-2:] == ["RepaymentRecorded", "LoanSettled"]


async def test_an_overpayment_or_a_repayment_before_disbursement_is_refused(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application = await _disbursed(client, loans, namespace)
        too_much = await _repay(
            client, loans, namespace, application, "repay-0004", AMOUNT + 1_047_751, "2026-04-05"
        )
        undisbursed = await _approved(client, loans, namespace)
        early = await _repay(
            client, loans, namespace, undisbursed, "repay-0005", 1_000, "2026-04-05"
        )
    assert too_much.status_code == 422
    assert too_much.json()["error"]["fields"][0]["field"] == "amount_vnd"
    assert early.status_code == 409
