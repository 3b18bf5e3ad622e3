"""Vĩnh Long's NQ 37 capital pool against the real service and database: routing, allocations,
draws at approval under concurrency, repayments flowing back, the report and bad input."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace

from .conftest import staff

M = 1_000_000


def nq37_body(amount_vnd: int = 100 * M, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "registration_id": str(uuid.uuid4()),
        "commune_code": "29800",
        "province_code": "86",
        "programme": "labour_export",
        "application_date": "2018-05-02",
        "priority_groups": ["demobilised_soldier"],
        "contract_costs_vnd": amount_vnd,
        "requested_vnd": amount_vnd,
        "requested_term_months": 36,
        "contract_term_months": 36,
        "central_funding": "not_covered",
    }
    return body | overrides


class Bank:
    def __init__(self, client: httpx.AsyncClient, ns: Namespace) -> None:
        self.client = client
        self.officer = staff(ns, Role.LOAN_OFFICER, "officer-a")
        self.manager = staff(ns, Role.BANK_MANAGER, "manager-b")

    async def allocate(self, year: int, amount_vnd: int, key: str) -> httpx.Response:
        body = {"year": year, "amount_vnd": amount_vnd, "allocated_on": f"{year}-01-15"}
        return await self.client.post(
            "/capital-pools/86/allocations",
            json=body | {"decision_ref": "QĐ phân bổ vốn ủy thác"},
            headers=self.manager | {"Idempotency-Key": key},
        )

    async def proposed(self, amount_vnd: int = 100 * M) -> str:
        created = await self.client.post(
            "/loan-applications", json=nq37_body(amount_vnd), headers=self.officer
        )
        assert created.status_code == 201, created.text
        loan = str(created.json()["application_id"])
        proposal = {"decision": "approve", "amount_vnd": amount_vnd, "term_months": 36}
        answer = await self.client.post(
            f"/loan-applications/{loan}/proposal", json=proposal, headers=self.officer
        )
        assert answer.status_code == 200, answer.text
        return loan

    async def confirm(self, loan: str) -> httpx.Response:
        return await self.client.post(
            f"/loan-applications/{loan}/decision", json={"agree": True}, headers=self.manager
        )

    async def report(self) -> dict[str, Any]:
        answer = await self.client.get("/capital-pools/86", headers=self.manager)
        assert answer.status_code == 200, answer.text
        report: dict[str, Any] = answer.json()
        return report


async def test_nq37_is_chosen_only_for_an_eligible_worker_without_central_funding(
    loans_service: str, namespace: Namespace
) -> None:
    officer = staff(namespace, Role.LOAN_OFFICER, "officer-a")
    async with local_client(base_url=loans_service) as client:
        chosen = await client.post("/loan-applications", json=nq37_body(), headers=officer)
        covered = await client.post(
            "/loan-applications", json=nq37_body(central_funding="covered"), headers=officer
        )
        youth = await client.post(
            "/loan-applications",
            json=nq37_body(priority_groups=["youth_volunteer"]),
            headers=officer,
        )
        regimes = await client.get("/regimes", headers=officer)
    assert chosen.status_code == 201, chosen.text
    evaluation = chosen.json()["evaluation"]
    assert evaluation["regime_code"] == "NQ37-2016-VL"
    assert evaluation["routing_rule"] == "provincial_no_central_funding"
    assert (evaluation["pool_province_code"], evaluation["pool_year"]) == ("86", 2018)
    assert evaluation["eligible"] is True
    assert evaluation["collateral_required"] is False
    for other, rule in ((covered, "central_funding_covered"), (youth, "not_in_provincial_groups")):
        assert other.json()["evaluation"]["regime_code"] == "ND61-2015"
        assert other.json()["evaluation"]["routing_rule"] == rule
        assert other.json()["evaluation"]["pool_year"] is None
    nq37 = next(r for r in regimes.json() if r["code"] == "NQ37-2016-VL")
    assert "absolute_cap_vnd" in nq37["unknown"]
    assert nq37["capital_pool"] is True


async def test_twenty_concurrent_approvals_never_overdraw_the_pool(
    loans_service: str, namespace: Namespace
) -> None:
    async with local_client(base_url=loans_service, timeout=60) as client:
        bank = Bank(client, namespace)
        assert (await bank.allocate(2018, 1_000 * M, "alloc-2018-a")).status_code == 201
        loans = [await bank.proposed() for _ in range(20)]
        answers = await asyncio.gather(*(bank.confirm(loan) for loan in loans))
        retries = await asyncio.gather(*(bank.confirm(loan) for loan in loans))
        report = await bank.report()
    approved = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 409]
    assert len(approved) == 10, [a.text for a in answers]
    assert len(refused) == 10
    assert {a.json()["error"]["code"] for a in refused} == {"capital_pool_exhausted"}
    assert all(r.status_code == 409 for r in retries), "a retried approval draws nothing more"
    assert report["years"] == [
        {
            "province_code": "86",
            "year": 2018,
            "allocated_vnd": 1_000 * M,
            "lent_vnd": 1_000 * M,
            "repaid_vnd": 0,
            "available_vnd": 0,
        }
    ]
    conn = await asyncpg.connect(namespace.dsn("loans"))
    try:
        drawn = await conn.fetchval(
            "SELECT sum(amount_vnd) FROM capital_pool_movement WHERE kind = 'draw'"
        )
        still_proposed = await conn.fetchval(
            "SELECT count(*) FROM loan_application WHERE status = 'proposed'"
        )
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = 'CapitalPoolDrawn'"
        )
    finally:
        await conn.close()
    assert drawn == 1_000 * M, "the movements recount to the total"
    assert still_proposed == 10, "a refused approval changed nothing"
    assert events == 10


async def test_repayments_flow_back_and_the_report_adds_up_per_year(
    loans_service: str, namespace: Namespace
) -> None:
    async with local_client(base_url=loans_service, timeout=60) as client:
        bank = Bank(client, namespace)
        first = await bank.allocate(2018, 150 * M, "alloc-2018-b")
        replay = await bank.allocate(2018, 150 * M, "alloc-2018-b")
        loan = await bank.proposed(100 * M)
        assert (await bank.confirm(loan)).status_code == 200
        second = await bank.proposed(80 * M)
        refused = await bank.confirm(second)
        paid = await client.post(
            f"/loan-applications/{loan}/disbursement",
            json={
                "amount_vnd": 100 * M,
                "disbursed_on": "2018-06-05",
                "channel": "commune_transaction_point",
            },
            headers=bank.officer | {"Idempotency-Key": f"pay-{loan}"},
        )
        assert paid.status_code == 201, paid.text
        for key, amount, on in (("r1", 30 * M, "2018-06-20"), ("r2", 20 * M, "2019-03-01")):
            repaid = await client.post(
                f"/loan-applications/{loan}/repayments",
                json={"amount_vnd": amount, "paid_on": on},
                headers=bank.officer | {"Idempotency-Key": f"{key}-{loan}"},
            )
            assert repaid.status_code == 201, repaid.text
        now_lent = await bank.confirm(second)
        report = await bank.report()
    assert first.status_code == 201, first.text
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert refused.status_code == 409, "50 M left is less than 80 M"
    assert now_lent.status_code == 200, "30 M repaid in 2018 made room for it"
    by_year = {row["year"]: row for row in report["years"]}
    assert by_year[2018] == {
        "province_code": "86",
        "year": 2018,
        "allocated_vnd": 150 * M,
        "lent_vnd": 180 * M,
        "repaid_vnd": 30 * M,
        "available_vnd": 0,
    }
    assert by_year[2019]["allocated_vnd"] == 0
    # Interest fell due before March 2019: it is paid first and is not the pool's.
    assert 0 < by_year[2019]["repaid_vnd"] < 20 * M, "principal only, not interest"
    assert by_year[2019]["available_vnd"] == by_year[2019]["repaid_vnd"]
    assert report["totals"]["lent_vnd"] == 180 * M
    conn = await asyncpg.connect(namespace.dsn("loans"))
    try:
        audited = await conn.fetch(
            "SELECT action, entity_id FROM audit.audit_log WHERE entity_type = 'capital_pool'"
            " ORDER BY id"
        )
    finally:
        await conn.close()
    assert [(a["action"], a["entity_id"]) for a in audited] == [
        ("loan.pool_allocated", "86-2018"),  # once: the replay recorded nothing
        ("loan.pool_drawn", "86-2018"),
        ("loan.pool_returned_repayment", "86-2018"),
        ("loan.pool_returned_repayment", "86-2019"),
        ("loan.pool_drawn", "86-2018"),
    ]


async def test_bad_allocations_are_refused_with_a_clear_4xx_and_change_nothing(
    loans_service: str, namespace: Namespace
) -> None:
    manager = staff(namespace, Role.BANK_MANAGER, "manager-b")
    officer = staff(namespace, Role.LOAN_OFFICER, "officer-a")
    good = {"year": 2018, "amount_vnd": 10 * M, "allocated_on": "2018-01-15"}
    cases: list[tuple[str, dict[str, object], dict[str, str], int]] = [
        ("86", good, manager, 422),  # no Idempotency-Key
        ("86", good | {"amount_vnd": 0}, manager, 422),
        ("86", good | {"amount_vnd": "10000000"}, manager, 422),
        ("86", good | {"amount_vnd": 1.5}, manager, 422),
        ("86", good | {"year": 1999}, manager, 422),
        ("86", good | {"allocated_on": "15/01/2018"}, manager, 422),
        ("86", good | {"decision_ref": "a\x00b"}, manager, 422),
        ("86", good | {"extra": 1}, manager, 422),
        ("8x", good, manager, 422),
        ("87", good, manager, 404),  # another province's pool does not exist for this branch
        ("86", good, officer, 403),
    ]
    async with local_client(base_url=loans_service) as client:
        answers = []
        for index, (province, body, who, _) in enumerate(cases):
            key = {} if index == 0 else {"Idempotency-Key": f"bad-allocation-{index}"}
            answers.append(
                await client.post(
                    f"/capital-pools/{province}/allocations", json=body, headers=who | key
                )
            )
        other = await client.get("/capital-pools/87", headers=manager)
        report = await client.get("/capital-pools/86", headers=manager)
    for (_, _, _, expected), answer in zip(cases, answers, strict=True):
        assert answer.status_code == expected, answer.text
        assert answer.json()["error"]["message_vi"]
    assert other.status_code == 404
    assert report.json()["years"] == [], "nothing was recorded"


async def test_an_approval_with_no_allocation_for_its_year_is_refused(
    loans_service: str, namespace: Namespace
) -> None:
    async with local_client(base_url=loans_service) as client:
        bank = Bank(client, namespace)
        loan = await bank.proposed()
        refused = await bank.confirm(loan)
        view = await client.get(f"/loan-applications/{loan}", headers=bank.manager)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "capital_pool_exhausted"
    assert "2018" in refused.json()["error"]["message_vi"]
    assert view.json()["status"] == "proposed"
