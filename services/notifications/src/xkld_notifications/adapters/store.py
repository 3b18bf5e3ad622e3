"""Contacts and SMS messages in this service's own database (phones stay sealed at rest).

Times come from the caller's clock, never from `now()`, so quiet hours and schedules can be
tested with an injected clock; the database only compares them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.domain.outbound import ContactState, MessageStatus, OutboundSms

# What the dispatcher and the events need of a message.
_MESSAGE_COLUMNS = """m.id, m.registration_id, m.event_id, m.template, m.template_version,
    m.body, m.encoding, m.segments, m.status, m.attempts, m.urgent, m.quota_day"""


@dataclass(frozen=True)
class Contact:
    registration_id: uuid.UUID
    phone_ciphertext: str
    sms_consent: bool
    commune_code: str
    province_code: str | None
    phone_index: bytes | None = None


async def upsert_contact(conn: Conn, contact: Contact) -> None:
    await conn.execute(
        """INSERT INTO contact (registration_id, phone_ciphertext, sms_consent, commune_code,
               province_code, phone_index)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (registration_id) DO UPDATE
           SET phone_ciphertext = EXCLUDED.phone_ciphertext,
               sms_consent = EXCLUDED.sms_consent, commune_code = EXCLUDED.commune_code,
               province_code = EXCLUDED.province_code, phone_index = EXCLUDED.phone_index,
               updated_at = now()""",
        contact.registration_id,
        contact.phone_ciphertext,
        contact.sms_consent,
        contact.commune_code,
        contact.province_code,
        contact.phone_index,
    )


async def contact_state(conn: Conn, registration_id: uuid.UUID) -> ContactState | None:
    """None while the contact is not known here yet (its registration event is still behind)."""
    row = await conn.fetchrow(
        """SELECT c.sms_consent, c.opted_out_at IS NOT NULL AS opted_out, false AS erased
           FROM contact c WHERE c.registration_id = $1
           UNION ALL
           SELECT false, false, true FROM erased_contact e WHERE e.registration_id = $1
           ORDER BY 3 DESC LIMIT 1""",
        registration_id,
    )
    if row is None:
        return None
    return ContactState(row["sms_consent"], row["opted_out"], erased=row["erased"])


async def settle_awaiting(
    conn: Conn, registration_id: uuid.UUID, reason: str | None
) -> tuple[int, list[asyncpg.Record]]:
    """The contact is known now: what waited for it goes to the queue, or is suppressed for
    `reason`. Returns (released, suppressed rows for their events)."""
    if reason is None:
        released = await conn.fetch(
            """UPDATE sms_message SET status = 'pending'
               WHERE registration_id = $1 AND status = 'awaiting_contact' RETURNING id""",
            registration_id,
        )
        return len(released), []
    rows = await conn.fetch(
        f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = $2
           WHERE registration_id = $1 AND status = 'awaiting_contact'
           RETURNING {_MESSAGE_COLUMNS}""",
        registration_id,
        reason,
    )
    return 0, list(rows)


async def sweep_awaiting(conn: Conn) -> tuple[int, list[asyncpg.Record]]:
    """Catches what a contact's arrival could not see: a message stored by the loan stream's
    transaction while the registration stream's one was committing the contact (neither saw
    the other's uncommitted row). Messages whose contact exists now go to the queue, where
    the send-time checks (consent, opt-out) decide; those of an erased worker are suppressed.
    Returns (released, suppressed rows); the caller adds their events in the same transaction."""
    released = await conn.fetchval(
        """WITH moved AS (
               UPDATE sms_message m SET status = 'pending'
               WHERE m.status = 'awaiting_contact'
                 AND EXISTS (SELECT 1 FROM contact c WHERE c.registration_id = m.registration_id)
               RETURNING 1)
           SELECT count(*) FROM moved"""
    )
    rows = await conn.fetch(
        f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = 'erased'
           WHERE m.status = 'awaiting_contact'
             AND EXISTS (SELECT 1 FROM erased_contact e
                         WHERE e.registration_id = m.registration_id)
           RETURNING {_MESSAGE_COLUMNS}"""
    )
    return int(released or 0), list(rows)


async def contact_area(pool: asyncpg.Pool, registration_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        """SELECT commune_code, province_code, sms_consent, opted_out_at
           FROM contact WHERE registration_id = $1""",
        registration_id,
    )
    return row


async def contacts_by_phone(conn: Conn, phone_index: bytes) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT registration_id FROM contact WHERE phone_index = $1", phone_index
    )
    return [r["registration_id"] for r in rows]


async def set_opted_out(
    conn: Conn, registration_id: uuid.UUID, opted_out: bool, now: dt.datetime
) -> tuple[bool, bool] | None:
    """(before, after), or None for an unknown contact. Locks the row for the caller."""
    before = await conn.fetchval(
        "SELECT opted_out_at IS NOT NULL FROM contact WHERE registration_id = $1 FOR UPDATE",
        registration_id,
    )
    if before is None:
        return None
    await conn.execute(
        """UPDATE contact SET opted_out_at = CASE WHEN $2 THEN coalesce(opted_out_at, $3) END,
               updated_at = $3
           WHERE registration_id = $1""",
        registration_id,
        opted_out,
        now,
    )
    return bool(before), opted_out


async def forget_contact(
    conn: Conn, registration_id: uuid.UUID, now: dt.datetime
) -> list[asyncpg.Record]:
    """Returns the messages it suppressed (pending, or waiting for the contact), for their
    events. The erasure itself is remembered, so later events suppress rather than wait."""
    rows = await conn.fetch(
        f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = 'erased',
               lease_until = NULL
           WHERE registration_id = $1 AND status IN ('pending', 'awaiting_contact')
           RETURNING {_MESSAGE_COLUMNS}""",
        registration_id,
    )
    await conn.execute("DELETE FROM contact WHERE registration_id = $1", registration_id)
    await conn.execute("DELETE FROM enrolment WHERE registration_id = $1", registration_id)
    await conn.execute("DELETE FROM trainee_work_reply WHERE trainee_id = $1", registration_id)
    await conn.execute(
        "INSERT INTO erased_contact VALUES ($1, $2) ON CONFLICT DO NOTHING", registration_id, now
    )
    return list(rows)


