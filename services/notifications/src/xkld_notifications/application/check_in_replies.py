"""A worker abroad texts back an answer to the check-in SMS. A reply that can be read is
recorded and WorkerCheckInReported goes into the outbox in the same transaction, once per
inbound message; one that cannot be read lands in the officers' inbox to be handled. Neither
the phone nor the text is logged, and the phone is not kept."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.clock import VIETNAM
from xkld_shared.db.pool import Conn
from xkld_shared.errors import NotFound
from xkld_shared.identity.principal import Principal

from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Clock
from xkld_notifications.application.ports import PhoneIndex
from xkld_notifications.application.reply_ports import CheckInReply, CheckInReplyStore
from xkld_notifications.application.trainee_replies import reply_id
from xkld_notifications.domain.check_in_reply import parse_check_in_reply

log = logging.getLogger(__name__)


class ReplyNotFound(NotFound):
    code = "check_in_reply_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy tin nhắn trả lời cần xử lý", "No such reply waiting to be handled"
        )


@dataclass(frozen=True)
class Handled:
    reply_id: uuid.UUID
    handled_by: str
    changed: bool


class CheckInReplies:
    def __init__(
        self,
        pool: asyncpg.Pool,
        replies: CheckInReplyStore,
        events: NotificationEvents,
        phone_index: PhoneIndex,
        clock: Clock,
    ) -> None:
        self._pool = pool
        self._store = replies
        self._events = events
        self._index = phone_index
        self._clock = clock

    async def receive(
        self, phone_e164: str, text: str, provider_message_id: str | None = None
    ) -> str | None:
        """`recorded`, `unreadable` (in the inbox), `duplicate`, or None when the phone's
        latest question was not a check-in (the reply is someone else's to read)."""
        now = self._clock()
        index = self._index.of(phone_e164)
        day = now.astimezone(VIETNAM).date()
        rid = reply_id(provider_message_id, index, text, day.isoformat())
        async with self._pool.acquire() as conn, conn.transaction():
            asked = await self._store.answered_check_in(conn, index)
            if asked is None:
                return None
            reply = _reply(asked, rid, text, now)
            if not await self._record(conn, reply, day):
                return "duplicate"
        return _logged(reply)

    async def _record(self, conn: Conn, reply: CheckInReply, day: dt.date) -> bool:
        """False for a reply already recorded; a readable one is reported once."""
        if not await self._store.add_reply(conn, reply):
            return False
        if reply.employment_status is not None:
            await self._events.check_in_reported(
                conn, reply.registration_id, reply.id, reply.employment_status, day
            )
        return True

    async def mark_handled(
        self, rid: uuid.UUID, staff: Principal, note: str | None, context: ChangeContext
    ) -> Handled:
        """Once: marking a handled reply again changes nothing and says who handled it."""
        async with self._pool.acquire() as conn, conn.transaction():
            row = await self._store.lock_unreadable(conn, rid)
            if row is None or not staff.covers_commune(row["commune_code"], row["province_code"]):
                raise ReplyNotFound  # outside the reader's area it does not exist
            if row["handled_at"] is not None:
                return Handled(rid, row["handled_by"], changed=False)
            await self._store.mark_handled(conn, rid, self._clock(), staff.username, note)
            await _audit_handled(conn, context, rid, note)
        return Handled(rid, staff.username, changed=True)


def _reply(asked: asyncpg.Record, rid: uuid.UUID, text: str, now: dt.datetime) -> CheckInReply:
    status = parse_check_in_reply(text)
    return CheckInReply(
        id=rid,
        registration_id=asked["registration_id"],
        asked_by=asked["id"],
        employment_status=status,
        unreadable_text=None if status else text.strip()[:1000],
        received_at=now,
        commune_code=asked["commune_code"],
        province_code=asked["province_code"],
    )


def _logged(reply: CheckInReply) -> str:
    outcome = "recorded" if reply.employment_status else "unreadable"
    log.info("check-in reply %s", outcome, extra={"registration_id": str(reply.registration_id)})
    return outcome


async def _audit_handled(
    conn: Conn, context: ChangeContext, rid: uuid.UUID, note: str | None
) -> None:
    await record_change(
        conn,
        context,
        action="sms_check_in_reply_handled",
        entity_type="sms_check_in_reply",
        entity_id=str(rid),
        before={"handled": False},
        after={"handled": True, "note": note},
    )
