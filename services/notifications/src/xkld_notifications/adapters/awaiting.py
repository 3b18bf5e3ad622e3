"""Messages stored before their worker's contact was known: released to the queue once it is,
or suppressed for a real reason (no consent, opted out, erased)."""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.adapters.store import MESSAGE_COLUMNS

_SETTLE = """UPDATE sms_message SET status = 'pending'
               WHERE registration_id = $1 AND status = 'awaiting_contact' RETURNING id"""


_SUPPRESS_AWAITING = f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = $2
           WHERE registration_id = $1 AND status = 'awaiting_contact'
           RETURNING {MESSAGE_COLUMNS}"""


async def settle_awaiting(
    conn: Conn, registration_id: uuid.UUID, reason: str | None
) -> tuple[int, list[asyncpg.Record]]:
    """The contact is known now: what waited for it goes to the queue, or is suppressed for
    `reason`. Returns (released, suppressed rows for their events)."""
    if reason is None:
        released = await conn.fetch(_SETTLE, registration_id)
        return len(released), []
    rows = await conn.fetch(_SUPPRESS_AWAITING, registration_id, reason)
    return 0, list(rows)


_SWEEP = """WITH moved AS (
               UPDATE sms_message m SET status = 'pending'
               WHERE m.status = 'awaiting_contact'
                 AND EXISTS (SELECT 1 FROM contact c WHERE c.registration_id = m.registration_id)
               RETURNING 1)
           SELECT count(*) FROM moved"""


_SUPPRESS_ERASED = f"""UPDATE sms_message m SET status = 'suppressed', suppressed_reason = 'erased'
           WHERE m.status = 'awaiting_contact'
             AND EXISTS (SELECT 1 FROM erased_contact e
                         WHERE e.registration_id = m.registration_id)
           RETURNING {MESSAGE_COLUMNS}"""


async def sweep_awaiting(conn: Conn) -> tuple[int, list[asyncpg.Record]]:
    """Catches what a contact's arrival could not see: a message stored by the loan stream's
    transaction while the registration stream's one was committing the contact (neither saw
    the other's uncommitted row). Messages whose contact exists now go to the queue, where
    the send-time checks (consent, opt-out) decide; those of an erased worker are suppressed.
    Returns (released, suppressed rows); the caller adds their events in the same transaction."""
    released = await conn.fetchval(_SWEEP)
    rows = await conn.fetch(_SUPPRESS_ERASED)
    return int(released or 0), list(rows)
