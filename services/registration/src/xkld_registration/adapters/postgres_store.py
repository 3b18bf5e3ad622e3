"""Registration rows in this service's own PostgreSQL database."""

from __future__ import annotations

from xkld_shared.db.pool import Conn

from xkld_registration.application.ports import PersonalDataVault
from xkld_registration.domain.registration import CLOSED_STATUSES, Registration


class PostgresRegistrationStore:
    async def active_commune_for(self, conn: Conn, cccd_index: bytes) -> str | None:
        value = await conn.fetchval(
            """SELECT commune_code FROM registration
               WHERE cccd_blind_index = $1 AND NOT (status = ANY($2::text[]))""",
            cccd_index,
            sorted(CLOSED_STATUSES),
        )
        return None if value is None else str(value)

    async def add(self, conn: Conn, registration: Registration, vault: PersonalDataVault) -> None:
        r = registration
        await conn.execute(
            """INSERT INTO registration (id, full_name, cccd_ciphertext, cccd_blind_index,
                   date_of_birth, gender, phone_ciphertext, commune_code, sms_consent, status,
                   submitted_on)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            r.id,
            r.full_name,
            vault.seal_cccd(r.cccd),
            vault.cccd_index(r.cccd),
            r.date_of_birth,
            r.gender,
            vault.seal_phone(r.phone_e164),
            r.commune_code,
            r.sms_consent,
            r.status.value,
            r.submitted_on,
        )
