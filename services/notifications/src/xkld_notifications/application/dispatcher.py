"""Sends queued messages: transient failures retry with backoff under the same request id,
permanent ones fail at once. Leases make it safe to run on several replicas."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

import asyncpg
from xkld_shared.db.wakeup import PgWakeup

from xkld_notifications.adapters import store
from xkld_notifications.application.ports import (
    Accepted,
    PermanentFailure,
    PhoneOpener,
    SmsProvider,
    TransientFailure,
)
from xkld_notifications.domain.outbound import retry_delay_seconds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchPolicy:
    batch_size: int = 50
    lease_seconds: int = 60
    max_attempts: int = 6
    retry_base_seconds: float = 2.0
    poll_seconds: float = 1.0


class SmsDispatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        provider: SmsProvider,
        phones: PhoneOpener,
        policy: DispatchPolicy,
        wakeup: PgWakeup,
    ) -> None:
        self._pool = pool
        self._provider = provider
        self._phones = phones
        self._policy = policy
        self._wakeup = wakeup

    async def dispatch_due(self) -> int:
        p = self._policy
        rows = await store.claim_due(self._pool, p.batch_size, p.lease_seconds)
        await asyncio.gather(*(self._send_one(row) for row in rows))
        return len(rows)

    async def _send_one(self, row: asyncpg.Record) -> None:
        message_id: uuid.UUID = row["id"]
        outcome = await self._provider.send(
            request_id=str(message_id),
            phone_e164=self._phones.open(row["phone_ciphertext"]),
            text=row["body"],
            unicode=row["encoding"] == "ucs2",
        )
        match outcome:
            case Accepted(provider_message_id=provider_id):
                await store.mark_sent(self._pool, message_id, provider_id)
            case TransientFailure(reason=reason) if row["attempts"] < self._policy.max_attempts:
                delay = retry_delay_seconds(row["attempts"], self._policy.retry_base_seconds)
                await store.schedule_retry(self._pool, message_id, delay, reason)
            case TransientFailure(reason=reason) | PermanentFailure(reason=reason):
                await store.mark_failed(self._pool, message_id, reason)
                log.warning("sms failed", extra={"message_id": str(message_id), "reason": reason})

    async def run(self, stop: asyncio.Event) -> None:
        await self._wakeup.start()
        try:
            while not stop.is_set():
                try:
                    sent = await self.dispatch_due()
                except (OSError, asyncpg.PostgresError):
                    log.warning("sms dispatch pass failed; retrying", exc_info=True)
                    sent = 0
                if sent < self._policy.batch_size:
                    await self._wakeup.wait(self._policy.poll_seconds)
        finally:
            await self._wakeup.close()
