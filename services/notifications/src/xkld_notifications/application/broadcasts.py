"""Campaign broadcasts: queue each recipient once (in the consumer's transaction, after the
inbox claim), and move a recipient through the channel state machine, publishing
BroadcastRecipientSettled in the same transaction as the change it reports."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from xkld_shared.clock import utc_now
from xkld_shared.contracts.envelope import Envelope, EventPayload, new_envelope
from xkld_shared.contracts.notification import BroadcastRecipientSettled
from xkld_shared.contracts.outreach import CampaignBroadcastRequested
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_notifications.application.broadcast_ports import (
    BroadcastStore,
    Change,
    NewBroadcastMessage,
)
from xkld_notifications.application.ports import PhoneIndex, PhoneOpener
from xkld_notifications.domain.broadcast import (
    FINAL,
    Happened,
    Recipient,
    Settle,
    State,
    Step,
    initial,
    step,
)
from xkld_notifications.domain.sms_text import encoding_of, segment_count, unaccent

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
PRODUCER = "notifications"
# Message ids of broadcasts: stable per (broadcast, recipient), whichever replica makes them.
_NAMESPACE = uuid.UUID("4f0c6f0e-6a43-4a83-9b3e-2f1f3b7d0b16")


def message_id_of(broadcast_id: uuid.UUID, recipient_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{broadcast_id}:{recipient_id}")


@dataclass(frozen=True)
class ChannelCosts:
    """Integer VND: an SMS is billed per part, a ZNS message per message."""

    sms_per_segment_vnd: int = 750
    zalo_per_message_vnd: int = 300


@dataclass(frozen=True)
class Evidence:
    """What the provider said with the event, kept on the row."""

    provider_id: str | None = None
    next_attempt_at: dt.datetime | None = None


class BroadcastFlow:
    def __init__(
        self,
        topic: str,
        broadcasts: BroadcastStore,
        phones: PhoneOpener,
        index: PhoneIndex,
        costs: ChannelCosts,
        send_day_starts: dt.time,
        zone: str = "Asia/Ho_Chi_Minh",
        clock: Clock = utc_now,
    ) -> None:
        self._topic = topic
        self._db = broadcasts
        self._phones = phones
        self._index = index
        self._costs = costs
        self._day_starts = send_day_starts
        self._tz = ZoneInfo(zone)
        self.clock = clock

    async def on_requested(self, conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        assert isinstance(event, CampaignBroadcastRequested)
        now = self.clock()
        message = self._new_message(envelope, event, now)
        if await self._db.add(conn, message, now):
            await self._db.wake_dispatcher(conn)

    def _new_message(
        self, envelope: Envelope, event: CampaignBroadcastRequested, now: dt.datetime
    ) -> NewBroadcastMessage:
        phone = self._phones.open(event.phone_ciphertext)
        text = unaccent(event.sms_text)
        return NewBroadcastMessage(
            id=message_id_of(event.broadcast_id, event.recipient_id),
            event_id=envelope.event_id,
            campaign_id=event.campaign_id,
            broadcast_id=event.broadcast_id,
            recipient_id=event.recipient_id,
            commune_code=event.commune_code,
            province_code=event.province_code,
            phone_ciphertext=event.phone_ciphertext,
            phone_index=self._index.of(phone),
            route=event.route,
            sms_text=text,
            encoding=encoding_of(text).value,
            segments=segment_count(text),
            zalo_template_id=event.zalo_template_id,
            zalo_params=dict(event.zalo_params),
            state=initial(event.route, event.zalo_template_id is not None).value,
            not_before=max(now, self._morning_of(event.send_from)),
        )

    def _morning_of(self, send_from: dt.date) -> dt.datetime:
        # `send_from` is a local day: not before that morning.
        return dt.datetime.combine(send_from, self._day_starts, tzinfo=self._tz)

    async def apply(
        self, conn: Conn, message_id: uuid.UUID, happened: Happened, ev: Evidence
    ) -> bool:
        """One event about one recipient, in the caller's transaction; False if it changed
        nothing. The provider's id and cost are kept even then (it did charge us)."""
        row = await self._db.lock(conn, message_id)
        if row is None:
            return False
        now = self.clock()
        current = _recipient_of(row)
        nxt = step(current, happened)
        change = self._change(row, current, nxt, happened, ev, now)
        await self._db.save(conn, message_id, change, now)
        if nxt is None or nxt.settle is None:
            return nxt is not None
        await self._settled(conn, row, nxt.settle, nxt.fell_back, _total_cost(change, row), now)
        return True

    def _change(
        self,
        row: asyncpg.Record,
        current: Recipient,
        nxt: Step | None,
        happened: Happened,
        ev: Evidence,
        now: dt.datetime,
    ) -> Change:
        return Change(
            state=(nxt.state if nxt else current.state).value,
            fell_back=nxt.fell_back if nxt else current.fell_back,
            reason=nxt.reason if nxt else current.reason,
            channel=nxt.settle.channel if nxt and nxt.settle else None,
            next_attempt_at=self._next_attempt(nxt.state if nxt else None, ev, now),
            new_phase=bool(nxt and not current.fell_back and nxt.fell_back),
            late_zalo=bool(nxt and nxt.late_zalo),
            final=bool(nxt and nxt.state in FINAL),
            **self._charges(row, happened, ev),
        )

    def _next_attempt(
        self, state: State | None, ev: Evidence, now: dt.datetime
    ) -> dt.datetime | None:
        if state is State.PENDING_SMS and ev.next_attempt_at is None:
            return now  # fell back: the SMS goes at once (within the usual rules)
        return ev.next_attempt_at

    def _charges(self, row: Any, happened: Happened, ev: Evidence) -> dict[str, Any]:
        if happened in (Happened.ZALO_ACCEPTED, Happened.ZALO_DELIVERED):
            return {
                "zalo_msg_id": ev.provider_id,
                "zalo_cost_vnd": self._costs.zalo_per_message_vnd,
            }
        if happened in (Happened.SMS_ACCEPTED, Happened.SMS_DELIVERED, Happened.SMS_FAILED):
            cost = self._costs.sms_per_segment_vnd * max(1, int(row["segments"]))
            return {"sms_provider_id": ev.provider_id, "sms_cost_vnd": cost}
        return {}

    async def _settled(
        self, conn: Conn, row: Any, s: Settle, fell_back: bool, cost: int, now: dt.datetime
    ) -> None:
        payload = _settled_payload(row, s, fell_back, cost, now)
        # Keyed by the campaign: outreach reads a campaign's recipients in order.
        envelope = new_envelope(
            payload,
            registration_id=row["campaign_id"],
            producer=PRODUCER,
            causation_id=row["event_id"],
        )
        await add_to_outbox(conn, self._topic, [envelope])

    async def report(
        self, pool: asyncpg.Pool, message_id: uuid.UUID, happened: Happened, provider_id: str
    ) -> bool | None:
        """A provider's delivery callback; None when the id is not a broadcast's."""
        async with pool.acquire() as conn:
            # Most reports are about other SMS: one read answers them, without the round trips
            # of a transaction. A broadcast message row is never deleted, and `apply` locks it.
            if not await self._db.exists(conn, message_id):
                return None
            async with conn.transaction():
                return await self.apply(conn, message_id, happened, Evidence(provider_id))

    async def stop_keyword(self, pool: asyncpg.Pool, phone_e164: str) -> None:
        """Remembered per phone: a campaign reaches people who are no contact here."""
        async with pool.acquire() as conn, conn.transaction():
            await self._db.opt_out_phone(conn, self._index.of(phone_e164), self.clock())


def _recipient_of(row: asyncpg.Record) -> Recipient:
    return Recipient(State(row["state"]), row["fell_back"], row["sms_attempts"] > 0, row["reason"])


def _total_cost(change: Change, row: asyncpg.Record) -> int:
    """What the recipient cost on both channels, this change's charges included."""
    cost: int = change.zalo_cost_vnd if change.zalo_cost_vnd is not None else row["zalo_cost_vnd"]
    cost += change.sms_cost_vnd if change.sms_cost_vnd is not None else row["sms_cost_vnd"]
    return cost


def _settled_payload(
    row: Any, s: Settle, fell_back: bool, cost: int, now: dt.datetime
) -> BroadcastRecipientSettled:
    return BroadcastRecipientSettled(
        campaign_id=row["campaign_id"],
        broadcast_id=row["broadcast_id"],
        recipient_id=row["recipient_id"],
        outcome=s.outcome,
        channel=s.channel,
        fell_back=fell_back and s.channel == "sms",
        reason=s.reason,
        cost_vnd=cost,
        settled_at=now,
    )
