"""Contacts and SMS messages in this service's own database (phones stay sealed at rest)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.domain.outbound import MessageStatus, OutboundSms


@dataclass(frozen=True)
class Contact:
    registration_id: uuid.UUID
    phone_ciphertext: str
    sms_consent: bool
    commune_code: str
    province_code: str | None


async def upsert_contact(conn: Conn, contact: Contact) -> None:
    await conn.execute(
        """INSERT INTO contact (registration_id, phone_ciphertext, sms_consent, commune_code,
               province_code)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (registration_id) DO UPDATE
           SET phone_ciphertext = EXCLUDED.phone_ciphertext,
               sms_consent = EXCLUDED.sms_consent, commune_code = EXCLUDED.commune_code,
               province_code = EXCLUDED.province_code, updated_at = now()""",
        contact.registration_id,
        contact.phone_ciphertext,
        contact.sms_consent,
        contact.commune_code,
        contact.province_code,
    )


async def contact_area(pool: asyncpg.Pool, registration_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(
        "SELECT commune_code, province_code FROM contact WHERE registration_id = $1",
        registration_id,
    )
    return row


async def forget_contact(conn: Conn, registration_id: uuid.UUID) -> None:
    await conn.execute(
        """UPDATE sms_message SET status = 'suppressed', suppressed_reason = 'erased',
               lease_until = NULL
           WHERE registration_id = $1 AND status = 'pending'""",
        registration_id,
    )
    await conn.execute("DELETE FROM contact WHERE registration_id = $1", registration_id)


async def add_message(conn: Conn, sms: OutboundSms, event_id: uuid.UUID) -> bool:
    """False if this message id exists already (a replay): nothing is queued twice."""
    inserted = await conn.fetchval(
        """INSERT INTO sms_message (id, registration_id, event_id, template, body, encoding,
               segments, status, suppressed_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (id) DO NOTHING RETURNING true""",
        sms.id,
        sms.registration_id,
        event_id,
        sms.template,
        sms.body,
        sms.encoding,
        sms.segments,
        sms.status.value,
        sms.suppressed_reason,
    )
    return inserted is True


async def claim_due(pool: asyncpg.Pool, limit: int, lease_seconds: int) -> Sequence[asyncpg.Record]:
    """Lease due messages so that another replica does not send them at the same time."""
    return await pool.fetch(
        """UPDATE sms_message m
           SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
           FROM contact c
           WHERE m.id IN (
               SELECT id FROM sms_message
               WHERE status = 'pending' AND next_attempt_at <= now()
                 AND (lease_until IS NULL OR lease_until < now())
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
             AND c.registration_id = m.registration_id
           RETURNING m.id, m.body, m.encoding, m.attempts, c.phone_ciphertext""",
        limit,
        lease_seconds,
    )


async def mark_sent(pool: asyncpg.Pool, message_id: uuid.UUID, provider_id: str) -> None:
    # A delivery report can arrive before this update; never overwrite its final status.
    await pool.execute(
        """UPDATE sms_message SET provider_message_id = $2, lease_until = NULL,
               sent_at = coalesce(sent_at, now()),
               status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END
           WHERE id = $1""",
        message_id,
        provider_id,
    )


async def schedule_retry(
    pool: asyncpg.Pool, message_id: uuid.UUID, delay_seconds: float, reason: str
) -> None:
    await pool.execute(
        """UPDATE sms_message SET lease_until = NULL, last_error = $3,
               next_attempt_at = now() + make_interval(secs => $2)
           WHERE id = $1 AND status = 'pending'""",
        message_id,
        delay_seconds,
        reason,
    )


async def mark_failed(pool: asyncpg.Pool, message_id: uuid.UUID, reason: str) -> None:
    await pool.execute(
        """UPDATE sms_message SET status = 'failed', lease_until = NULL, last_error = $2
           WHERE id = $1 AND status = 'pending'""",
        message_id,
        reason,
    )


async def record_delivery(
    pool: asyncpg.Pool, request_id: uuid.UUID, provider_id: str, status: MessageStatus
) -> bool:
    """Idempotent: a report repeated by the provider changes nothing the second time."""
    updated = await pool.fetchval(
        """UPDATE sms_message SET status = $3, delivered_at = now(),
               provider_message_id = coalesce(provider_message_id, $2)
           WHERE id = $1 AND status IN ('pending', 'sent') RETURNING true""",
        request_id,
        provider_id,
        status.value,
    )
    return updated is True


async def messages_of(pool: asyncpg.Pool, registration_id: uuid.UUID) -> Sequence[asyncpg.Record]:
    return await pool.fetch(
        """SELECT id, template, body, encoding, segments, status, suppressed_reason, attempts,
                  created_at, sent_at, delivered_at
           FROM sms_message WHERE registration_id = $1 ORDER BY created_at""",
        registration_id,
    )
