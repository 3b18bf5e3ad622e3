"""SMS messages in this service's own database (phones stay sealed at rest).

Times come from the caller's clock, never from `now()`, so quiet hours and schedules can be
tested with an injected clock; the database only compares them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
from xkld_shared.db.pool import Conn
from xkld_shared.tracing import current_traceparent

from xkld_notifications.domain.outbound import MessageStatus, OutboundSms

# What the dispatcher and the events need of a message.
MESSAGE_COLUMNS = """m.id, m.registration_id, m.event_id, m.template, m.template_version,
    m.body, m.encoding, m.segments, m.status, m.attempts, m.urgent, m.quota_day"""


_FORGET = f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = 'erased',
               lease_until = NULL
           WHERE registration_id = $1 AND status IN ('pending', 'awaiting_contact')
           RETURNING {MESSAGE_COLUMNS}"""


async def forget_contact(
    conn: Conn, registration_id: uuid.UUID, now: dt.datetime
) -> list[asyncpg.Record]:
    """Returns the messages it suppressed (pending, or waiting for the contact), for their
    events. The erasure itself is remembered, so later events suppress rather than wait."""
    rows = await conn.fetch(_FORGET, registration_id)
    await _delete_personal_rows(conn, registration_id)
    await conn.execute(
        "INSERT INTO erased_contact VALUES ($1, $2) ON CONFLICT DO NOTHING", registration_id, now
    )
    return list(rows)


async def _delete_personal_rows(conn: Conn, registration_id: uuid.UUID) -> None:
    """The contact, its enrolments and its replies: every row here with their personal data."""
    await conn.execute("DELETE FROM contact WHERE registration_id = $1", registration_id)
    await conn.execute("DELETE FROM enrolment WHERE registration_id = $1", registration_id)
    await conn.execute("DELETE FROM trainee_work_reply WHERE trainee_id = $1", registration_id)
    await conn.execute("DELETE FROM check_in_reply WHERE registration_id = $1", registration_id)


_INSERT = """INSERT INTO sms_message (id, registration_id, event_id, template, template_version,
               body, encoding, segments, status, suppressed_reason, last_error, urgent,
               next_attempt_at, created_at, failed_at, course_id, traceparent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                   CASE WHEN $9::text = 'failed' THEN $14::timestamptz END, $15, $16)
           ON CONFLICT (id) DO NOTHING RETURNING true"""


async def add_message(conn: Conn, sms: OutboundSms, event_id: uuid.UUID, now: dt.datetime) -> bool:
    """False if this message id exists already (a replay): nothing is queued twice."""
    inserted = await conn.fetchval(
        _INSERT,
        sms.id,
        sms.registration_id,
        event_id,
        sms.template,
        sms.template_version,
        sms.body,
        sms.encoding,
        sms.segments,
        sms.status.value,
        sms.suppressed_reason,
        sms.error,
        sms.urgent,
        sms.not_before,
        now,
        sms.course_id,
        # The span of the event that queued it: the later send joins that event's trace.
        current_traceparent(),
    )
    return inserted is True


_CANCEL_PENDING = """UPDATE sms_message SET status = 'cancelled', lease_until = NULL
           WHERE registration_id = $1 AND template = ANY($2::text[])
             AND status IN ('pending', 'awaiting_contact')
             AND ($3::uuid IS NULL OR course_id = $3)
             AND event_id IS DISTINCT FROM $4
           RETURNING id"""


async def cancel_pending(
    conn: Conn,
    registration_id: uuid.UUID,
    templates: Sequence[str],
    course_id: uuid.UUID | None = None,
    cause: uuid.UUID | None = None,
) -> int:
    """Messages of these templates that no longer hold; with `course_id`, only that course's.
    Those planned by `cause` itself stay: a replayed event must not cancel its own plan."""
    done = await conn.fetch(_CANCEL_PENDING, registration_id, list(templates), course_id, cause)
    return len(done)


