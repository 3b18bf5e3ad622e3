"""A running loans service per test, and steps that bring a loan to a given state."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import serving

STEPS_BRANCH = "VBSP-86-TANQUOI"
Disbursed = Callable[..., Awaitable[str]]


@pytest.fixture
def namespace_databases() -> tuple[str, ...]:
    """Only the loans service's database: these tests reach no other."""
    return ("loans",)


@pytest.fixture
async def loans_service(namespace: Namespace) -> AsyncIterator[str]:
    # The daily job is driven by the tests themselves, on the dates they choose.
    env = namespace.env("loans", XKLD_OVERDUE_JOB_ENABLED="false")
    async with serving("xkld_loans", env) as proc:
        yield proc.url


def staff(ns: Namespace, role: Role, username: str) -> dict[str, str]:
    return ns.auth(role, branch=STEPS_BRANCH, username=username)


@pytest.fixture
def disbursed_loan(loans_service: str, namespace: Namespace) -> Disbursed:
    """Application, proposal, confirmation and disbursement through the HTTP API."""

    async def make(
        amount_vnd: int = 120_000_000,
        term_months: int = 24,
        disbursed_on: str = "2026-03-05",
        commune_code: str = "29800",
    ) -> str:
        officer = staff(namespace, Role.LOAN_OFFICER, "officer-a")
        manager = staff(namespace, Role.BANK_MANAGER, "manager-b")
        async with local_client(base_url=loans_service) as client:
            created = await client.post(
                "/loan-applications",
                headers=officer,
                json={
                    "registration_id": str(uuid.uuid4()),
                    "commune_code": commune_code,
                    "programme": "labour_export",
                    "application_date": "2026-02-10",
                    "priority_groups": ["poor_household"],
                    "contract_costs_vnd": amount_vnd,
                    "requested_vnd": amount_vnd,
                    "requested_term_months": term_months,
                    "contract_term_months": term_months,
                },
            )
            loan = created.json()["application_id"]
            proposal = {"decision": "approve", "amount_vnd": amount_vnd, "term_months": term_months}
            await client.post(f"/loan-applications/{loan}/proposal", json=proposal, headers=officer)
            await client.post(
                f"/loan-applications/{loan}/decision", json={"agree": True}, headers=manager
            )
            paid = await client.post(
                f"/loan-applications/{loan}/disbursement",
                json={
                    "amount_vnd": amount_vnd,
                    "disbursed_on": disbursed_on,
                    "channel": "commune_transaction_point",
                },
                headers=officer | {"Idempotency-Key": f"pay-{loan}"},
            )
        assert paid.status_code == 201, paid.text
        return str(loan)

    return make
