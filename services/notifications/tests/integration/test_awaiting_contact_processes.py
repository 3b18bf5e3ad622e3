"""The real service process with a backlog in both streams: loan events consumed before the
workers' registration events, a kill -9 in between, half the loan events delivered again.
Every message reaches the fake gateway exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.loan import LoanApproved, LoanDisbursed
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import produce_raw
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import cipher, e164, random_phone

WORKERS = 20


def _at_once() -> int:
    """Sent at once per worker: registration_received, loan_approved and the first repayment
    reminder (first instalment due today); and disbursement_day (due today), whose notice goes
    at 08:00 in Vietnam, so before 08:00 it rightly waits for the morning."""
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    return 4 if now.time() >= dt.time(8, 0) else 3


pytestmark = pytest.mark.timeout(1200)
START_TIMEOUT = 180.0  # a busy machine: the start is waited for on readiness, not a guess
# How long the stored messages may take to settle: bounded, but generous on two busy cores,
# where a restarted consumer waits for the killed member to leave its group first.
SETTLE_SECONDS = 360.0


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def _loan_events(registration: uuid.UUID) -> list[Envelope]:
    loan, today = uuid.uuid4(), _today()
    approved = LoanApproved(
        loan_application_id=loan,
        amount_vnd=90_000_000,
        term_months=36,
        monthly_rate="0.0066",
        regime_code="ND338",
        disbursement_due_on=today,
    )
    disbursed = LoanDisbursed(
        loan_application_id=loan,
        amount_vnd=90_000_000,
        disbursed_on=today,
        installments=3,
        first_due_on=today,
    )
    return [_envelope(registration, e) for e in (approved, disbursed)]


def _submitted(ns: Namespace, registration: uuid.UUID, phone: str) -> Envelope:
    event = RegistrationSubmitted(
        commune_code="29800",
        province_code="86",
        gender="female",
        birth_year=2000,
        submitted_on=_today(),
        phone_ciphertext=cipher(ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
        sms_consent=True,
    )
    return _envelope(registration, event)


def _envelope(registration: uuid.UUID, event: EventPayload) -> Envelope:
    return new_envelope(event, registration_id=registration, producer="test")


async def _produce(ns: Namespace, stream: Stream, envelopes: list[Envelope]) -> None:
    records = [(e.partition_key, e.to_bytes()) for e in envelopes]
    await produce_raw(ns.infra.kafka_bootstrap, ns.topics.of(stream), records)


async def _count(dsn: str, status: tuple[str, ...]) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        n = await conn.fetchval(
            "SELECT count(*) FROM sms_message WHERE status = ANY($1::text[])", list(status)
        )
    finally:
        await conn.close()
    return int(n)


async def _until(check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.5)
    raise AssertionError("not settled in time")


async def test_loan_events_consumed_before_the_registrations_still_send_every_sms_once(
    namespace: Namespace, gateway: str
) -> None:
    at_once = _at_once()  # asked when the test runs: a long run may cross 08:00 in Vietnam
    workers = {uuid.uuid4(): random_phone() for _ in range(WORKERS)}
    loans = [e for registration in workers for e in _loan_events(registration)]
    await _produce(namespace, Stream.LOAN, loans)
    dsn = namespace.dsn("notifications")
    env = namespace.env("notifications", XKLD_SMS_BASE_URL=gateway)
    service = ServiceProcess("xkld_notifications", env)
    await service.start(timeout=START_TIMEOUT)
    try:
        # Every loan message is stored, waiting: the loan stream went first.
        waiting = 3 * WORKERS  # loan_approved, disbursement_day, repayment_due#1
        await _until(lambda: _awaiting_at_least(dsn, waiting), SETTLE_SECONDS)
        await service.kill()
        registrations = [_submitted(namespace, r, p) for r, p in workers.items()]
        await _produce(namespace, Stream.REGISTRATION, registrations)
        await _produce(namespace, Stream.LOAN, loans[: len(loans) // 2])  # redelivered
        await service.start(timeout=START_TIMEOUT)
        await _until(lambda: _sent_at_least(dsn, at_once * WORKERS), SETTLE_SECONDS)
        await asyncio.sleep(1.0)  # time for a late duplicate to show up, if there were one
    finally:
        await service.terminate()
    assert await _count(dsn, ("awaiting_contact", "suppressed")) == 0
    for phone in workers.values():
        received = await gateway_messages(gateway, phone)
        assert len(received) == at_once, received


async def _awaiting_at_least(dsn: str, n: int) -> bool:
    return await _count(dsn, ("awaiting_contact",)) >= n


async def _sent_at_least(dsn: str, n: int) -> bool:
    return await _count(dsn, ("sent", "delivered")) >= n
