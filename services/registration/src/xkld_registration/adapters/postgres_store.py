"""Registration rows in this service's own PostgreSQL database."""

from __future__ import annotations

import uuid

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.adapters.vault import ETHNICITY_PURPOSE, POVERTY_PURPOSE
from xkld_registration.application.ports import PersonalDataVault
from xkld_registration.domain.markets import Market
from xkld_registration.domain.registration import CLOSED_STATUSES, Registration
from xkld_registration.domain.search import name_tokens


class PostgresRegistrationStore:
    async def add_consents(
        self, conn: Conn, registration: Registration, recorded_by: str, recorded_by_name: str
    ) -> None:
        await add_consents(conn, registration, recorded_by, recorded_by_name)

    async def active_commune_for(self, conn: Conn, cccd_index: bytes) -> str | None:
        value = await conn.fetchval(
            """SELECT commune_code FROM registration
               WHERE cccd_blind_index = $1 AND NOT (status = ANY($2::text[]))""",
            cccd_index,
            sorted(CLOSED_STATUSES),
        )
        return None if value is None else str(value)

    async def add(self, conn: Conn, registration: Registration, vault: PersonalDataVault) -> None:
        r, d = registration, registration.details
        await conn.execute(
            """INSERT INTO registration (id, full_name, cccd_ciphertext, cccd_blind_index,
                   date_of_birth, gender, phone_ciphertext, commune_code, province_code,
                   sms_consent, status, submitted_on, ethnicity_ciphertext, poverty_ciphertext,
                   hamlet, education, occupation, priority_groups, desired_market,
                   desired_occupation, loan_wanted, commune_code_entered, name_tokens)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                   $15, $16, $17, $18, $19, $20, $21, $22, $23)""",
            r.id,
            r.full_name,
            vault.seal_cccd(r.cccd),
            vault.cccd_index(r.cccd),
            r.date_of_birth,
            r.gender,
            vault.seal_phone(r.phone_e164),
            r.commune_code,
            r.province_code,
            r.sms_consent,
            r.status.value,
            r.submitted_on,
            vault.seal_sensitive(r.ethnicity_code, ETHNICITY_PURPOSE),
            vault.seal_sensitive(r.household_poverty, POVERTY_PURPOSE),
            d.hamlet,
            d.education,
            d.occupation,
            sorted(d.priority_groups),
            d.desired_market,
            d.desired_occupation,
            d.loan_wanted,
            r.commune_code_entered,
            vault.name_index(name_tokens(r.full_name)),
        )


async def registration_row(conn: Conn, registration_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT id, full_name, cccd_ciphertext, phone_ciphertext, date_of_birth, gender,
                  commune_code, province_code, sms_consent, status, submitted_on, erased_at,
                  ethnicity_ciphertext, poverty_ciphertext, hamlet, education, occupation,
                  priority_groups, desired_market, desired_occupation, loan_wanted,
                  commune_code_entered
           FROM registration WHERE id = $1""",
        registration_id,
    )
    return row


async def add_consents(
    conn: Conn, registration: Registration, recorded_by: str, recorded_by_name: str
) -> None:
    consents = registration.consents
    await conn.executemany(
        """INSERT INTO consent (registration_id, purpose, granted, text_version, recorded_by,
               recorded_by_name) VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (registration.id, p.value, g, consents.text_version, recorded_by, recorded_by_name)
            for p, g in consents.answers.items()
        ],
    )


async def consent_history(conn: Conn, registration_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT purpose, granted, text_version, recorded_by_name, recorded_at
               FROM consent WHERE registration_id = $1 ORDER BY id""",
            registration_id,
        )
    )


class PostgresMarkets:
    async def market(self, conn: Conn, code: str) -> Market | None:
        row = await conn.fetchrow("SELECT * FROM market WHERE code = $1 AND active", code)
        return None if row is None else market_of(row)


def market_of(row: asyncpg.Record) -> Market:
    return Market(
        code=row["code"],
        country_vi=row["country_vi"],
        programme=row["programme"],
        min_age=row["min_age"],
        max_age=row["max_age"],
        typical_cost_vnd=row["typical_cost_vnd"],
        active=row["active"],
    )
