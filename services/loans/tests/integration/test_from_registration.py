"""What the registration stream asks of the bank, over real Kafka: new applications from
LoanRequested (once, even when re-sent), withdrawals, and early returns flagged for review."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.journey import LoanRequested, RegistrationWithdrawn, WorkerReturned
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw

Disbursed = Callable[..., Awaitable[str]]
PROVINCE_BRANCH = "VBSP-86"  # branches.json: a province's applications go to VBSP-<province>


def _request(request_id: uuid.UUID, **changes: Any) -> LoanRequested:
    fields: dict[str, Any] = {
        "loan_request_id": request_id,
        "commune_code": "29800",
        "province_code": "86",
        "programme": "labour_export",
        "market_code": "JP",
        "requested_on": dt.date(2026, 3, 2),
        "priority_groups": ("poor_household",),
        "requested_vnd": 150_000_000,
        "contract_costs_vnd": 160_000_000,
        "cost_breakdown_vnd": {"training": 10_000_000, "travel": 150_000_000},
        "purpose_code": "pre_departure_costs",
        "requested_term_months": 36,
        "contract_term_months": 36,
    }
    return LoanRequested(**(fields | changes))


async def _publish(ns: Namespace, registration_id: uuid.UUID, *events: EventPayload) -> None:
    envelopes = [
        new_envelope(e, registration_id=registration_id, producer="registration") for e in events
    ]
    topic = ns.topics.of(Stream.REGISTRATION)
    await produce_raw(
        ns.infra.kafka_bootstrap, topic, [(e.partition_key, e.to_bytes()) for e in envelopes]
    )


async def _rows(ns: Namespace, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(ns.dsn("loans"))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _applications_of(ns: Namespace, registration_id: uuid.UUID) -> list[asyncpg.Record]:
    return await _rows(
        ns,
        "SELECT id, status, branch_code, loan_request_id, review_flag, evaluation"
        " FROM loan_application WHERE registration_id = $1",
        registration_id,
    )


async def test_a_loan_request_becomes_one_application_in_the_province_branch_queue(
    loans_service: str, namespace: Namespace
) -> None:
    worker, request_id = uuid.uuid4(), uuid.uuid4()
    # The same request twice (as a producer retry would re-send it under a new event id).
    await _publish(namespace, worker, _request(request_id), _request(request_id))
    found = await eventually(lambda: _applications_of(namespace, worker))
    assert len(found) == 1
    assert found[0]["branch_code"] == PROVINCE_BRANCH
    assert found[0]["loan_request_id"] == request_id
    # Requested on 2 Mar 2026: Decree 338/2025 is in force (from 1 Jan 2026).
    assert json.loads(found[0]["evaluation"])["regime_code"] == "ND338-2025"
    assert json.loads(found[0]["evaluation"])["eligible"] is True
    received = await _rows(
        namespace, "SELECT envelope FROM outbox WHERE event_type = 'LoanApplicationReceived'"
    )
    assert [Envelope.from_bytes(r["envelope"]).payload["loan_request_id"] for r in received] == [
        str(request_id)
    ]


async def test_a_request_no_regime_covers_is_kept_as_ineligible_for_the_officer(
    loans_service: str, namespace: Namespace
) -> None:
    worker = uuid.uuid4()
    await _publish(namespace, worker, _request(uuid.uuid4(), requested_on=dt.date(2010, 1, 4)))
    found = await eventually(lambda: _applications_of(namespace, worker))
    assert found[0]["status"] == "application_received"
    assert json.loads(found[0]["evaluation"])["regime_code"] == "no_regime_in_force"
    assert json.loads(found[0]["evaluation"])["eligible"] is False


async def test_a_withdrawal_ends_an_application_no_money_moved_for(
    loans_service: str, namespace: Namespace
) -> None:
    worker = uuid.uuid4()
    withdrawn = RegistrationWithdrawn(
        withdrawn_on=dt.date(2026, 3, 9), reason_code="changed_mind", stage="loan_requested"
    )
    await _publish(namespace, worker, _request(uuid.uuid4()), withdrawn)

    async def ended() -> bool:
        rows = await _applications_of(namespace, worker)
        return bool(rows) and rows[0]["status"] == "withdrawn"

    assert await eventually(ended)
    audit = await _rows(
        namespace,
        "SELECT action FROM audit.audit_log WHERE entity_type = 'loan_application' ORDER BY id",
    )
    assert [r["action"] for r in audit] == [
        "loan.application_received",
        "loan.withdrawn_by_registration",
    ]


async def test_an_early_return_flags_a_disbursed_loan_for_review(
    disbursed_loan: Disbursed, loans_service: str, namespace: Namespace
) -> None:
    loan = await disbursed_loan()
    rows = await _rows(
        namespace, "SELECT registration_id FROM loan_application WHERE id = $1::uuid", loan
    )
    worker = rows[0]["registration_id"]
    completed = WorkerReturned(returned_on=dt.date(2026, 9, 1), early=False)
    early = WorkerReturned(
        returned_on=dt.date(2026, 9, 1),
        early=True,
        early_cause="employer_bankruptcy_or_force_majeure",
    )
    await _publish(namespace, worker, completed, early)
    manager = namespace.auth(Role.BANK_MANAGER, branch="VBSP-86-TANQUOI", username="manager-b")

    async def flagged() -> list[dict[str, Any]]:
        async with local_client(base_url=loans_service) as client:
            answer = await client.get("/work-queues/flagged-for-review", headers=manager)
        return list(answer.json())

    queue = await eventually(flagged)
    assert [(q["id"], q["review_flag"]) for q in queue] == [
        (loan, "early_return.employer_bankruptcy_or_force_majeure")
    ]
    events = await _rows(
        namespace, "SELECT envelope FROM outbox WHERE event_type = 'LoanFlaggedForReview'"
    )
    assert len(events) == 1
    assert Envelope.from_bytes(events[0]["envelope"]).registration_id == worker
