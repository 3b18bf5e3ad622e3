"""The SMS dispatcher against the fake eSMS gateway (a real HTTP server) and its faults."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from pydantic import SecretStr
from xkld_notifications.adapters.esms import EsmsConfig, EsmsProvider
from xkld_notifications.adapters.phones import SealedPhoneOpener
from xkld_notifications.application.dispatcher import DispatchPolicy, SmsDispatcher
from xkld_notifications.application.on_registration import on_registration_submitted
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.crypto import FieldCipher, parse_keyring
from xkld_shared.db.pool import create_pool
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import gateway_messages


@pytest.fixture
async def gateway(sms_gateway: str) -> AsyncIterator[str]:
    async with httpx.AsyncClient() as client:
        await client.delete(f"{sms_gateway}/_admin/faults")
        yield sms_gateway
        await client.delete(f"{sms_gateway}/_admin/faults")


@pytest.fixture
async def pool(namespace: Namespace) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(namespace.dsn("notifications"), max_size=8)
    yield pool
    await pool.close()


def _cipher(ns: Namespace) -> FieldCipher:
    return FieldCipher(parse_keyring(ns.pii_keys), "k1")


async def _faults(gateway: str, **faults: object) -> None:
    async with httpx.AsyncClient() as client:
        (await client.put(f"{gateway}/_admin/faults", json=faults)).raise_for_status()


async def _queue(pool: asyncpg.Pool, ns: Namespace, phone: str) -> uuid.UUID:
    """What the consumer does for one RegistrationSubmitted; returns the registration id."""
    event = RegistrationSubmitted(
        commune_code="29800",
        gender="female",
        birth_year=2001,
        submitted_on=dt.date(2026, 11, 26),
        # Registration seals E.164, as it stores it.
        phone_ciphertext=_cipher(ns).encrypt("+84" + phone[1:], purpose=PHONE_PURPOSE),
        sms_consent=True,
    )
    envelope = new_envelope(event, registration_id=uuid.uuid4(), producer="test")
    async with pool.acquire() as conn, conn.transaction():
        await on_registration_submitted(conn, envelope, event)
    return envelope.registration_id


def _dispatcher(
    pool: asyncpg.Pool, ns: Namespace, gateway: str, client: httpx.AsyncClient, **overrides: object
) -> SmsDispatcher:
    config = EsmsConfig(
        base_url=gateway,
        api_key=SecretStr(str(overrides.pop("api_key", "test-api-key"))),
        secret_key=SecretStr("test-secret-key"),
        brandname="XKLD",
        timeout_seconds=float(overrides.pop("timeout", 2.0)),  # type: ignore[arg-type]
    )
    policy = DispatchPolicy(retry_base_seconds=0.0, **overrides)  # type: ignore[arg-type]
    return SmsDispatcher(
        pool,
        EsmsProvider(config, client),
        SealedPhoneOpener(_cipher(ns)),
        policy,
        PgWakeup(None, "x"),
    )


async def _message(pool: asyncpg.Pool, registration_id: uuid.UUID) -> asyncpg.Record:
    row = await pool.fetchrow(
        "SELECT status, attempts, last_error FROM sms_message WHERE registration_id = $1",
        registration_id,
    )
    assert row is not None
    return row


def _phone() -> str:
    return "091" + "".join(random.choices("0123456789", k=7))


async def _drain(dispatcher: SmsDispatcher, passes: int) -> None:
    for _ in range(passes):
        await dispatcher.dispatch_due()


async def test_transient_failures_are_retried_and_the_sms_is_sent_once(
    pool: asyncpg.Pool, namespace: Namespace, gateway: str
) -> None:
    phone = _phone()
    registration = await _queue(pool, namespace, phone)
    await _faults(gateway, fail_next=2, fail_status=503)
    async with httpx.AsyncClient() as client:
        await _drain(_dispatcher(pool, namespace, gateway, client), passes=4)
    row = await _message(pool, registration)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, "http 503")
    assert len(await gateway_messages(gateway, phone)) == 1


async def test_provider_that_sent_but_answered_503_does_not_send_twice(
    pool: asyncpg.Pool, namespace: Namespace, gateway: str
) -> None:
    phone = _phone()
    registration = await _queue(pool, namespace, phone)
    await _faults(gateway, fail_after_record_next=1)
    async with httpx.AsyncClient() as client:
        await _drain(_dispatcher(pool, namespace, gateway, client), passes=3)
    assert (await _message(pool, registration))["status"] == "sent"
    assert len(await gateway_messages(gateway, phone)) == 1, "the retry sent a second SMS"


async def test_a_timeout_is_retried_with_the_same_request_id(
    pool: asyncpg.Pool, namespace: Namespace, gateway: str
) -> None:
    phone = _phone()
    registration = await _queue(pool, namespace, phone)
    await _faults(gateway, timeout_next=1, hang_seconds=3)
    async with httpx.AsyncClient() as client:
        await _drain(_dispatcher(pool, namespace, gateway, client, timeout=0.5), passes=2)
    row = await _message(pool, registration)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert len(await gateway_messages(gateway, phone)) == 1


async def test_refused_credentials_fail_at_once_without_retrying(
    pool: asyncpg.Pool, namespace: Namespace, gateway: str
) -> None:
    phone = _phone()
    registration = await _queue(pool, namespace, phone)
    async with httpx.AsyncClient() as client:
        await _drain(_dispatcher(pool, namespace, gateway, client, api_key="wrong"), passes=3)
    row = await _message(pool, registration)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "101" in row["last_error"]
    assert await gateway_messages(gateway, phone) == []


async def test_gives_up_after_the_maximum_attempts(
    pool: asyncpg.Pool, namespace: Namespace, gateway: str
) -> None:
    registration = await _queue(pool, namespace, _phone())
    await _faults(gateway, fail_next=10, fail_status=500)
    async with httpx.AsyncClient() as client:
        await _drain(_dispatcher(pool, namespace, gateway, client, max_attempts=3), passes=5)
    row = await _message(pool, registration)
    assert (row["status"], row["attempts"]) == ("failed", 3)


async def test_two_dispatchers_send_each_message_exactly_once(
    pool: asyncpg.Pool, namespace: Namespace, gateway: str
) -> None:
    phones = [_phone() for _ in range(30)]
    for phone in phones:
        await _queue(pool, namespace, phone)
    await _faults(gateway, latency_ms=20)
    async with httpx.AsyncClient() as client:
        dispatchers = [
            _dispatcher(pool, namespace, gateway, client, batch_size=5) for _ in range(2)
        ]
        for _ in range(8):
            await asyncio.gather(*(d.dispatch_due() for d in dispatchers))
    counts = [len(await gateway_messages(gateway, phone)) for phone in phones]
    assert counts == [1] * len(phones)
    assert await pool.fetchval("SELECT count(*) FROM sms_message WHERE status = 'sent'") == 30
