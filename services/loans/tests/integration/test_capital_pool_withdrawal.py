"""An approved NQ 37 loan whose worker withdraws before disbursement gives its draw back to
the year's capital pool, over real Kafka and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.journey import RegistrationWithdrawn
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw

from .test_capital_pool import Bank, M, nq37_body


async def _pool_2018(ns: Namespace) -> asyncpg.Record | None:
    conn = await asyncpg.connect(ns.dsn("loans"))
    try:
        return await conn.fetchrow(
            "SELECT allocated_vnd, lent_vnd, repaid_vnd FROM capital_pool"
            " WHERE province_code = '86' AND year = 2018"
        )
    finally:
        await conn.close()


async def test_a_withdrawn_approved_loan_gives_its_draw_back_to_the_pool(
    loans_service: str, namespace: Namespace
) -> None:
    worker = uuid.uuid4()
    async with local_client(base_url=loans_service, timeout=60) as client:
        bank = Bank(client, namespace)
        assert (await bank.allocate(2018, 100 * M, "alloc-withdrawal")).status_code == 201
        created = await client.post(
            "/loan-applications",
            json=nq37_body(60 * M, registration_id=str(worker)),
            headers=bank.officer,
        )
        loan = created.json()["application_id"]
        proposal = {"decision": "approve", "amount_vnd": 60 * M, "term_months": 36}
        await client.post(
            f"/loan-applications/{loan}/proposal", json=proposal, headers=bank.officer
        )
        assert (await bank.confirm(loan)).status_code == 200
    drawn = await _pool_2018(namespace)
    assert drawn is not None
    assert drawn["lent_vnd"] == 60 * M

    withdrawn = RegistrationWithdrawn(
        withdrawn_on=dt.date(2018, 6, 1), reason_code="changed_mind", stage="loan_requested"
    )
    envelope = new_envelope(withdrawn, registration_id=worker, producer="registration")
    topic = namespace.topics.of(Stream.REGISTRATION)
    await produce_raw(
        namespace.infra.kafka_bootstrap, topic, [(envelope.partition_key, envelope.to_bytes())]
    )

    async def given_back() -> bool:
        row = await _pool_2018(namespace)
        return row is not None and row["lent_vnd"] == 0

    assert await eventually(given_back)
    conn = await asyncpg.connect(namespace.dsn("loans"))
    try:
        kinds = await conn.fetch(
            "SELECT kind, amount_vnd FROM capital_pool_movement ORDER BY recorded_at, kind"
        )
        returned = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = 'CapitalPoolReturned'"
        )
    finally:
        await conn.close()
    assert [(k["kind"], k["amount_vnd"]) for k in kinds] == [
        ("allocation", 100 * M),
        ("draw", 60 * M),
        ("withdrawal", 60 * M),
    ]
    assert returned == 1
