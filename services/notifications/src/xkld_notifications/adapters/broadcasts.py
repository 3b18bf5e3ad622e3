"""Campaign broadcast rows, phone-level opt-outs and the channel report, in SQL. Times come
from the caller's clock. The phone stays sealed; its keyed hash finds opt-outs."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.adapters import store
from xkld_notifications.application.broadcast_ports import Change, NewBroadcastMessage

_COLUMNS = """b.id, b.event_id, b.campaign_id, b.broadcast_id, b.recipient_id, b.phone_ciphertext,
    b.phone_index, b.sms_text, b.encoding, b.segments, b.zalo_template_id, b.zalo_params,
    b.state, b.channel, b.fell_back, b.reason, b.attempts, b.sms_attempts, b.quota_day,
    b.zalo_cost_vnd, b.sms_cost_vnd"""


_INSERT = """INSERT INTO broadcast_message (id, event_id, campaign_id, broadcast_id, recipient_id,
               commune_code, province_code, phone_ciphertext, phone_index, route, sms_text,
               encoding, segments, zalo_template_id, zalo_params, state, next_attempt_at,
               created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb,
                   $16, $17, $18)
           ON CONFLICT DO NOTHING RETURNING true"""


async def add(conn: Conn, m: NewBroadcastMessage, now: dt.datetime) -> bool:
    """False when this (broadcast, recipient) is already here: a redelivery, or the same
    recipient twice in one broadcast."""
    inserted = await conn.fetchval(
        _INSERT,
        m.id,
        m.event_id,
        m.campaign_id,
        m.broadcast_id,
        m.recipient_id,
        m.commune_code,
        m.province_code,
        m.phone_ciphertext,
        m.phone_index,
        m.route,
        m.sms_text,
        m.encoding,
        m.segments,
        m.zalo_template_id,
        json.dumps(m.zalo_params),
        m.state,
        m.not_before,
        now,
    )
    return inserted is True


async def exists(conn: Conn, message_id: uuid.UUID) -> bool:
    return bool(await conn.fetchval("SELECT true FROM broadcast_message WHERE id = $1", message_id))


async def wake_dispatcher(conn: Conn) -> None:
    """The broadcast dispatcher is woken when this transaction commits."""
    await conn.execute("SELECT pg_notify('broadcast_message', '')")


_CLAIM = f"""UPDATE broadcast_message b
           SET lease_until = $3 + make_interval(secs => $2), attempts = attempts + 1,
               sms_attempts = sms_attempts + CASE WHEN $4 = 'pending_sms' THEN 1 ELSE 0 END
           WHERE b.id IN (
               SELECT id FROM broadcast_message
               WHERE state = $4 AND next_attempt_at <= $3
                 AND (lease_until IS NULL OR lease_until < $3)
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING {_COLUMNS}"""


async def claim(
    pool: asyncpg.Pool, state: str, limit: int, lease_seconds: int, now: dt.datetime
) -> Sequence[asyncpg.Record]:
    """Lease due rows in `state`. Taking a row up for SMS marks it attempted in the same
    statement, so a late Zalo report (which locks the row) sees it."""
    if limit <= 0:
        return []
    return await pool.fetch(_CLAIM, limit, lease_seconds, now, state)


_EXPIRED_ZALO = """SELECT id FROM broadcast_message
           WHERE state = 'zalo_sent' AND next_attempt_at <= $1
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED"""


async def expired_zalo(conn: Conn, now: dt.datetime, limit: int) -> list[uuid.UUID]:
    """Zalo accepted these but sent no delivery callback in time."""
    rows = await conn.fetch(_EXPIRED_ZALO, now, limit)
    return [r["id"] for r in rows]


_RELEASE = """UPDATE broadcast_message SET lease_until = NULL, attempts = attempts - 1
               WHERE id = ANY($1::uuid[])"""


async def release(pool: asyncpg.Pool, ids: Sequence[uuid.UUID]) -> None:
    """Claimed over the provider's rate: back to the queue, not an attempt."""
    if ids:
        await pool.execute(_RELEASE, list(ids))


_DEFER = """UPDATE broadcast_message SET lease_until = NULL, next_attempt_at = $2,
               attempts = attempts - 1
           WHERE id = $1 AND state IN ('pending_zalo', 'pending_sms')"""


async def defer(pool: asyncpg.Pool, message_id: uuid.UUID, until: dt.datetime) -> None:
    """Quiet hours or the daily limit: later, and waiting is not an attempt."""
    await pool.execute(_DEFER, message_id, until)


_SCHEDULE_RETRY = """UPDATE broadcast_message SET lease_until = NULL, next_attempt_at = $2,
               last_error = $3
           WHERE id = $1 AND state IN ('pending_zalo', 'pending_sms')"""


async def schedule_retry(
    pool: asyncpg.Pool, message_id: uuid.UUID, at: dt.datetime, error: str
) -> None:
    await pool.execute(_SCHEDULE_RETRY, message_id, at, error)


_IS_OPTED_OUT = """SELECT EXISTS (SELECT 1 FROM phone_opt_out WHERE phone_index = $1)
               OR EXISTS (SELECT 1 FROM contact
                          WHERE phone_index = $1 AND opted_out_at IS NOT NULL)"""


async def is_opted_out(conn: Conn, phone_index: bytes) -> bool:
    """A stop keyword from this phone, or a contact with this phone opted out."""
    found = await conn.fetchval(_IS_OPTED_OUT, phone_index)
    return bool(found)


async def opt_out_phone(conn: Conn, phone_index: bytes, now: dt.datetime) -> None:
    await conn.execute(
        "INSERT INTO phone_opt_out VALUES ($1, $2) ON CONFLICT DO NOTHING", phone_index, now
    )


async def take_quota(
    conn: Conn, message_id: uuid.UUID, recipient_id: uuid.UUID, day: dt.date, limit: int
) -> bool:
    """The recipient's daily limit, in the same counter as other SMS; a retry or the SMS after
    a Zalo fallback on the same day does not count twice."""
    counted = await conn.fetchval(
        "SELECT quota_day = $2 FROM broadcast_message WHERE id = $1", message_id, day
    )
    if counted:
        return True
    if not await store.count_in_day(conn, recipient_id, day, limit):
        return False
    await conn.execute("UPDATE broadcast_message SET quota_day = $2 WHERE id = $1", message_id, day)
    return True


async def lock(conn: Conn, message_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM broadcast_message b WHERE id = $1 FOR UPDATE", message_id
    )
    return row


_SAVE = """UPDATE broadcast_message SET state = $2, fell_back = $3, reason = $4,
               channel = coalesce($5, channel), lease_until = NULL,
               next_attempt_at = coalesce($6, next_attempt_at),
               attempts = CASE WHEN $7 THEN 0 ELSE attempts END,
               zalo_msg_id = coalesce(zalo_msg_id, $8),
               sms_provider_id = coalesce(sms_provider_id, $9),
               zalo_cost_vnd = coalesce($10, zalo_cost_vnd),
               sms_cost_vnd = coalesce($11, sms_cost_vnd),
               zalo_sent_at = CASE WHEN $10::int IS NOT NULL THEN coalesce(zalo_sent_at, $14)
                                   ELSE zalo_sent_at END,
               sms_sent_at = CASE WHEN $11::int IS NOT NULL THEN coalesce(sms_sent_at, $14)
                                  ELSE sms_sent_at END,
               zalo_late_delivered_at = CASE WHEN $12 THEN $14 ELSE zalo_late_delivered_at END,
               settled_at = CASE WHEN $13 THEN $14 ELSE settled_at END
           WHERE id = $1"""


async def save(conn: Conn, message_id: uuid.UUID, c: Change, now: dt.datetime) -> None:
    await conn.execute(
        _SAVE,
        message_id,
        c.state,
        c.fell_back,
        c.reason,
        c.channel,
        c.next_attempt_at,
        c.new_phase,
        c.zalo_msg_id,
        c.sms_provider_id,
        c.zalo_cost_vnd,
        c.sms_cost_vnd,
        c.late_zalo,
        c.final,
        now,
    )


_CHANNEL_REPORT = """WITH scoped AS (
               SELECT * FROM broadcast_message
               WHERE created_at >= $3 AND created_at < $4
                 AND (commune_code = ANY($1::text[]) OR province_code = $2))
           SELECT 'zalo' AS channel,
                  count(*) FILTER (WHERE zalo_cost_vnd > 0) AS sent,
                  count(*) FILTER (WHERE state = 'delivered' AND channel = 'zalo') AS delivered,
                  count(*) FILTER (WHERE fell_back) AS failed,
                  coalesce(sum(zalo_cost_vnd), 0) AS cost_vnd,
                  count(*) FILTER (WHERE fell_back) AS fallbacks,
                  count(*) FILTER (WHERE reason = 'zalo_no_account') AS no_account
           FROM scoped
           UNION ALL
           SELECT 'sms',
                  count(*) FILTER (WHERE sms_cost_vnd > 0),
                  count(*) FILTER (WHERE state = 'delivered' AND channel = 'sms'),
                  count(*) FILTER (WHERE state = 'failed' AND channel = 'sms'),
                  coalesce(sum(sms_cost_vnd), 0),
                  count(*) FILTER (WHERE fell_back AND sms_cost_vnd > 0),
                  0
           FROM scoped
           UNION ALL
           SELECT 'suppressed', count(*) FILTER (WHERE state = 'suppressed'), 0, 0, 0, 0, 0
           FROM scoped"""


async def channel_report(
    pool: asyncpg.Pool,
    communes: Sequence[str],
    province: str | None,
    start: dt.datetime,
    end: dt.datetime,
) -> Sequence[asyncpg.Record]:
    """Per channel, for broadcasts queued in [start, end) in the reader's area."""
    return await pool.fetch(_CHANNEL_REPORT, list(communes), province, start, end)
