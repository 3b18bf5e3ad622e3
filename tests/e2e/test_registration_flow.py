"""One registration through the whole system, over real Kafka, PostgreSQL and HTTP."""

from __future__ import annotations

import json
import uuid

import asyncpg
import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.kafka import eventually, read_all, read_to_end
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import (
    System,
    consents,
    gateway_messages,
    officer_of,
    registration_body,
    report_viewer,
)

# Each test starts every service as its own process; on a busy two-core machine that alone can
# take minutes, so these get more than the suite's default three.
pytestmark = pytest.mark.timeout(600)

ALL = ("registration", "loans", "notifications", "reporting")


async def _commune_count(system: System, commune: str) -> int:
    async with local_client() as client:
        answer = await client.get(
            f"{system.url('reporting')}/reports/registrations-by-commune",
            params={"commune_code": commune},
            headers=report_viewer(system.namespace),
        )
    communes = answer.json()["communes"]
    return int(communes[0]["registered"]) if communes else 0


async def _sms_status(system: System, registration_id: str) -> list[str]:
    headers = system.namespace.auth(Role.LABOUR_OFFICER, province="86")
    async with local_client() as client:
        answer = await client.get(
            f"{system.url('notifications')}/sms/messages/{registration_id}", headers=headers
        )
    if answer.status_code == 404:
        return []  # the contact has not arrived yet
    return [m["status"] for m in answer.json()]


async def _register(system: System, url: str, body: dict[str, object]) -> httpx.Response:
    headers = officer_of(system.namespace, str(body["commune_code"]))
    async with local_client() as client:
        return await client.post(f"{url}/registrations", json=body, headers=headers)


def _personal_values(body: dict[str, object]) -> list[str]:
    """Every way the worker's identifiers could appear in a log line or a topic."""
    national = str(body["phone"])
    return [
        str(body["cccd"]),
        national,
        "84" + national[1:],
        national[1:],
        str(body["full_name"]),
        "Nguyen Van Thanh",
    ]


async def test_registration_reaches_the_sms_gateway_and_the_commune_count(
    system: System,
) -> None:
    await system.start(ALL)
    body = registration_body(commune_code="29800")
    answer = await _register(system, system.url("registration"), body)
    assert answer.status_code == 201, answer.text
    registration_id = answer.json()["registration_id"]

    messages = await eventually(lambda: gateway_messages(system.sms_gateway, str(body["phone"])))
    assert len(messages) == 1
    assert "tiep nhan" in str(messages[0]["content"])
    assert str(messages[0]["content"]).isascii(), "SMS must be unaccented by default"
    assert await eventually(lambda: _commune_count(system, "29800")) == 1
    statuses = await eventually(lambda: _delivered(system, registration_id), timeout=10)
    assert statuses == ["delivered"]

    # With the data through every service: no log line and no topic shows it in clear.
    await system.stop_all()
    logs = {name: proc.logs() for name, proc in system.processes.items()}
    assert all("service started" in text for text in logs.values()), "a log is empty"
    records = await _dump_all_topics(system)
    assert records, "the topic dump is empty; this check would prove nothing"
    for value in _personal_values(body):
        for name, text in logs.items():
            assert value not in text, f"{name} logged personal data"
        assert not any(value.encode() in r for r in records), "a topic carries personal data"


async def _dump_all_topics(system: System) -> list[bytes]:
    ns = system.namespace
    topics = [spec.name for spec in ns.topics.all_specs(1)]
    records = await read_to_end(ns.infra.kafka_bootstrap, topics)
    return [(r.value or b"") + b" " + (r.key or b"") + repr(r.headers).encode() for r in records]


async def _delivered(system: System, registration_id: str) -> list[str] | None:
    statuses = await _sms_status(system, registration_id)
    return statuses if statuses == ["delivered"] else None


async def test_no_personal_data_travels_on_the_registration_topic(system: System) -> None:
    await system.start(["registration"])
    body = registration_body()
    answer = await _register(system, system.url("registration"), body)
    assert answer.status_code == 201
    topic = system.namespace.topics.of(Stream.REGISTRATION)
    [record] = await read_all(system.namespace.infra.kafka_bootstrap, topic, expected=1)
    raw = (record.value or b"").decode()
    national = str(body["phone"])[1:]
    for secret in (str(body["cccd"]), national, "Nguyễn", "Nguyen", "Thành"):
        assert secret not in raw
    assert "phone_ciphertext" in json.loads(raw)["payload"]


async def test_worker_without_consent_gets_no_sms_and_is_still_counted(system: System) -> None:
    await system.start(["registration", "notifications", "reporting"])
    body = registration_body(consents=consents(sms_notifications=False), commune_code="29641")
    answer = await _register(system, system.url("registration"), body)
    registration_id = answer.json()["registration_id"]
    assert await eventually(lambda: _commune_count(system, "29641")) == 1
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
    body = registration_body(commune_code="29653")
    answer = await _register(system, crashing.url, body)
    assert answer.status_code == 201
    assert await eventually(lambda: _exited(crashing), timeout=15), "the failpoint never fired"
    await system.start(["registration"])  # a healthy process, same database

    topic = system.namespace.topics.of(Stream.REGISTRATION)
    records = await read_all(system.namespace.infra.kafka_bootstrap, topic, expected=2)
    event_ids = {Envelope.from_bytes(r.value or b"").event_id for r in records}
    assert len(records) == 2, "the event was not published again after the crash"
    assert len(event_ids) == 1
    assert await eventually(lambda: _commune_count(system, "29653")) == 1
    messages = await eventually(lambda: gateway_messages(system.sms_gateway, str(body["phone"])))
    assert len(messages) == 1
    (event_id,) = event_ids
    await _assert_applied_once(system, "reporting", event_id)


async def _exited(proc: ServiceProcess) -> bool:
    return not proc.running


async def _assert_applied_once(system: System, service: str, event_id: uuid.UUID) -> None:
    """The event published twice is in the consumer's inbox once (other streams' events,
    such as the SMS outcomes reporting also projects, are not counted)."""
    conn = await asyncpg.connect(system.namespace.dsn(service))
    try:
        # Reporting keeps its projection's inbox inside the rebuildable schema `rp`.
        table = "rp.inbox" if service == "reporting" else "inbox"
        count = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE event_id = $1", event_id)
        assert count == 1
    finally:
        await conn.close()
