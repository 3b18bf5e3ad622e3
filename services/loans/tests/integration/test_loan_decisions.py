"""Loan applications over HTTP, against the real database: maker-checker and illegal moves."""

from __future__ import annotations

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


@pytest.fixture
async def loans(namespace: Namespace) -> AsyncIterator[str]:
    async with serving("xkld_loans", namespace.env("loans")) as proc:
        yield proc.url


def _staff(ns: Namespace, role: Role, user: str, branch: str = BRANCH) -> dict[str, str]:
    return ns.auth(role, branch=branch, username=user)


def application_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "registration_id": str(uuid.uuid4()),
        "commune_code": "29800",
        "programme": "labour_export",
        "application_date": "2026-02-10",
        "priority_groups": ["poor_household"],
        "contract_costs_vnd": 180_000_000,
        "requested_vnd": 150_000_000,
        "requested_term_months": 36,
        "contract_term_months": 36,
    }
    return body | overrides


async def _proposed(client: httpx.AsyncClient, loans: str, ns: Namespace) -> str:
    created = await client.post(
        f"{loans}/loan-applications",
        json=application_body(),
        headers=_staff(ns, Role.LOAN_OFFICER, "officer-a"),
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["application_id"]
    proposed = await client.post(
        f"{loans}/loan-applications/{application_id}/proposal",
        json={"decision": "approve", "amount_vnd": 150_000_000, "term_months": 36},
        headers=_staff(ns, Role.LOAN_OFFICER, "officer-a"),
    )
    assert proposed.status_code == 200, proposed.text
    return str(application_id)


async def test_a_manager_cannot_confirm_their_own_proposal(
    loans: str, namespace: Namespace
) -> None:
    both_hats = namespace.auth(
        Role.LOAN_OFFICER, Role.BANK_MANAGER, branch=BRANCH, username="officer-a"
    )
    async with local_client() as client:
        application_id = await _proposed(client, loans, namespace)
        own = await client.post(
            f"{loans}/loan-applications/{application_id}/decision",
            json={"agree": True},
            headers=both_hats,
        )
        view = await client.get(
            f"{loans}/loan-applications/{application_id}",
            headers=_staff(namespace, Role.BANK_MANAGER, "manager-b"),
        )
    assert own.status_code == 409
    assert own.json()["error"]["code"] == "maker_checker_violation"
    assert view.json()["status"] == "proposed", "the refused confirmation changed nothing"


async def test_another_manager_confirms_and_the_approval_is_published_once(
    loans: str, namespace: Namespace
) -> None:
    manager = _staff(namespace, Role.BANK_MANAGER, "manager-b")
    async with local_client() as client:
        application_id = await _proposed(client, loans, namespace)
        confirmed = await client.post(
            f"{loans}/loan-applications/{application_id}/decision",
            json={"agree": True},
            headers=manager,
        )
        twice = await client.post(
            f"{loans}/loan-applications/{application_id}/decision",
            json={"agree": True},
            headers=manager,
        )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "approved"
    assert confirmed.json()["decided_by"] == "user-manager-b"
    assert twice.status_code == 409, "approving a loan twice is an illegal move"
    conn = await asyncpg.connect(namespace.dsn("loans"))
    try:
        events = [
            Envelope.from_bytes(bytes(r["envelope"]))
            for r in await conn.fetch("SELECT envelope FROM outbox ORDER BY id")
        ]
        trail = await conn.fetch("SELECT action FROM audit.audit_log ORDER BY id")
    finally:
        await conn.close()
    assert [e.event_type for e in events] == ["LoanApplicationReceived", "LoanApproved"]
    approved = events[1].payload
    assert approved["amount_vnd"] == 150_000_000
    assert approved["monthly_rate"] == "0.006985"  # 0.55 %/month × 127 % under Decree 338/2025
    assert [r["action"] for r in trail] == [
        "loan.application_received",
        "loan.proposed",
        "loan.decision_confirmed",
    ]


async def test_a_proposal_above_the_regimes_maximum_is_refused_and_changes_nothing(
    loans: str, namespace: Namespace
) -> None:
    officer = _staff(namespace, Role.LOAN_OFFICER, "officer-a")
    async with local_client() as client:
        created = await client.post(
            f"{loans}/loan-applications", json=application_body(), headers=officer
        )
        application_id = created.json()["application_id"]
        too_much = await client.post(
            f"{loans}/loan-applications/{application_id}/proposal",
            json={"decision": "approve", "amount_vnd": 180_000_001, "term_months": 36},
            headers=officer,
        )
        view = await client.get(f"{loans}/loan-applications/{application_id}", headers=officer)
    assert too_much.status_code == 422
    assert too_much.json()["error"]["fields"][0]["field"] == "amount_vnd"
    assert view.json()["status"] == "application_received"


async def test_an_application_of_another_branch_does_not_exist_for_you(
    loans: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        application_id = await _proposed(client, loans, namespace)
        elsewhere = await client.get(
            f"{loans}/loan-applications/{application_id}",
            headers=_staff(namespace, Role.BANK_MANAGER, "m", branch="VBSP-87"),
        )
    assert elsewhere.status_code == 404


async def test_money_must_be_whole_dong(loans: str, namespace: Namespace) -> None:
    async with local_client() as client:
        answer = await client.post(
            f"{loans}/loan-applications",
            json=application_body(requested_vnd=150_000_000.5),
            headers=_staff(namespace, Role.LOAN_OFFICER, "officer-a"),
        )
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["field"] == "requested_vnd"


async def test_an_unknown_programme_or_priority_group_is_refused(
    loans: str, namespace: Namespace
) -> None:
    officer = _staff(namespace, Role.LOAN_OFFICER, "officer-a")
    async with local_client() as client:
        programme = await client.post(
            f"{loans}/loan-applications",
            json=application_body(programme="tourism"),
            headers=officer,
        )
        group = await client.post(
            f"{loans}/loan-applications",
            json=application_body(priority_groups=["rich_household"]),
            headers=officer,
        )
    assert programme.status_code == 422
    assert programme.json()["error"]["fields"][0]["field"] == "programme"
    assert group.status_code == 422
    assert group.json()["error"]["fields"][0]["field"] == "priority_groups.0"