_CLAIM_DUE = f"""UPDATE sms_message m
           SET lease_until = $3 + make_interval(secs => $2), attempts = attempts + 1
           WHERE m.id IN (
               SELECT id FROM sms_message
               WHERE status = 'pending' AND next_attempt_at <= $3
                 AND (lease_until IS NULL OR lease_until < $3)
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING {MESSAGE_COLUMNS}, m.traceparent,
               (SELECT c.phone_ciphertext FROM contact c
                WHERE c.registration_id = m.registration_id) AS phone_ciphertext,
               (SELECT c.sms_consent FROM contact c
                WHERE c.registration_id = m.registration_id) AS sms_consent,
               (SELECT c.opted_out_at IS NOT NULL FROM contact c
                WHERE c.registration_id = m.registration_id) AS opted_out,
               EXISTS (SELECT 1 FROM erased_contact e
                       WHERE e.registration_id = m.registration_id) AS erased"""


async def claim_due(
    pool: asyncpg.Pool, limit: int, lease_seconds: int, now: dt.datetime
) -> Sequence[asyncpg.Record]:
    """Lease due messages so that another replica does not send them at the same time."""
    return await pool.fetch(_CLAIM_DUE, limit, lease_seconds, now)


_COUNT_IN_DAY = """INSERT INTO sms_quota AS q (registration_id, day, used) VALUES ($1, $2, 1)
           ON CONFLICT (registration_id, day) DO UPDATE SET used = q.used + 1
           WHERE q.used < $3 RETURNING used"""


async def count_in_day(conn: Conn, recipient_id: uuid.UUID, day: dt.date, limit: int) -> bool:
    """One more send in the recipient's day, unless the day is full (one statement, so two
    replicas cannot both take the last slot). Shared by the journey's SMS and broadcasts."""
    used = await conn.fetchval(_COUNT_IN_DAY, recipient_id, day, limit)
    return used is not None


# Counted already (a retry on the same day) is true at once; otherwise the day's count goes up
# unless full, and the message remembers the day it was counted in. One statement: no
# transaction to open, and two replicas cannot both take the day's last slot.
_TAKE_QUOTA = """WITH msg AS (SELECT quota_day = $2 AS counted FROM sms_message WHERE id = $1),
           taken AS (
               INSERT INTO sms_quota AS q (registration_id, day, used)
               SELECT $3, $2, 1 WHERE NOT coalesce((SELECT counted FROM msg), false)
               ON CONFLICT (registration_id, day) DO UPDATE SET used = q.used + 1
               WHERE q.used < $4 RETURNING used),
           marked AS (UPDATE sms_message SET quota_day = $2
               WHERE id = $1 AND EXISTS (SELECT 1 FROM taken) RETURNING id)
       SELECT coalesce((SELECT counted FROM msg), false) OR EXISTS (SELECT 1 FROM taken)"""


async def take_quota(
    conn: Conn | asyncpg.Pool,
    message_id: uuid.UUID,
    registration_id: uuid.UUID,
    day: dt.date,
    limit: int,
) -> bool:
    """Count this message against the recipient's day, unless the day is full. A retry of a
    message already counted today does not count twice."""
    return bool(await conn.fetchval(_TAKE_QUOTA, message_id, day, registration_id, limit))


_AWAIT_CONTACT = """UPDATE sms_message SET status = 'awaiting_contact', lease_until = NULL,
               attempts = attempts - 1
           WHERE id = $1 AND status = 'pending'"""


async def await_contact(pool: asyncpg.Pool, message_id: uuid.UUID) -> None:
    """A claimed message whose contact is unknown goes back to wait for it; not an attempt."""
    await pool.execute(_AWAIT_CONTACT, message_id)


_DEFER = """UPDATE sms_message SET lease_until = NULL, next_attempt_at = $2,
               attempts = attempts - CASE WHEN $3 THEN 1 ELSE 0 END
           WHERE id = $1 AND status = 'pending'"""


async def defer(
    pool: asyncpg.Pool, message_id: uuid.UUID, until: dt.datetime, *, refund_attempt: bool
) -> None:
    """Put a claimed message back for later; waiting is not an attempt."""
    await pool.execute(_DEFER, message_id, until, refund_attempt)


