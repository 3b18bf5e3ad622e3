"""A worker gives or takes back a consent after intake (the bank or the enterprise purpose).

The answer is added to the history, never overwritten, so the printed record stays complete.
Consents that other services act on through events (processing, SMS) are not changed here.
"""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.audit import ChangeContext, record_change

from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.application.scope import may_act_on
from xkld_registration.domain.consent import Purpose

CHANGEABLE = frozenset({Purpose.SHARE_WITH_BANK, Purpose.SHARE_WITH_ENTERPRISE})


async def change_consent(
    pool: asyncpg.Pool,
    context: ChangeContext,
    registration_id: uuid.UUID,
    purpose: Purpose,
    granted: bool,
    text_version: str,
) -> None:
    assert purpose in CHANGEABLE, "the HTTP edge admits only these purposes"
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            """SELECT commune_code, province_code FROM registration
               WHERE id = $1 AND erased_at IS NULL FOR UPDATE""",
            registration_id,
        )
        if row is None or not may_act_on(context.actor, row["commune_code"], row["province_code"]):
            raise RegistrationNotFound
        before = await conn.fetchval(
            """SELECT granted FROM consent WHERE registration_id = $1 AND purpose = $2
               ORDER BY id DESC LIMIT 1""",
            registration_id,
            purpose.value,
        )
        await conn.execute(
            """INSERT INTO consent (registration_id, purpose, granted, text_version,
                   recorded_by, recorded_by_name) VALUES ($1, $2, $3, $4, $5, $6)""",
            registration_id,
            purpose.value,
            granted,
            text_version,
            context.actor.subject,
            context.actor.username,
        )
        await record_change(
            conn,
            context,
            action="registration.consent_changed",
            entity_type="registration",
            entity_id=str(registration_id),
            before={f"consent.{purpose.value}": before},
            after={f"consent.{purpose.value}": granted, "consent_text_version": text_version},
        )
