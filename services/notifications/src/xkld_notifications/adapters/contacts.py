"""Contacts in this service's own database: the phone as registration sealed it, consent,
opt-out and area, and the trainees of a course (who a course's messages go to)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_notifications.application.storage_ports import Contact as Contact  # re-exported
from xkld_notifications.domain.outbound import ContactState

_UPSERT = """INSERT INTO contact (registration_id, phone_ciphertext, sms_consent, commune_code,
               province_code, phone_index)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (registration_id) DO UPDATE
           SET phone_ciphertext = EXCLUDED.phone_ciphertext,
               sms_consent = EXCLUDED.sms_consent, commune_code = EXCLUDED.commune_code,
               province_code = EXCLUDED.province_code, phone_index = EXCLUDED.phone_index,
               updated_at = now()
           RETURNING sms_consent, opted_out_at IS NOT NULL AS opted_out,
               EXISTS (SELECT 1 FROM erased_contact e WHERE e.registration_id = $1) AS erased"""


async def upsert_contact(conn: Conn, contact: Contact) -> ContactState:
    """Keeps the contact; its state as the next read would give it (saves that read)."""
    row = await conn.fetchrow(
        _UPSERT,
        contact.registration_id,
        contact.phone_ciphertext,
        contact.sms_consent,
        contact.commune_code,
        contact.province_code,
        contact.phone_index,
    )
    assert row is not None, "an upsert always returns its row"
    return _state_of(row)


_CONTACT_STATE = """SELECT c.sms_consent, c.opted_out_at IS NOT NULL AS opted_out, false AS erased
           FROM contact c WHERE c.registration_id = $1
           UNION ALL
           SELECT false, false, true FROM erased_contact e WHERE e.registration_id = $1
           ORDER BY 3 DESC LIMIT 1"""


async def contact_state(conn: Conn, registration_id: uuid.UUID) -> ContactState | None:
    """None while the contact is not known here yet (its registration event is still behind)."""
    row = await conn.fetchrow(_CONTACT_STATE, registration_id)
    return None if row is None else _state_of(row)


def _state_of(row: asyncpg.Record) -> ContactState:
    if row["erased"]:  # erasure wins over whatever the contact row says
        return ContactState(sms_consent=False, opted_out=False, erased=True)
    return ContactState(row["sms_consent"], row["opted_out"])


_CONTACT_AREA = """SELECT commune_code, province_code, sms_consent, opted_out_at
           FROM contact WHERE registration_id = $1"""


async def contact_area(pool: asyncpg.Pool, registration_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(_CONTACT_AREA, registration_id)
    return row


async def contacts_by_phone(conn: Conn, phone_index: bytes) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT registration_id FROM contact WHERE phone_index = $1", phone_index
    )
    return [r["registration_id"] for r in rows]


_SET_OPTED_OUT = """UPDATE contact
           SET opted_out_at = CASE WHEN $2 THEN coalesce(opted_out_at, $3) END,
               updated_at = $3
           WHERE registration_id = $1"""


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
    await conn.execute(_SET_OPTED_OUT, registration_id, opted_out, now)
    return bool(before), opted_out


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


_AREAS_OF = """SELECT registration_id, commune_code, province_code FROM contact
           WHERE registration_id = ANY($1::uuid[])"""


async def areas_of(conn: Conn, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    rows = await conn.fetch(_AREAS_OF, list(ids))
    return {r["registration_id"]: r for r in rows}
