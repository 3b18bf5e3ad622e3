"""A trainee texts back their answer to the follow-up about work. The reply is recorded and
TraineeWorkReported goes into the outbox in the same transaction, once per inbound message.
Neither the phone nor the text is kept or logged."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import asyncpg
from xkld_shared.clock import VIETNAM
from xkld_shared.contracts.training import EmploymentOutcome
from xkld_shared.db.pool import Conn

from xkld_notifications.application.events import NotificationEvents
from xkld_notifications.application.notifier import Clock
from xkld_notifications.application.ports import PhoneIndex
from xkld_notifications.application.reply_ports import WorkReply, WorkReplyStore
from xkld_notifications.domain.sms_text import unaccent
from xkld_notifications.domain.work_reply import parse_work_reply

log = logging.getLogger(__name__)
# Fixed: the same inbound message must map to the same reply on every replica.
_REPLY_NAMESPACE = uuid.UUID("2c6f3a0b-7d14-4e0a-9b1f-19a5e0c7d119")


def reply_id(provider_message_id: str | None, phone_index: bytes, text: str, day: str) -> uuid.UUID:
    """The provider's id of the inbound message when it sends one. Without it, the same text
    from the same phone on the same local day is taken as the same message (a redelivered
    callback), which at worst merges a trainee's identical answers of one day."""
    if provider_message_id:
        return uuid.uuid5(_REPLY_NAMESPACE, f"id:{provider_message_id}")
    words = " ".join(unaccent(text).upper().split())
    return uuid.uuid5(_REPLY_NAMESPACE, f"{phone_index.hex()}:{day}:{words}")


class TraineeReplies:
    def __init__(
        self,
        pool: asyncpg.Pool,
        replies: WorkReplyStore,
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
    ) -> str:
        """`recorded`, `not_understood`, `duplicate`, or `no_follow_up` (the number was not
        asked about work: the text is not kept)."""
        now = self._clock()
        index = self._index.of(phone_e164)
        day = now.astimezone(VIETNAM).date()
        rid = reply_id(provider_message_id, index, text, day.isoformat())
        async with self._pool.acquire() as conn, conn.transaction():
            asked = await self._store.answered_follow_up(conn, index)
            if asked is None:
                return "no_follow_up"
            outcome = parse_work_reply(text)
            reply = _reply(asked, rid, outcome, now)
            if not await self._record(conn, reply, outcome, day):
                return "duplicate"
        return _logged(reply)

    async def _record(
        self, conn: Conn, reply: WorkReply, outcome: EmploymentOutcome | None, day: dt.date
    ) -> bool:
        """False for a reply already recorded; an understood one is reported once."""
        if not await self._store.add_reply(conn, reply):
            return False
        if outcome is not None:
            await self._events.work_reported(
                conn, reply.trainee_id, reply.course_id, outcome, day, cause=reply.id
            )
        return True


def _reply(
    asked: asyncpg.Record, rid: uuid.UUID, outcome: EmploymentOutcome | None, now: dt.datetime
) -> WorkReply:
    return WorkReply(
        id=rid,
        trainee_id=asked["registration_id"],
        course_id=asked["course_id"],
        follow_up_id=asked["id"],
        outcome=outcome,
        received_at=now,
        commune_code=asked["commune_code"],
        province_code=asked["province_code"],
    )


def _logged(reply: WorkReply) -> str:
    status = "recorded" if reply.outcome else "not_understood"
    log.info("trainee work reply %s", status, extra={"trainee_id": str(reply.trainee_id)})
    return status
