"""One registration through the whole system, over real Kafka, PostgreSQL and HTTP."""

from __future__ import annotations

import json

import asyncpg
import httpx
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.kafka import eventually, read_all
from xkld_shared.testing.system import (
    System,
    correlation,
    gateway_messages,
    registration_body,
)

ALL = ("registration", "loans", "notifications", "reporting")


async def _commune_count(system: System, commune: str) -> int:
    async with httpx.AsyncClient() as client:
        answer = await client.get(
            f"{system.url('reporting')}/reports/registrations-by-commune",
            params={"commune_code": commune},
        )
    communes = answer.json()["communes"]
    return int(communes[0]["registered"]) if communes else 0


async def _sms_status(system: System, registration_id: str) -> list[str]:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{system.url('notifications')}/sms/messages/{registration_id}")
    return [m["status"] for m in answer.json()]


async def test_registration_reaches_the_sms_gateway_and_the_commune_count(
    system: System,
) -> None:
    await system.start(ALL)
    body = registration_body(commune_code="29800")
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{system.url('registration')}/registrations", json=body, headers=correlation()
        )
    assert answer.status_code == 201, answer.text
    registration_id = answer.json()["registration_id"]

    messages = await eventually(lambda: gateway_messages(system.sms_gateway, str(body["phone"])))
    assert len(messages) == 1
    assert "tiep nhan" in str(messages[0]["content"])
    assert str(messages[0]["content"]).isascii(), "SMS must be unaccented by default"
    assert await eventually(lambda: _commune_count(system, "29800")) == 1
    statuses = await eventually(lambda: _delivered(system, registration_id), timeout=10)
    assert statuses == ["delivered"]


async def _delivered(system: System, registration_id: str) -> list[str] | None:
    statuses = await _sms_status(system, registration_id)
    return statuses if statuses == ["delivered"] else None


async def test_no_personal_data_travels_on_the_registration_topic(system: System) -> None:
    await system.start(["registration"])
    body = registration_body()
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{system.url('registration')}/registrations", json=body)
    assert answer.status_code == 201
    topic = system.namespace.topics.of(Stream.REGISTRATION)
    [record] = await read_all(system.namespace.infra.kafka_bootstrap, topic, expected=1)
    raw = record.value.decode()
    national = str(body["phone"])[1:]
    for secret in (str(body["cccd"]), national, "Nguyễn", "Nguyen", "Thành"):
        assert secret not in raw
    assert "phone_ciphertext" in json.loads(raw)["payload"]


async def test_worker_without_consent_gets_no_sms_and_is_still_counted(system: System) -> None:
    await system.start(["registration", "notifications", "reporting"])
    body = registration_body(sms_consent=False, commune_code="29801")
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{system.url('registration')}/registrations", json=body)
    registration_id = answer.json()["registration_id"]
    assert await eventually(lambda: _commune_count(system, "29801")) == 1
    assert await eventually(lambda: _sms_status(system, registration_id)) == ["suppressed"]
    assert await gateway_messages(system.sms_gateway, str(body["phone"])) == []


async def test_relay_crash_between_publish_and_mark_still_gives_one_sms_and_one_count(
    system: System,
) -> None:
    """The registration process dies after its relay published but before it marked the row.

    A failpoint makes the process exit at exactly that moment (no outside signal can hit it
    reliably); the restarted process publishes the row again, and consumers absorb the copy.
    """
    await system.start(["notifications", "reporting"])
    crashing = system.process("registration", XKLD_FAILPOINTS="relay.after_publish")
    await crashing.start()
    body = registration_body(commune_code="29802")
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{crashing.url}/registrations", json=body)
    assert answer.status_code == 201
    assert await eventually(lambda: _exited(crashing), timeout=15), "the failpoint never fired"
    await system.start(["registration"])  # a healthy process, same database

    topic = system.namespace.topics.of(Stream.REGISTRATION)
    records = await read_all(system.namespace.infra.kafka_bootstrap, topic, expected=2)
    event_ids = {Envelope.from_bytes(r.value).event_id for r in records}
    assert len(records) == 2, "the event was not published again after the crash"
    assert len(event_ids) == 1
    assert await eventually(lambda: _commune_count(system, "29802")) == 1
    messages = await eventually(lambda: gateway_messages(system.sms_gateway, str(body["phone"])))
    assert len(messages) == 1
    await _assert_inbox(system, "reporting", 1)


async def _exited(proc: object) -> bool:
    popen = getattr(proc, "_proc", None)
    return popen is not None and popen.poll() is not None


async def _assert_inbox(system: System, service: str, expected: int) -> None:
    conn = await asyncpg.connect(system.namespace.dsn(service))
    try:
        assert await conn.fetchval("SELECT count(*) FROM inbox") == expected
    finally:
        await conn.close()
