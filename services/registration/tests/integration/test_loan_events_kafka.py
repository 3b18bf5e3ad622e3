"""The loan round trip over real Kafka: registration asks, the bank's facts come back once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.loan import (
    LoanApplicationReceived,
    LoanApproved,
    LoanDisbursed,
    LoanRejected,
)
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw, read_all
from xkld_shared.testing.processes import serving
from xkld_shared.testing.system import consents, registration_body

from .journey_desk import Desk, days


@pytest.fixture
async def desk(namespace: Namespace) -> AsyncIterator[Desk]:
    async with (
        serving("xkld_registration", namespace.env("registration")) as proc,
        local_client(timeout=20) as client,
    ):
        desk = Desk(proc.url, namespace, client)
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


def _from_bank(rid: str, payload: EventPayload) -> Envelope:
    return new_envelope(payload, registration_id=uuid.UUID(rid), producer="loans")


async def _publish(desk: Desk, *envelopes: Envelope) -> None:
    topic = desk.ns.topics.of(Stream.LOAN)
    await produce_raw(
        desk.ns.infra.kafka_bootstrap,
        topic,
        [(e.partition_key, e.to_bytes()) for e in envelopes],
    )


async def _loan_stage(desk: Desk, rid: str) -> object:
    return (await desk.journey(rid))["loan"]


# Submitted, eligible, enrolled, completed, trained, loan requested, contract, three gates.
EMITTED = 10


async def _loan_request_on_the_topic(desk: Desk, rid: str) -> Envelope:
    records = await read_all(
        desk.ns.infra.kafka_bootstrap, desk.ns.topics.of(Stream.REGISTRATION), expected=EMITTED
    )
    envelopes = [Envelope.from_bytes(r.value or b"") for r in records]
    [request] = [
        e for e in envelopes if e.event_type == "LoanRequested" and str(e.registration_id) == rid
    ]
    assert records[0].key == rid.encode(), "keyed by the registration id"
    return request


async def test_the_bank_decisions_come_back_onto_the_file_exactly_once(desk: Desk) -> None:
    rid = await desk.register(bank=True)
    await desk.walk(rid, "eligible", "enrol", "certify", "loan", "contract", "health")
    await desk.walk(rid, "deposit", "visa")
    request = await _loan_request_on_the_topic(desk, rid)
    loan_request_id = uuid.UUID(request.payload["loan_request_id"])
    application_id = uuid.uuid4()

    refused = await desk.step(rid, "schedule")
    assert refused.status_code == 409, "a requested loan holds the departure"

    received = LoanApplicationReceived(
        loan_application_id=application_id,
        commune_code="29800",
        branch_code="VBSP-86",
        regime_code="nq37",
        requested_vnd=90_000_000,
        eligible=True,
        loan_request_id=loan_request_id,
    )
    approved = LoanApproved(
        loan_application_id=application_id,
        amount_vnd=90_000_000,
        term_months=36,
        monthly_rate="0.0065",
        regime_code="nq37",
    )
    await _publish(desk, _from_bank(rid, received), _from_bank(rid, approved))
    assert await eventually(lambda: _is(desk, rid, "approved"))

    disbursed = _from_bank(
        rid,
        LoanDisbursed(
            loan_application_id=application_id,
            amount_vnd=90_000_000,
            disbursed_on=days(0),
            installments=12,
            first_due_on=days(90),
        ),
    )
    late_rejection = _from_bank(rid, LoanRejected(loan_application_id=application_id))
    # The same disbursement delivered twice (a redelivery), then a stale rejection.
    await _publish(desk, disbursed, disbursed, late_rejection)
    assert await eventually(lambda: _records(desk, rid, "loan_rejected"))

    assert await _loan_stage(desk, rid) == "disbursed"
    assert await _records(desk, rid, "loan_disbursed") == 1
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        linked = await conn.fetchval(
            "SELECT loan_application_id FROM registration WHERE id = $1", uuid.UUID(rid)
        )
        applied = await conn.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", disbursed.event_id
        )
        audited = await conn.fetch(
            """SELECT actor_username FROM audit.audit_log
               WHERE entity_id = $1 AND action = 'journey.loan_disbursed'""",
            rid,
        )
    finally:
        await conn.close()
    assert linked == application_id
    assert applied == 1
    assert [a["actor_username"] for a in audited] == ["loans-service"]
    scheduled = await desk.step(rid, "schedule")
    assert scheduled.status_code == 200, scheduled.text


async def _is(desk: Desk, rid: str, stage: str) -> bool:
    return await _loan_stage(desk, rid) == stage


async def _records(desk: Desk, rid: str, kind: str) -> int:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM journey_record WHERE registration_id = $1 AND kind = $2",
            uuid.UUID(rid),
            kind,
        )
        return int(count)
    finally:
        await conn.close()


async def test_a_loan_event_for_an_unknown_file_is_dropped_and_others_still_apply(
    desk: Desk,
) -> None:
    stranger = str(uuid.uuid4())
    rid = await desk.register()
    rejected = _from_bank(stranger, LoanRejected(loan_application_id=uuid.uuid4()))
    marker = _from_bank(rid, LoanRejected(loan_application_id=uuid.uuid4()))
    await _publish(desk, rejected, marker)
    # Files are independent: the known file's event lands, the stranger's is dropped quietly.
    assert await eventually(lambda: _records(desk, rid, "loan_rejected"))
    assert await _records(desk, stranger, "loan_rejected") == 0


async def test_with_the_real_bank_service_the_request_is_decided_paid_and_the_file_follows(
    desk: Desk,
) -> None:
    """Both services as real processes: registration's LoanRequested becomes an application
    in the province's branch, evaluated with the worker's priority groups; the bank's approval
    and payout come back onto the file, which may then leave."""
    ns = desk.ns
    env = ns.env("loans", XKLD_OVERDUE_JOB_ENABLED="false")
    body = registration_body(
        commune_code="29800",
        consents=consents(share_with_bank=True),
        priority_groups=["poor_household"],
    )
    async with serving("xkld_loans", env) as bank:
        created = await desk.client.post(
            f"{desk.url}/registrations", json=body, headers=desk.headers("commune")
        )
        rid = created.json()["registration_id"]
        await desk.walk(rid, "eligible", "enrol", "certify", "loan")
        officer = ns.auth(Role.LOAN_OFFICER, branch="VBSP-86", username="can-bo-tin-dung")
        manager = ns.auth(Role.BANK_MANAGER, branch="VBSP-86", username="giam-doc")

        async def queued() -> list[dict[str, object]]:
            answer = await desk.client.get(
                f"{bank.url}/work-queues/applications-to-review", headers=officer
            )
            return [a for a in answer.json() if a["registration_id"] == rid]

        [application] = await eventually(queued)
        loan = application["id"]
        view = (
            await desk.client.get(f"{bank.url}/loan-applications/{loan}", headers=officer)
        ).json()
        assert view["evaluation"]["regime_code"] == "ND338-2025"
        assert view["evaluation"]["monthly_rate"] == "0.006985"  # 0.55 % x 1.27
        proposal = {"decision": "approve", "amount_vnd": 90_000_000, "term_months": 36}
        await desk.client.post(
            f"{bank.url}/loan-applications/{loan}/proposal", json=proposal, headers=officer
        )
        await desk.client.post(
            f"{bank.url}/loan-applications/{loan}/decision", json={"agree": True}, headers=manager
        )
        assert await eventually(lambda: _is(desk, rid, "approved"))
        paid = await desk.client.post(
            f"{bank.url}/loan-applications/{loan}/disbursement",
            json={"amount_vnd": 90_000_000, "disbursed_on": days(0), "channel": "bank_transfer"},
            headers=officer | {"Idempotency-Key": f"payout-{loan}"},
        )
        assert paid.status_code == 201, paid.text
        assert await eventually(lambda: _is(desk, rid, "disbursed"))
    await desk.walk(rid, "contract", "health", "deposit", "visa")
    scheduled = await desk.step(rid, "schedule")
    assert scheduled.status_code == 200, scheduled.text
