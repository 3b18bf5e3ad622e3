"""Sends campaign broadcasts from `broadcast_message`, with the rules of every other SMS:
opt-out checked just before the send, quiet hours, the recipient's daily limit, the
provider's rate across replicas, a circuit breaker per channel, retries under the same
idempotency key (the message id). Campaign messages are never urgent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from xkld_shared.clock import utc_now
from xkld_shared.db.wakeup import PgWakeup

from xkld_notifications.application.broadcast_ports import BroadcastStore
from xkld_notifications.application.broadcasts import BroadcastFlow, Evidence
from xkld_notifications.application.dispatcher import DispatchPolicy, tell_breaker
from xkld_notifications.application.ports import (
    Accepted,
    NoZaloAccount,
    PermanentFailure,
    PhoneOpener,
    SmsProvider,
    TransientFailure,
    ZaloOutcome,
    ZaloProvider,
)
from xkld_notifications.application.storage_ports import SendRate
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_notifications.domain.broadcast import Happened, State
from xkld_notifications.domain.outbound import retry_delay_seconds
from xkld_notifications.domain.timing import in_quiet_hours, local_day, next_morning, release_time

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class BroadcastPolicy:
    dispatch: DispatchPolicy
    sms_rate_per_second: int | None = None
    zalo_rate_per_second: int | None = None
    # No Zalo delivery callback within this time: the SMS goes instead.
    zalo_callback_timeout_seconds: float = 600.0


@dataclass
class Channels:
    sms: SmsProvider
    zalo: ZaloProvider
    sms_breaker: CircuitBreaker
    zalo_breaker: CircuitBreaker


class BroadcastDispatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        broadcasts: BroadcastStore,
        send_rate: SendRate,
        channels: Channels,
        phones: PhoneOpener,
        flow: BroadcastFlow,
        policy: BroadcastPolicy,
        wakeup: PgWakeup,
        *,
        clock: Clock = utc_now,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._pool = pool
        self._db = broadcasts
        self._send_rate = send_rate
        self._ch = channels
        self._phones = phones
        self._flow = flow
        self._policy = policy
        self._wakeup = wakeup
        self._clock = clock
        self._jitter = jitter
        self._tz = ZoneInfo(policy.dispatch.quiet_hours.zone)
        self.rate_limited = False
        # Sends still running from earlier passes (the worker does not wait for a pass's
        # sends before the next second's slots); at most a batch in all.
        self._in_flight: set[asyncio.Task[None]] = set()

    async def dispatch_due(self, *, wait: bool = True) -> int:
        """One pass over both channels; the number of sends started. `wait`: return once they
        are done (tests); the worker does not, so a slow pass does not waste the next second."""
        now = self._clock()
        await self._expire_zalo(now)
        self.rate_limited = False
        started = await self._pass("zalo", State.PENDING_ZALO, now)
        started += await self._pass("sms", State.PENDING_SMS, now)
        if wait:
            await self.drain()
        return started

    async def drain(self) -> None:
        while self._in_flight:
            await asyncio.gather(*self._in_flight)

    async def _expire_zalo(self, now: dt.datetime) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            for message_id in await self._db.expired_zalo(
                conn, now, self._policy.dispatch.batch_size
            ):
                await self._flow.apply(conn, message_id, Happened.ZALO_DEADLINE, Evidence())

    async def _pass(self, channel: str, state: State, now: dt.datetime) -> int:
        breaker = self._breaker(channel)
        room = await self._room(channel, now)
        allowed = breaker.allowance(now.timestamp(), room) if room else 0
        lease = self._policy.dispatch.lease_seconds
        rows = await self._db.claim(self._pool, state.value, allowed, lease, now)
        for r in rows:
            self._start(dict(r), channel, now)
        return len(rows)

    async def _room(self, channel: str, now: dt.datetime) -> int:
        """Free send slots: what the batch has left, within the second's rate."""
        room = max(0, self._policy.dispatch.batch_size - len(self._in_flight))
        rate = self._rate(channel)
        if rate is not None and room:
            room = min(room, await self._send_rate.remaining(self._pool, channel, now, rate))
            self.rate_limited = self.rate_limited or room == 0
        return room

    def _start(self, row: dict[str, Any], channel: str, now: dt.datetime) -> None:
        task = asyncio.create_task(self._handle(row, channel, now))
        self._in_flight.add(task)
        task.add_done_callback(self._done)

    def _breaker(self, channel: str) -> CircuitBreaker:
        return self._ch.zalo_breaker if channel == "zalo" else self._ch.sms_breaker

    def _rate(self, channel: str) -> int | None:
        p = self._policy
        return p.zalo_rate_per_second if channel == "zalo" else p.sms_rate_per_second

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # The row's lease runs out and another pass retries it with the same key.
            log.warning("broadcast send failed; the lease will retry it", exc_info=error)

    async def _handle(self, row: dict[str, Any], channel: str, now: dt.datetime) -> None:
        breaker = self._breaker(channel)
        if await self._held_back(row, now) or not await self._slot(row, channel):
            breaker.abandon_probe()
            return
        await self._record(row, channel, await self._send(row, channel), breaker)

    async def _send(self, row: dict[str, Any], channel: str) -> ZaloOutcome:
        phone = self._phones.open(row["phone_ciphertext"])
        if channel == "zalo":
            return await self._send_zalo(row, phone)
        return await self._send_sms(row, phone)

    async def _send_zalo(self, row: dict[str, Any], phone: str) -> ZaloOutcome:
        params = row["zalo_params"]
        return await self._ch.zalo.send(
            tracking_id=str(row["id"]),
            phone_e164=phone,
            template_id=row["zalo_template_id"],
            params=json.loads(params) if isinstance(params, str) else dict(params),
        )

    async def _send_sms(self, row: dict[str, Any], phone: str) -> ZaloOutcome:
        return await self._ch.sms.send(
            request_id=str(row["id"]),
            phone_e164=phone,
            text=row["sms_text"],
            unicode=row["encoding"] == "ucs2",
        )

    async def _slot(self, row: dict[str, Any], channel: str) -> bool:
        """A slot of the provider's rate in this very second; without one the row goes back
        to the queue (not an attempt) and the worker waits for the next second."""
        rate = self._rate(channel)
        if rate is None or await self._send_rate.take_one(self._pool, channel, self._clock(), rate):
            return True
        self.rate_limited = True
        await self._db.release(self._pool, [row["id"]])
        return False

    async def _held_back(self, row: dict[str, Any], now: dt.datetime) -> bool:
        """Night (deferred), opted out (suppressed) or a full day (deferred): no send now.
        The opt-out and the day's count share one transaction: one round trip per message."""
        q = self._policy.dispatch.quiet_hours
        if in_quiet_hours(now, q.start, q.end, self._tz):
            await self._db.defer(self._pool, row["id"], release_time(now, q.start, q.end, self._tz))
            return True
        return await self._opted_out_or_day_full(row, now)

    async def _opted_out_or_day_full(self, row: dict[str, Any], now: dt.datetime) -> bool:
        message_id: uuid.UUID = row["id"]
        day, limit = local_day(now, self._tz), self._policy.dispatch.daily_limit
        async with self._pool.acquire() as conn, conn.transaction():
            if await self._db.is_opted_out(conn, row["phone_index"]):
                await self._flow.apply(conn, message_id, Happened.OPTED_OUT, Evidence())
                return True
            within = await self._db.take_quota(conn, message_id, row["recipient_id"], day, limit)
        if not within:
            morning = next_morning(now, self._policy.dispatch.quiet_hours.end, self._tz)
            await self._db.defer(self._pool, message_id, morning)
            return True
        return False

    async def _record(
        self, row: dict[str, Any], channel: str, outcome: ZaloOutcome, breaker: CircuitBreaker
    ) -> None:
        now = self._clock()
        zalo = channel == "zalo"
        tell_breaker(breaker, outcome, now)
        match outcome:
            case Accepted(provider_message_id=provider_id):
                await self._accepted(row, zalo, provider_id, now)
            case NoZaloAccount():
                await self._apply(row["id"], Happened.ZALO_NO_ACCOUNT, Evidence())
            case TransientFailure(reason=reason) if (
                row["attempts"] < self._policy.dispatch.max_attempts
            ):
                await self._retry(row, reason, now)
            case TransientFailure() | PermanentFailure():
                await self._refused(row, zalo)

    async def _accepted(
        self, row: dict[str, Any], zalo: bool, provider_id: str, now: dt.datetime
    ) -> None:
        wait = dt.timedelta(seconds=self._policy.zalo_callback_timeout_seconds)
        ev = Evidence(provider_id, now + wait if zalo else None)
        happened = Happened.ZALO_ACCEPTED if zalo else Happened.SMS_ACCEPTED
        await self._apply(row["id"], happened, ev)

    async def _retry(self, row: dict[str, Any], reason: str, now: dt.datetime) -> None:
        d = self._policy.dispatch
        delay = retry_delay_seconds(
            row["attempts"], d.retry_base_seconds, d.retry_cap_seconds, self._jitter()
        )
        await self._db.schedule_retry(
            self._pool, row["id"], now + dt.timedelta(seconds=delay), reason
        )

    async def _refused(self, row: dict[str, Any], zalo: bool) -> None:
        happened = Happened.ZALO_REFUSED if zalo else Happened.SMS_REFUSED
        await self._apply(row["id"], happened, Evidence())

    async def _apply(self, message_id: uuid.UUID, happened: Happened, ev: Evidence) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await self._flow.apply(conn, message_id, happened, ev)
            if happened in (Happened.ZALO_NO_ACCOUNT, Happened.ZALO_REFUSED):
                await self._db.wake_dispatcher(conn)

    async def run(self, stop: asyncio.Event) -> None:
        await self._wakeup.start()
        try:
            while not stop.is_set():
                await self._pause(await self._one_pass())
        finally:
            # A clean stop lets the sends under way finish and record what the provider said.
            await asyncio.gather(*self._in_flight, return_exceptions=True)
            await self._wakeup.close()

    async def _one_pass(self) -> int:
        try:
            return await self.dispatch_due(wait=False)
        except (OSError, asyncpg.PostgresError):
            log.warning("broadcast dispatch pass failed; retrying", exc_info=True)
            return 0

    async def _pause(self, sent: int) -> None:
        batch = self._policy.dispatch.batch_size
        if len(self._in_flight) >= batch:
            # Every slot is busy: the next pass can start as soon as one send is done.
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
        elif self.rate_limited:
            # The second's slots are gone: come back when the next one opens.
            now = self._clock()
            await asyncio.sleep(max(0.0, (self._send_rate.next_window(now) - now).total_seconds()))
        elif sent < batch:
            await self._wakeup.wait(self._policy.dispatch.poll_seconds)