async def add_enrolment(conn: Conn, course_id: uuid.UUID, registration_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO enrolment (course_id, registration_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        course_id,
        registration_id,
    )


async def course_members(conn: Conn, course_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT registration_id FROM enrolment WHERE course_id = $1 ORDER BY registration_id",
        course_id,
    )
    return [r["registration_id"] for r in rows]


async def areas_of(conn: Conn, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT registration_id, commune_code, province_code FROM contact
           WHERE registration_id = ANY($1::uuid[])""",
        list(ids),
    )
    return {r["registration_id"]: r for r in rows}


async def add_message(conn: Conn, sms: OutboundSms, event_id: uuid.UUID, now: dt.datetime) -> bool:
    """False if this message id exists already (a replay): nothing is queued twice."""
    inserted = await conn.fetchval(
        """INSERT INTO sms_message (id, registration_id, event_id, template, template_version,
               body, encoding, segments, status, suppressed_reason, last_error, urgent,
               next_attempt_at, created_at, failed_at, course_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                   CASE WHEN $9::text = 'failed' THEN $14::timestamptz END, $15)
           ON CONFLICT (id) DO NOTHING RETURNING true""",
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
    )
    return inserted is True


async def cancel_pending(
    conn: Conn,
    registration_id: uuid.UUID,
    templates: Sequence[str],
    course_id: uuid.UUID | None = None,
    cause: uuid.UUID | None = None,
) -> int:
    """Messages of these templates that no longer hold; with `course_id`, only that course's.
    Those planned by `cause` itself stay: a replayed event must not cancel its own plan."""
    done = await conn.fetch(
        """UPDATE sms_message SET status = 'cancelled', lease_until = NULL
           WHERE registration_id = $1 AND template = ANY($2::text[])
             AND status IN ('pending', 'awaiting_contact')
             AND ($3::uuid IS NULL OR course_id = $3)
             AND event_id IS DISTINCT FROM $4
           RETURNING id""",
        registration_id,
        list(templates),
        course_id,
        cause,
    )
    return len(done)


async def claim_due(
    pool: asyncpg.Pool, limit: int, lease_seconds: int, now: dt.datetime
) -> Sequence[asyncpg.Record]:
    """Lease due messages so that another replica does not send them at the same time."""
    return await pool.fetch(
        f"""UPDATE sms_message m
           SET lease_until = $3 + make_interval(secs => $2), attempts = attempts + 1
           WHERE m.id IN (
               SELECT id FROM sms_message
               WHERE status = 'pending' AND next_attempt_at <= $3
                 AND (lease_until IS NULL OR lease_until < $3)
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING {_MESSAGE_COLUMNS},
               (SELECT c.phone_ciphertext FROM contact c
                WHERE c.registration_id = m.registration_id) AS phone_ciphertext,
               (SELECT c.sms_consent FROM contact c
                WHERE c.registration_id = m.registration_id) AS sms_consent,
               (SELECT c.opted_out_at IS NOT NULL FROM contact c
                WHERE c.registration_id = m.registration_id) AS opted_out,
               EXISTS (SELECT 1 FROM erased_contact e
                       WHERE e.registration_id = m.registration_id) AS erased""",
        limit,
        lease_seconds,
        now,
    )


async def take_quota(
    conn: Conn, message_id: uuid.UUID, registration_id: uuid.UUID, day: dt.date, limit: int
) -> bool:
    """Count this message against the recipient's day, unless the day is full. A retry of a
    message already counted today does not count twice."""
    counted = await conn.fetchval(
        "SELECT quota_day = $2 FROM sms_message WHERE id = $1", message_id, day
    )
    if counted:
        return True
    used = await conn.fetchval(
        """INSERT INTO sms_quota AS q (registration_id, day, used) VALUES ($1, $2, 1)
           ON CONFLICT (registration_id, day) DO UPDATE SET used = q.used + 1
           WHERE q.used < $3 RETURNING used""",
        registration_id,
        day,
        limit,
    )
    if used is None:
        return False
    await conn.execute("UPDATE sms_message SET quota_day = $2 WHERE id = $1", message_id, day)
    return True


async def await_contact(pool: asyncpg.Pool, message_id: uuid.UUID) -> None:
    """A claimed message whose contact is unknown goes back to wait for it; not an attempt."""
    await pool.execute(
        """UPDATE sms_message SET status = 'awaiting_contact', lease_until = NULL,
               attempts = attempts - 1
           WHERE id = $1 AND status = 'pending'""",
        message_id,
    )


async def defer(
    pool: asyncpg.Pool, message_id: uuid.UUID, until: dt.datetime, *, refund_attempt: bool
) -> None:
    """Put a claimed message back for later; waiting is not an attempt."""
    await pool.execute(
        """UPDATE sms_message SET lease_until = NULL, next_attempt_at = $2,
               attempts = attempts - CASE WHEN $3 THEN 1 ELSE 0 END
           WHERE id = $1 AND status = 'pending'""",
        message_id,
        until,
        refund_attempt,
    )


async def mark_sent(
    conn: Conn, message_id: uuid.UUID, provider_id: str, now: dt.datetime
) -> asyncpg.Record | None:
    """The row as it was if this call moved it out of `pending`; None if a delivery report
    got there first (it already recorded the send) or the message is no longer pending."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""UPDATE sms_message m SET provider_message_id = coalesce(provider_message_id, $2),
               lease_until = NULL, sent_at = coalesce(sent_at, $3), status = 'sent'
           WHERE id = $1 AND status = 'pending' RETURNING {_MESSAGE_COLUMNS}""",
        message_id,
        provider_id,
        now,
    )
    if row is None:
        await conn.execute(
            "UPDATE sms_message SET lease_until = NULL, "
            "provider_message_id = coalesce(provider_message_id, $2) WHERE id = $1",
            message_id,
            provider_id,
        )
    return row


async def schedule_retry(
    pool: asyncpg.Pool, message_id: uuid.UUID, at: dt.datetime, reason: str
) -> None:
    await pool.execute(
        """UPDATE sms_message SET lease_until = NULL, last_error = $3, next_attempt_at = $2
           WHERE id = $1 AND status = 'pending'""",
        message_id,
        at,
        reason,
    )


async def mark_failed(
    conn: Conn, message_id: uuid.UUID, reason: str, now: dt.datetime
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""UPDATE sms_message m SET status = 'failed', lease_until = NULL, last_error = $2,
               failed_at = $3
           WHERE id = $1 AND status = 'pending' RETURNING {_MESSAGE_COLUMNS}""",
        message_id,
        reason,
        now,
    )
    return row


async def suppress(conn: Conn, message_id: uuid.UUID, reason: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = $2,
               lease_until = NULL
           WHERE id = $1 AND status = 'pending' RETURNING {_MESSAGE_COLUMNS}""",
        message_id,
        reason,
    )
    return row


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
    row = await conn.fetchrow(
        f"""UPDATE sms_message m SET status = $3::text, lease_until = NULL,
               delivered_at = CASE WHEN $3::text = 'delivered' THEN $4::timestamptz END,
               failed_at = CASE WHEN $3::text = 'failed' THEN $4::timestamptz END,
               sent_at = coalesce(sent_at, $4::timestamptz),
               provider_message_id = coalesce(provider_message_id, $2)
           WHERE id = $1 RETURNING {_MESSAGE_COLUMNS}""",
        request_id,
        provider_id,
        status.value,
        now,
    )
    assert row is not None
    return str(before), row


async def messages_of(pool: asyncpg.Pool, registration_id: uuid.UUID) -> Sequence[asyncpg.Record]:
    return await pool.fetch(
        """SELECT id, template, template_version, body, encoding, segments, status,
                  suppressed_reason, attempts, created_at, next_attempt_at, sent_at,
                  delivered_at
           FROM sms_message WHERE registration_id = $1 ORDER BY created_at""",
        registration_id,
    )


async def latest_template(conn: Conn, code: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT code, version, text, max_segments, ucs2 FROM sms_template
           WHERE code = $1 ORDER BY version DESC LIMIT 1""",
        code,
    )
    return row


async def save_template(
    conn: Conn,
    code: str,
    base_version: int,
    text: str,
    max_segments: int,
    ucs2: bool,
    saved_by: str,
    now: dt.datetime,
) -> int:
    """The next version after both the file's and the saved ones; serialised per code."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"tpl:{code}")
    latest = await conn.fetchval("SELECT max(version) FROM sms_template WHERE code = $1", code)
    version = max(base_version, latest or 0) + 1
    await conn.execute(
        """INSERT INTO sms_template (code, version, text, max_segments, ucs2, saved_by, saved_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        code,
        version,
        text,
        max_segments,
        ucs2,
        saved_by,
        now,
    )
    return version