_MARK_SENT = f"""UPDATE sms_message m SET provider_message_id = coalesce(provider_message_id, $2),
               lease_until = NULL, sent_at = coalesce(sent_at, $3), status = 'sent'
           WHERE id = $1 AND status = 'pending' RETURNING {MESSAGE_COLUMNS}"""


_RELEASE_UNSENT = (
    "UPDATE sms_message SET lease_until = NULL, "
    "provider_message_id = coalesce(provider_message_id, $2) WHERE id = $1"
)


async def mark_sent(
    conn: Conn, message_id: uuid.UUID, provider_id: str, now: dt.datetime
) -> asyncpg.Record | None:
    """The row as it was if this call moved it out of `pending`; None if a delivery report
    got there first (it already recorded the send) or the message is no longer pending."""
    row: asyncpg.Record | None = await conn.fetchrow(_MARK_SENT, message_id, provider_id, now)
    if row is None:
        await conn.execute(_RELEASE_UNSENT, message_id, provider_id)
    return row


_SCHEDULE_RETRY = """UPDATE sms_message SET lease_until = NULL, last_error = $3,
               next_attempt_at = $2
           WHERE id = $1 AND status = 'pending'"""


async def schedule_retry(
    pool: asyncpg.Pool, message_id: uuid.UUID, at: dt.datetime, reason: str
) -> None:
    await pool.execute(_SCHEDULE_RETRY, message_id, at, reason)


_MARK_FAILED = f"""UPDATE sms_message m SET status = 'failed', lease_until = NULL, last_error = $2,
               failed_at = $3
           WHERE id = $1 AND status = 'pending' RETURNING {MESSAGE_COLUMNS}"""


async def mark_failed(
    conn: Conn, message_id: uuid.UUID, reason: str, now: dt.datetime
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_MARK_FAILED, message_id, reason, now)
    return row


_SUPPRESS = f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = $2,
               lease_until = NULL
           WHERE id = $1 AND status = 'pending' RETURNING {MESSAGE_COLUMNS}"""


async def suppress(conn: Conn, message_id: uuid.UUID, reason: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_SUPPRESS, message_id, reason)
    return row


_RECORD_DELIVERY = f"""UPDATE sms_message m SET status = $3::text, lease_until = NULL,
               delivered_at = CASE WHEN $3::text = 'delivered' THEN $4::timestamptz END,
               failed_at = CASE WHEN $3::text = 'failed' THEN $4::timestamptz END,
               sent_at = coalesce(sent_at, $4::timestamptz),
               provider_message_id = coalesce(provider_message_id, $2)
           WHERE id = $1 RETURNING {MESSAGE_COLUMNS}"""


async def record_delivery(
    conn: Conn,
    request_id: uuid.UUID,
    provider_id: str,
    status: MessageStatus,
    now: dt.datetime,
) -> tuple[str, asyncpg.Record] | None:
    """(status before, row) if this report changed the message; None for a repeat, a report
    about a message already final, or an unknown id. A report may beat the send's own answer:
    then the message goes from pending straight to its final state."""
    before = await conn.fetchval(
        "SELECT status FROM sms_message WHERE id = $1 FOR UPDATE", request_id
    )
    if before not in ("pending", "sent"):
        return None
    row = await conn.fetchrow(_RECORD_DELIVERY, request_id, provider_id, status.value, now)
    assert row is not None
    return str(before), row


_MESSAGES_OF = """SELECT id, template, template_version, body, encoding, segments, status,
                  suppressed_reason, attempts, created_at, next_attempt_at, sent_at,
                  delivered_at
           FROM sms_message WHERE registration_id = $1 ORDER BY created_at"""


async def messages_of(pool: asyncpg.Pool, registration_id: uuid.UUID) -> Sequence[asyncpg.Record]:
    return await pool.fetch(_MESSAGES_OF, registration_id)


async def wake_dispatcher(conn: Conn) -> None:
    """The SMS dispatcher is woken when this transaction commits."""
    await conn.execute("SELECT pg_notify('sms_message', '')")
