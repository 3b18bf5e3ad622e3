"""Registration rows in this service's own PostgreSQL database."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.application.ports import (
    ETHNICITY_PURPOSE,
    POVERTY_PURPOSE,
    GivenConsents,
    PersonalDataVault,
    Row,
    Sealed,
)
from xkld_registration.domain.markets import Market
from xkld_registration.domain.registration import CLOSED_STATUSES, Registration
from xkld_registration.domain.search import name_tokens

# The columns are the typed row's fields, in order: one list, so the two cannot drift apart.
_INSERT_REGISTRATION = (
    f"INSERT INTO registration ({', '.join(Row._fields)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(Row._fields) + 1))})"
)

_INSERT_CONSENTS = (
    # One statement for every row (a batch holds 4 per file): half the server's work per row
    # of one execution per row.
    """INSERT INTO consent (registration_id, purpose, granted, text_version, recorded_by,
               recorded_by_name)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::bool[], $4::text[], $5::text[],
               $6::text[])"""
)


# One index probe per CCCD, whatever the plan cache decides. asyncpg prepares statements, and
# PostgreSQL keeps a generic plan once it looks no worse than the first few: for a table that
# starts empty that plan is a sequential scan, kept by long-lived connections as the table grows
# (measured: 3.6 ms per call at 17 000 rows). A LATERAL probe with LIMIT 1 is planned as an
# index scan even then. The closed statuses are written into the statement, not passed as a
# parameter, so that the partial unique index's predicate can be proved.
_CLOSED = ", ".join(f"'{status.value}'" for status in sorted(CLOSED_STATUSES))
ACTIVE_BY_CCCD = f"""SELECT k.cccd_blind_index, r.commune_code
    FROM unnest($1::bytea[]) AS k(cccd_blind_index)
    CROSS JOIN LATERAL (SELECT commune_code FROM registration
        WHERE cccd_blind_index = k.cccd_blind_index AND status NOT IN ({_CLOSED}) LIMIT 1) AS r"""


class PostgresRegistrationStore:
    def row_of(self, registration: Registration, vault: PersonalDataVault, sealed: Sealed) -> Row:
        """The row's values, sealed and hashed: computed before any transaction is open."""
        r, d = registration, registration.details
        return Row(
            id=r.id,
            full_name=r.full_name,
            cccd_ciphertext=vault.seal_cccd(r.cccd),
            cccd_blind_index=sealed.cccd_index,
            date_of_birth=r.date_of_birth,
            gender=r.gender,
            phone_ciphertext=sealed.phone,
            commune_code=r.commune_code,
            province_code=r.province_code,
            sms_consent=r.sms_consent,
            status=r.status.value,
            submitted_on=r.submitted_on,
            ethnicity_ciphertext=vault.seal_sensitive(r.ethnicity_code, ETHNICITY_PURPOSE),
            poverty_ciphertext=vault.seal_sensitive(r.household_poverty, POVERTY_PURPOSE),
            hamlet=d.hamlet,
            education=d.education,
            occupation=d.occupation,
            priority_groups=sorted(d.priority_groups),
            desired_market=d.desired_market,
            desired_occupation=d.desired_occupation,
            loan_wanted=d.loan_wanted,
            commune_code_entered=r.commune_code_entered,
            name_tokens=vault.name_index(name_tokens(r.full_name)),
            outreach_respondent_id=d.outreach_respondent_id,
        )

    async def from_respondents(
        self, conn: Conn, respondent_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, Mapping[str, Any]]:
        """The files already made from these survey respondents, by respondent."""
        rows = await conn.fetch(
            """SELECT outreach_respondent_id, id AS registration_id, status, commune_code,
                      commune_code_entered, submitted_on
               FROM registration WHERE outreach_respondent_id = ANY($1::uuid[])""",
            list(respondent_ids),
        )
        return {r["outreach_respondent_id"]: dict(r) for r in rows}

    async def add_all(self, conn: Conn, rows: Sequence[Row]) -> None:
        await conn.executemany(_INSERT_REGISTRATION, rows)

    async def add_consents(self, conn: Conn, given: Sequence[GivenConsents]) -> None:
        await add_consents(conn, given)

    async def active_commune_for(self, conn: Conn, cccd_index: bytes) -> str | None:
        return (await self.active_communes_for(conn, [cccd_index])).get(cccd_index)

    async def active_communes_for(self, conn: Conn, indexes: Sequence[bytes]) -> dict[bytes, str]:
        """The commune of each CCCD (by blind index) that already has an active file."""
        rows = await conn.fetch(ACTIVE_BY_CCCD, list(indexes))
        return {bytes(r["cccd_blind_index"]): str(r["commune_code"]) for r in rows}


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


class PostgresRegistrationRows:
    """`registration_row` above, as the application's `RegistrationRows` port."""

    async def registration_row(
        self, conn: Conn, registration_id: uuid.UUID
    ) -> asyncpg.Record | None:
        return await registration_row(conn, registration_id)


async def add_consents(conn: Conn, given: Sequence[GivenConsents]) -> None:
    if rows := [row for g in given for row in _consent_rows(g)]:
        await conn.execute(_INSERT_CONSENTS, *(list(column) for column in zip(*rows, strict=True)))


def _consent_rows(g: GivenConsents) -> list[tuple[Any, ...]]:
    r = g.registration
    return [
        (r.id, purpose.value, granted, r.consents.text_version, g.recorded_by, g.recorded_by_name)
        for purpose, granted in r.consents.answers.items()
    ]


async def consent_history(conn: Conn, registration_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT purpose, granted, text_version, recorded_by_name, recorded_at
               FROM consent WHERE registration_id = $1 ORDER BY id""",
            registration_id,
        )
    )


class PostgresMarkets:
    """Active markets, read afresh at most every `ttl_seconds`.

    Every intake checks the desired market's age limits; markets change a few times a year,
    so one read serves many intakes. A change made through this process is seen at once
    (`forget`); one made through another worker process, within `ttl_seconds`.
    """

    def __init__(self, pool: asyncpg.Pool, ttl_seconds: float = 5.0) -> None:
        self._pool = pool
        self._ttl = ttl_seconds
        self._markets: dict[str, Market] = {}
        self._read_at: float | None = None
        self._generation = 0  # bumped by `forget`, so a read begun before it is not kept

    async def market(self, code: str) -> Market | None:
        now = time.monotonic()
        if self._read_at is None or now - self._read_at > self._ttl:
            generation = self._generation
            rows = await self._pool.fetch("SELECT * FROM market WHERE active")
            markets = {r["code"]: market_of(r) for r in rows}
            if generation != self._generation:
                return markets.get(code)
            self._markets, self._read_at = markets, now
        return self._markets.get(code)

    def forget(self) -> None:
        self._generation += 1
        self._read_at = None


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
