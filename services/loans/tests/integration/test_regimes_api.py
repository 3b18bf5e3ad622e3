"""Regimes are data that officers manage: closing one and adding its successor changes the
rules for later applications only; overlaps and malformed regimes are refused, and audited."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace

NEW_REGIME: dict[str, Any] = {
    "code": "ND-TEST-2027",
    "name": "Chế độ thử nghiệm 2027",
    "legal_basis": "Nghị định thử nghiệm",
    "programme": "labour_export",
    "effective_from": "2027-01-01",
    "effective_to": None,
    "eligible_groups": None,
    "max_share_of_costs": "0.8",
    "absolute_cap_vnd": None,
    "collateral_threshold_vnd": 250000000,
    "no_collateral_groups": [],
    "poor_household_monthly_rate": "0.0055",
    "rate_factor_by_group": {"default": "1.1"},
    "overdue_factor": "1.3",
    "max_term_months": None,
    "source_notes": ["test data"],
}


@pytest.fixture
async def client(loans_service: str) -> AsyncIterator[httpx.AsyncClient]:
    async with local_client(base_url=loans_service) as client:
        yield client


def _application(date: str, registration: str) -> dict[str, Any]:
    return {
        "registration_id": registration,
        "commune_code": "29800",
        "programme": "labour_export",
        "application_date": date,
        "priority_groups": [],
        "contract_costs_vnd": 100_000_000,
        "requested_vnd": 80_000_000,
        "requested_term_months": 24,
        "contract_term_months": 24,
    }


async def _audit_actions(ns: Namespace) -> list[str]:
    conn = await asyncpg.connect(ns.dsn("loans"))
    try:
        rows = await conn.fetch(
            "SELECT action FROM audit.audit_log WHERE entity_type = 'loan_regime' ORDER BY id"
        )
    finally:
        await conn.close()
    return [r["action"] for r in rows]


async def test_a_closed_regime_and_its_successor_decide_later_applications_only(
    client: httpx.AsyncClient, namespace: Namespace
) -> None:
    labour = namespace.auth(Role.LABOUR_OFFICER, province="86", username="lao-dong")
    officer = namespace.auth(Role.LOAN_OFFICER, branch="VBSP-86", username="officer-a")
    closed = await client.post(
        "/regimes/ND338-2025/closure", json={"effective_to": "2027-01-01"}, headers=labour
    )
    assert closed.status_code == 200, closed.text
    added = await client.post("/regimes", json=NEW_REGIME, headers=labour)
    assert added.status_code == 201, added.text
    later = await client.post(
        "/loan-applications",
        json=_application("2027-03-01", "6f1c2b1e-0000-4000-8000-000000000001"),
        headers=officer,
    )
    earlier = await client.post(
        "/loan-applications",
        json=_application("2026-06-01", "6f1c2b1e-0000-4000-8000-000000000002"),
        headers=officer,
    )
    assert later.json()["evaluation"]["regime_code"] == "ND-TEST-2027"
    assert later.json()["evaluation"]["monthly_rate"] == "0.006050"  # 0.0055 x 1.1
    assert earlier.json()["evaluation"]["regime_code"] == "ND338-2025"
    listed = await client.get("/regimes", headers=officer)
    origins = {r["code"]: (r["origin"], r["effective_to"]) for r in listed.json()}
    assert origins["ND338-2025"] == ("shipped", "2027-01-01")
    assert origins["ND-TEST-2027"] == ("added", None)
    assert await _audit_actions(namespace) == ["loan.regime_closed", "loan.regime_added"]


async def test_an_overlapping_or_malformed_regime_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, namespace: Namespace
) -> None:
    manager = namespace.auth(Role.BANK_MANAGER, branch="VBSP-86", username="manager-b")
    overlapping = await client.post("/regimes", json=NEW_REGIME, headers=manager)
    assert overlapping.status_code == 409  # Decree 338/2025 is open-ended
    assert overlapping.json()["error"]["code"] == "regimes_overlap"
    malformed = copy.deepcopy(NEW_REGIME) | {"code": "BAD", "max_share_of_costs": "2"}
    bad = await client.post("/regimes", json=malformed, headers=manager)
    assert bad.status_code == 422
    assert bad.json()["error"]["message_vi"]
    longer = await client.post(
        "/regimes/ND61-2015/closure", json={"effective_to": "2030-01-01"}, headers=manager
    )
    assert longer.status_code == 422  # a closure may only shorten a regime
    unknown = await client.post(
        "/regimes/NOPE/closure", json={"effective_to": "2030-01-01"}, headers=manager
    )
    assert unknown.status_code == 404
    assert await _audit_actions(namespace) == []
