"""Disbursement: at most once per loan, and a retried request never pays twice."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.identity.principal import Role
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
    async with httpx.AsyncClient() as client:
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
    async with httpx.AsyncClient() as client:
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
    async with httpx.AsyncClient() as client:
        application = await _approved(client, loans, namespace)
        await _disburse(client, loans, namespace, application, "payout-0003")
        second = await _disburse(client, loans, namespace, application, "payout-0004")
    assert second.status_code == 409
    assert "hai" in second.json()["error"]["message_vi"]
    assert await _counts(namespace) == (1, 1)


async def test_concurrent_retries_with_one_key_pay_once(loans: str, namespace: Namespace) -> None:
    async with httpx.AsyncClient() as client:
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
    async with httpx.AsyncClient() as client:
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
