"""Exactly one SMS per (event, template), with the real service processes: two replicas
consuming from Kafka, every event published twice, one replica killed and restarted, and a
provider that answers 5xx to 30% of sends. Their logs never show a phone or a credential."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.journey import RegistrationFoundEligible
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import produce_raw
from xkld_shared.testing.processes import ServiceProcess, free_port
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import cipher, e164, faults, random_phone

# Two replicas, a crash and restarts: on a busy machine the default 180 s cut it short.
pytestmark = pytest.mark.timeout(900)

WORKERS = 15
SECRETS = ("test-api-key", "test-secret-key", "test-callback-token")


def _replica(ns: Namespace, gateway: str) -> ServiceProcess:
    port = free_port()
    env = ns.env(
        "notifications",
        XKLD_SMS_BASE_URL=gateway,
        XKLD_SMS_CALLBACK_URL=f"http://127.0.0.1:{port}/sms/delivery-reports",
        XKLD_SMS_MAX_ATTEMPTS="15",  # 0.3^15: a message never runs out of retries by chance
        XKLD_SMS_RETRY_BASE_SECONDS="0.05",
        XKLD_SMS_RETRY_CAP_SECONDS="0.5",
        XKLD_SMS_BREAKER_COOLDOWN_SECONDS="0.5",
        XKLD_LOG_LEVEL="DEBUG",
    )
    return ServiceProcess("xkld_notifications", env, port=port)


def _events(ns: Namespace, phone: str) -> list[Envelope]:
    registration = uuid.uuid4()
    submitted = RegistrationSubmitted(
        commune_code="29800",
        province_code="86",
        gender="male",
        birth_year=1999,
        submitted_on=dt.date(2026, 11, 26),
        phone_ciphertext=cipher(ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
        sms_consent=True,
    )
    eligible = RegistrationFoundEligible(assessed_on=dt.date(2026, 11, 27))
    return [
        new_envelope(event, registration_id=registration, producer="test")
        for event in (submitted, eligible)
    ]


async def _publish(ns: Namespace, envelopes: list[Envelope]) -> None:
    topic = ns.topics.of(Stream.REGISTRATION)
    records = [(e.partition_key, e.to_bytes()) for e in envelopes]
    await produce_raw(ns.infra.kafka_bootstrap, topic, records)


async def _settled(dsn: str, expected: int) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        done = await conn.fetchval(
            "SELECT count(*) FROM sms_message WHERE status IN ('sent', 'delivered')"
        )
    finally:
        await conn.close()
    return int(done) == expected


async def _until(check: object, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.3)
    raise AssertionError("not settled in time")


@pytest.mark.cost(120)
async def test_two_replicas_a_crash_and_redelivery_still_send_each_sms_once(
    namespace: Namespace, gateway: str
) -> None:
    phones = [random_phone() for _ in range(WORKERS)]
    per_worker = [_events(namespace, phone) for phone in phones]
    first, second = _replica(namespace, gateway), _replica(namespace, gateway)
    await faults(gateway, error_rate=0.3, fail_status=503, latency_ms=5, seed=7)
    await first.start()
    await second.start()
    try:
        everything = [e for events in per_worker for e in events]
        await _publish(namespace, everything)
        await _publish(namespace, everything[: len(everything) // 2])  # redelivered
        await asyncio.sleep(1.0)
        await first.kill()  # mid-flight: leases and uncommitted offsets are left behind
        await _publish(namespace, everything[len(everything) // 2 :])  # redelivered
        await first.start()
        await _until(lambda: _settled(namespace.dsn("notifications"), 2 * WORKERS), 60)
        async with local_client() as client:
            opted = await client.post(
                f"{second.url}/sms/inbound",
                params={"token": "test-callback-token"},
                json={"Phone": phones[0], "Content": "TU CHOI"},
            )
        assert opted.json() == {"opted_out": 1}
        await asyncio.sleep(1.0)  # time for a late duplicate to show up, if there were one
        counts = [len(await gateway_messages(gateway, phone)) for phone in phones]
        assert counts == [2] * WORKERS
    finally:
        await first.terminate()
        await second.terminate()
    logs = first.logs() + second.logs()
    for phone in phones:
        for form in (phone, e164(phone), e164(phone)[1:], phone[1:]):
            assert form not in logs, "a phone number reached a log line"
    for secret in SECRETS:
        assert secret not in logs, "a credential reached a log line"
    # The callbacks were logged (access log, with the token blanked out): the check above saw
    # the lines where a token would have been.
    assert "/sms/delivery-reports?token=" in logs
    assert "redacted" in logs
