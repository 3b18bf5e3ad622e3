"""Erasing a labour-export file's personal data, as stored: the file's columns, its journey's
free text and sealed health data, and the hamlet in its history's events."""

from __future__ import annotations

import uuid

from xkld_shared.db.pool import Conn

from xkld_registration.adapters.journey_store import erase_journey_details
from xkld_registration.application.ports import FileState

_ERASE = """UPDATE registration SET full_name = NULL, cccd_ciphertext = NULL,
        cccd_blind_index = NULL, date_of_birth = NULL, gender = NULL, phone_ciphertext = NULL,
        ethnicity_ciphertext = NULL, poverty_ciphertext = NULL, name_tokens = '{}',
        hamlet = NULL, occupation = NULL, desired_occupation = NULL, erased_at = now(),
        updated_at = now()
    WHERE id = $1"""


class PostgresFileErasure:
    async def state_of(self, conn: Conn, registration_id: uuid.UUID) -> FileState | None:
        """The file, locked until the transaction ends."""
        row = await conn.fetchrow(
            """SELECT commune_code, province_code, status, erased_at IS NOT NULL AS erased
               FROM registration WHERE id = $1 FOR UPDATE""",
            registration_id,
        )
        if row is None:
            return None
        return FileState(row["commune_code"], row["province_code"], row["status"], row["erased"])

    async def erase(self, conn: Conn, registration_id: uuid.UUID) -> None:
        await conn.execute(_ERASE, registration_id)
        await erase_journey_details(conn, registration_id)
        # The file's history keeps what happened, not where the person lives.
        await conn.execute(
            """UPDATE registration_history SET envelope = envelope #- '{payload,hamlet}'
               WHERE registration_id = $1""",
            registration_id,
        )
