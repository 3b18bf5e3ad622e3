"""Sends queued messages from the durable queue table.

Transient failures retry with jittered exponential backoff under the same request id, permanent
ones fail at once; leases make it safe to run on several replicas; a circuit breaker holds the
backlog while the provider keeps failing. Consent is checked again at send time (a worker may
have opted out since), and so are quiet hours and the daily limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from xkld_shared.clock import utc_now
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.tracing import context_of, tracer

from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Clock
from xkld_notifications.application.ports import (
    Accepted,
    PermanentFailure,
    PhoneOpener,
    SendOutcome,
    SmsProvider,
    TransientFailure,
    ZaloOutcome,
)
from xkld_notifications.application.storage_ports import SmsStores
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_notifications.domain.outbound import ContactState, retry_delay_seconds, suppression_reason
from xkld_notifications.domain.rules import QuietHours
from xkld_notifications.domain.timing import in_quiet_hours, local_day, next_morning, release_time

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchPolicy:
    batch_size: int = 50
    lease_seconds: int = 60
    max_attempts: int = 6
    retry_base_seconds: float = 2.0
    retry_cap_seconds: float = 600.0
    poll_seconds: float = 1.0
    daily_limit: int = 3  # per recipient per local day; urgent messages are exempt
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    # The provider's rate across replicas (shared with campaign broadcasts); None: unpaced.
    rate_per_second: int | None = None


def tell_breaker(breaker: CircuitBreaker, outcome: ZaloOutcome, now: dt.datetime) -> None:
    """A transient failure counts against the provider; any other answer, a refusal too,
    shows it is up, whatever it thought of the message."""
    if isinstance(outcome, TransientFailure):
        breaker.failed(now.timestamp())
    else:
        breaker.succeeded()


class SmsDispatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        stores: SmsStores,
        provider: SmsProvider,
        phones: PhoneOpener,
        policy: DispatchPolicy,
        wakeup: PgWakeup,
        events: NotificationEvents,
        *,
        breaker: CircuitBreaker | None = None,
        clock: Clock = utc_now,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._pool = pool
        self._stores = stores
        self._store = stores.messages
        self._provider = provider
        self.provider = provider  # campaign broadcasts send SMS through the same provider
        self._phones = phones
        self._policy = policy
        self._wakeup = wakeup
        self._events = events
        self.breaker = breaker or CircuitBreaker()
        self._clock = clock
        self._jitter = jitter
        self._tz = ZoneInfo(policy.quiet_hours.zone)

    async def dispatch_due(self) -> int:
        p = self._policy
        now = self._clock()
        await self.sweep_awaiting(now)
        allowed = self.breaker.allowance(now.timestamp(), p.batch_size)
        if allowed == 0:
            return 0
        rows = await self._store.claim_due(self._pool, allowed, p.lease_seconds, now)
        rows = await self._within_rate(rows, now)
        await asyncio.gather(*(self._handle(dict(row), now) for row in rows))
        return len(rows)

    async def _within_rate(
        self, rows: Sequence[asyncpg.Record], now: dt.datetime
    ) -> Sequence[asyncpg.Record]:
        """The rows the provider's rate allows now; the others go back to the queue."""
        rate = self._policy.rate_per_second
        granted = await self._stores.send_rate.take(self._pool, "sms", now, len(rows), rate)
        if granted < len(rows):
            await self._stores.send_rate.release_sms(self._pool, [r["id"] for r in rows[granted:]])
            rows = rows[:granted]
        return rows

    async def sweep_awaiting(self, now: dt.datetime) -> None:
        """Messages still waiting although their contact is known (or erased) now."""
        released = await self._sweep(now)
        if released:
            log.info("sms messages released after their contact", extra={"count": released})

    async def _sweep(self, now: dt.datetime) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            released, suppressed = await self._stores.awaiting.sweep_awaiting(conn)
            for row in suppressed:
                await self._events.suppressed(conn, dict(row), now, "erased")
        return released

    async def _handle(self, row: dict[str, Any], now: dt.datetime) -> None:
        # Each attempt is a span in the trace of the event that queued the message.
        with tracer.start_as_current_span(
            "sms dispatch",
            context=context_of(row.get("traceparent")),
            attributes={"xkld.sms.attempt": row["attempts"], "xkld.sms.template": row["template"]},
        ):
            await self._attempt(row, now)

    async def _attempt(self, row: dict[str, Any], now: dt.datetime) -> None:
        if await self._held_back(row, now):
            self.breaker.abandon_probe()
            return
        outcome = await self._provider.send(
            request_id=str(row["id"]),
            phone_e164=self._phones.open(row["phone_ciphertext"]),
            text=row["body"],
            unicode=row["encoding"] == "ucs2",
        )
        await self._record(row, outcome)

    async def _held_back(self, row: dict[str, Any], now: dt.datetime) -> bool:
        """True when the message is not sent this time: it waits for its contact again, is
        suppressed, or is deferred (each already written)."""
        message_id: uuid.UUID = row["id"]
        if row["phone_ciphertext"] is None and not row["erased"]:
            # Queued while the contact was known, gone since without an erasure: wait again.
            await self._store.await_contact(self._pool, message_id)
            return True
        if reason := suppression_reason(_contact_of(row)):
            await self._suppress(row, reason, now)
            return True
        return await self._deferred(row, now)

    async def _suppress(self, row: dict[str, Any], reason: str, now: dt.datetime) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if await self._store.suppress(conn, row["id"], reason) is not None:
                await self._events.suppressed(conn, row, now, reason)

    async def _deferred(self, row: dict[str, Any], now: dt.datetime) -> bool:
        """Quiet hours or the daily limit: the message waits, and waiting is not an attempt."""
        q = self._policy.quiet_hours
        if in_quiet_hours(now, q.start, q.end, self._tz):
            # A retry that drifted into the night waits for the morning too.
            at = release_time(now, q.start, q.end, self._tz)
            await self._store.defer(self._pool, row["id"], at, refund_attempt=True)
            return True
        if not row["urgent"] and not await self._within_daily_limit(row, now):
            at = next_morning(now, q.end, self._tz)
            await self._store.defer(self._pool, row["id"], at, refund_attempt=True)
            return True
        return False

    async def _within_daily_limit(self, row: dict[str, Any], now: dt.datetime) -> bool:
        day = local_day(now, self._tz)
        return await self._store.take_quota(
            self._pool, row["id"], row["registration_id"], day, self._policy.daily_limit
        )

    async def _record(self, row: dict[str, Any], outcome: SendOutcome) -> None:
        now = self._clock()
        tell_breaker(self.breaker, outcome, now)
        match outcome:
            case Accepted(provider_message_id=provider_id):
                await self._sent(row, provider_id, now)
            case TransientFailure(reason=reason) if row["attempts"] < self._policy.max_attempts:
                await self._retry(row, reason, now)
            case TransientFailure(reason=reason):
                await self._fail(row, reason, "retries_exhausted", now)
            case PermanentFailure(reason=reason):
                await self._fail(row, reason, "provider_refused", now)

    async def _sent(self, row: dict[str, Any], provider_id: str, now: dt.datetime) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if await self._store.mark_sent(conn, row["id"], provider_id, now) is not None:
                await self._events.sent(conn, row, now)

    async def _retry(self, row: dict[str, Any], reason: str, now: dt.datetime) -> None:
        p = self._policy
        delay = retry_delay_seconds(
            row["attempts"], p.retry_base_seconds, p.retry_cap_seconds, self._jitter()
        )
        at = now + dt.timedelta(seconds=delay)
        await self._store.schedule_retry(self._pool, row["id"], at, reason)

    async def _fail(self, row: dict[str, Any], reason: str, code: str, now: dt.datetime) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if await self._store.mark_failed(conn, row["id"], reason, now) is not None:
                await self._events.failed(conn, row, now, code)
        log.warning("sms failed", extra={"message_id": str(row["id"]), "reason": reason})

    async def run(self, stop: asyncio.Event) -> None:
        await self._wakeup.start()
        try:
            while not stop.is_set():
                if await self._one_pass() < self._policy.batch_size:
                    await self._wakeup.wait(self._policy.poll_seconds)
        finally:
            await self._wakeup.close()

    async def _one_pass(self) -> int:
        try:
            return await self.dispatch_due()
        except (OSError, asyncpg.PostgresError):
            log.warning("sms dispatch pass failed; retrying", exc_info=True)
            return 0


def _contact_of(row: dict[str, Any]) -> ContactState:
    return ContactState(
        bool(row["sms_consent"]), bool(row["opted_out"]), erased=bool(row["erased"])
    )
