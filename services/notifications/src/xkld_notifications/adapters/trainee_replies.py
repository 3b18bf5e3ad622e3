"""Trainees' replies to the follow-up about work: which follow-up a phone answers, the reply
itself (no phone, no text), and the officers' list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.application.reply_ports import WorkReply

FOLLOW_UP = "trainee_work_followup"


_ANSWERED_FOLLOW_UP = """SELECT m.id, m.registration_id, m.course_id, c.commune_code,
                  c.province_code
           FROM contact c JOIN sms_message m ON m.registration_id = c.registration_id
           WHERE c.phone_index = $1 AND m.template = $2 AND m.course_id IS NOT NULL
             AND m.status IN ('sent', 'delivered')
           ORDER BY m.sent_at DESC NULLS LAST, m.id LIMIT 1"""


async def answered_follow_up(conn: Conn, phone_index: bytes) -> asyncpg.Record | None:
    """The latest follow-up sent to a contact with this phone: the one a reply answers."""
    row: asyncpg.Record | None = await conn.fetchrow(_ANSWERED_FOLLOW_UP, phone_index, FOLLOW_UP)
    return row


_ADD_REPLY = """INSERT INTO trainee_work_reply (id, trainee_id, course_id, follow_up_id, outcome,
               received_at, commune_code, province_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO NOTHING RETURNING true"""


async def add_reply(conn: Conn, reply: WorkReply) -> bool:
    """False when this inbound message was recorded already."""
    inserted = await conn.fetchval(
        _ADD_REPLY,
        reply.id,
        reply.trainee_id,
        reply.course_id,
        reply.follow_up_id,
        reply.outcome,
        reply.received_at,
        reply.commune_code,
        reply.province_code,
    )
    return inserted is True


_RECENT_REPLIES = """SELECT id, trainee_id, course_id, outcome, received_at, commune_code
           FROM trainee_work_reply
           WHERE (commune_code = ANY($1::text[])
                  OR ($2::text IS NOT NULL AND province_code = $2))
             AND ($3::timestamptz IS NULL OR received_at >= $3)
           ORDER BY received_at DESC, id LIMIT $4"""


async def recent_replies(
    pool: asyncpg.Pool,
    communes: Sequence[str],
    province: str | None,
    since: dt.datetime | None,
    limit: int,
) -> Sequence[asyncpg.Record]:
    """Newest first, within the reader's communes (or province, for a labour officer)."""
    return await pool.fetch(_RECENT_REPLIES, list(communes), province, since, limit)
