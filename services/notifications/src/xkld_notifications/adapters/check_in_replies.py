"""Workers' replies to the check-in SMS: which check-in a phone answers, the reply itself, and
the officers' inbox of replies that could not be read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.application.reply_ports import CheckInReply

CHECK_IN = "check_in_reminder"
# The questions a reply may answer; the latest one sent to the phone is the one answered.
_ASKING = ("check_in_reminder", "trainee_work_followup")


_ANSWERED_CHECK_IN = """SELECT m.id, m.template, m.registration_id, c.commune_code, c.province_code
           FROM contact c JOIN sms_message m ON m.registration_id = c.registration_id
           WHERE c.phone_index = $1 AND m.template = ANY($2::text[])
             AND m.status IN ('sent', 'delivered')
           ORDER BY m.sent_at DESC NULLS LAST, m.id LIMIT 1"""


async def answered_check_in(conn: Conn, phone_index: bytes) -> asyncpg.Record | None:
    """The check-in SMS a reply from this phone answers: the latest question sent to it, when
    that question was a check-in (a trainee's follow-up about work is answered elsewhere)."""
    row: asyncpg.Record | None = await conn.fetchrow(_ANSWERED_CHECK_IN, phone_index, list(_ASKING))
    return row if row is not None and row["template"] == CHECK_IN else None


_ADD_REPLY = """INSERT INTO check_in_reply (id, registration_id, asked_by, employment_status,
               unreadable_text, received_at, commune_code, province_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO NOTHING RETURNING true"""


async def add_reply(conn: Conn, reply: CheckInReply) -> bool:
    """False when this inbound message was recorded already."""
    inserted = await conn.fetchval(
        _ADD_REPLY,
        reply.id,
        reply.registration_id,
        reply.asked_by,
        reply.employment_status,
        reply.unreadable_text,
        reply.received_at,
        reply.commune_code,
        reply.province_code,
    )
    return inserted is True


_IN_SCOPE = "(commune_code = ANY($1::text[]) OR ($2::text IS NOT NULL AND province_code = $2))"


_UNREADABLE = f"""SELECT id, registration_id, unreadable_text, received_at, commune_code,
                   handled_at, handled_by, handled_note
            FROM check_in_reply
            WHERE {_IN_SCOPE} AND employment_status IS NULL
              AND (handled_at IS NOT NULL) = $3
            ORDER BY received_at, id LIMIT $4"""


async def unreadable_replies(
    pool: asyncpg.Pool, communes: Sequence[str], province: str | None, handled: bool, limit: int
) -> Sequence[asyncpg.Record]:
    """The inbox: replies that could not be read, oldest first, within the reader's area."""
    return await pool.fetch(_UNREADABLE, list(communes), province, handled, limit)


_LOCK_UNREADABLE = """SELECT id, registration_id, commune_code, province_code, handled_at,
                  handled_by,
                  handled_note
           FROM check_in_reply WHERE id = $1 AND employment_status IS NULL FOR UPDATE"""


async def lock_unreadable(conn: Conn, reply_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_LOCK_UNREADABLE, reply_id)
    return row


_MARK_HANDLED = """UPDATE check_in_reply SET handled_at = $2, handled_by = $3, handled_note = $4
           WHERE id = $1"""


async def mark_handled(
    conn: Conn, reply_id: uuid.UUID, at: dt.datetime, by: str, note: str | None
) -> None:
    await conn.execute(_MARK_HANDLED, reply_id, at, by, note)
