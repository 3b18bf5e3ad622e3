"""A worker's reply to the check-in SMS, read by notifications, comes back over real Kafka as
a check-in by SMS: recorded once however often the event is delivered, and only while the
worker is abroad."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.notification import WorkerCheckInReported
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw
from xkld_shared.testing.processes import serving

from .journey_desk import READY, Desk, today


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


def _reply(rid: str, status: str = "between_jobs") -> Envelope:
    reported = WorkerCheckInReported(
        reply_id=uuid.uuid4(),
        replied_on=today() - dt.timedelta(days=1),
        employment_status=status,
    )
    return new_envelope(reported, registration_id=uuid.UUID(rid), producer="notifications")


async def _publish(desk: Desk, *envelopes: Envelope) -> None:
    await produce_raw(
        desk.ns.infra.kafka_bootstrap,
        desk.ns.topics.of(Stream.NOTIFICATION),
        [(e.partition_key, e.to_bytes()) for e in envelopes],
    )


async def _fetch(desk: Desk, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def _claimed(desk: Desk, event: Envelope) -> bool:
    rows = await _fetch(desk, "SELECT 1 FROM inbox WHERE event_id = $1", event.event_id)
    return bool(rows)


async def test_a_reply_delivered_twice_is_one_check_in_by_sms(desk: Desk) -> None:
    abroad, home = await desk.register(), await desk.register()
    await desk.walk(abroad, *READY, "schedule", "depart")
    await desk.walk(home, *READY, "schedule", "depart", "return")
    reply, stale = _reply(abroad), _reply(home, "working")
    await _publish(desk, reply, reply, stale)
    assert await eventually(lambda: _claimed(desk, stale))

    check_ins = await _fetch(
        desk,
        """SELECT registration_id::text AS rid, channel, employment_status, checked_in_on
           FROM check_in WHERE registration_id = ANY($1::uuid[])""",
        [uuid.UUID(abroad), uuid.UUID(home)],
    )
    assert [tuple(r) for r in check_ins] == [
        (abroad, "sms", "between_jobs", today() - dt.timedelta(days=1))
    ]
    recorded = await _fetch(
        desk,
        "SELECT envelope FROM outbox WHERE partition_key = $1 AND event_type = 'CheckInRecorded'",
        abroad,
    )
    [event] = [Envelope.from_bytes(bytes(r["envelope"])) for r in recorded]
    assert event.payload["channel"] == "sms"
    assert event.causation_id == reply.event_id
    audited = await _fetch(
        desk,
        """SELECT actor_username FROM audit.audit_log
           WHERE entity_id = $1 AND action = 'journey.check_in_recorded'""",
        abroad,
    )
    assert [r["actor_username"] for r in audited] == ["notifications-service"]
