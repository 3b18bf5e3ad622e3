"""The SQL behind consent answers, household poverty statuses and success stories. Every method
runs on the caller's connection, inside the use case's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from xkld_shared.db.pool import Conn

from xkld_registration.application.ports.follow_up import (
    ConsentAnswer,
    PovertyRecord,
    StoryInput,
    StoryRow,
)

_CONSENTED = """(SELECT c.granted FROM consent c WHERE c.registration_id = r.id
                   AND c.purpose = 'success_story' ORDER BY c.id DESC LIMIT 1)"""
_STORY = f"""
    SELECT r.id, r.full_name, r.commune_code, m.country_vi,
           e.term_months, s.job, s.savings_vnd, s.after_return, s.updated_at
    FROM success_story s JOIN registration r ON r.id = s.registration_id
    LEFT JOIN market m ON m.code = r.market_code
    LEFT JOIN employment_contract e ON e.registration_id = r.id
    WHERE coalesce({_CONSENTED}, false)"""


class PostgresConsents:
    async def lock_place(self, conn: Conn, registration_id: uuid.UUID) -> tuple[str, str] | None:
        row = await conn.fetchrow(
            """SELECT commune_code, province_code FROM registration
               WHERE id = $1 AND erased_at IS NULL FOR UPDATE""",
            registration_id,
        )
        return None if row is None else (row["commune_code"], row["province_code"])

    async def latest(self, conn: Conn, registration_id: uuid.UUID, purpose: str) -> bool | None:
        granted: bool | None = await conn.fetchval(
            """SELECT granted FROM consent WHERE registration_id = $1 AND purpose = $2
               ORDER BY id DESC LIMIT 1""",
            registration_id,
            purpose,
        )
        return granted

    async def add(self, conn: Conn, registration_id: uuid.UUID, answer: ConsentAnswer) -> None:
        await conn.execute(
            """INSERT INTO consent (registration_id, purpose, granted, text_version,
                   recorded_by, recorded_by_name) VALUES ($1, $2, $3, $4, $5, $6)""",
            registration_id,
            *answer,
        )

    async def drop_story(self, conn: Conn, registration_id: uuid.UUID) -> bool:
        removed = await conn.fetchval(
            "DELETE FROM success_story WHERE registration_id = $1 RETURNING true", registration_id
        )
        return bool(removed)


class PostgresPovertyStatuses:
    async def recorded(
        self, conn: Conn, registration_id: uuid.UUID, basis: str, list_year: int
    ) -> tuple[int, str] | None:
        row = await conn.fetchrow(
            """SELECT list_year, status FROM poverty_status WHERE registration_id = $1
               AND basis = $2 AND (basis = 'intake' OR list_year = $3)""",
            registration_id,
            basis,
            list_year,
        )
        return None if row is None else (row["list_year"], row["status"])

    async def add(
        self, conn: Conn, registration_id: uuid.UUID, record: PovertyRecord, by: tuple[dt.date, str]
    ) -> None:
        await conn.execute(
            """INSERT INTO poverty_status (registration_id, basis, list_year, status,
                   recorded_on, recorded_by)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            registration_id, record.basis, record.list_year, record.status, *by,
        )  # fmt: skip

    async def of(self, conn: Conn, registration_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            """SELECT basis, list_year, status, recorded_on, recorded_by FROM poverty_status
               WHERE registration_id = $1 ORDER BY basis DESC, list_year""",
            registration_id,
        )
        return [dict(r) for r in rows]


class PostgresStories:
    async def consented(self, conn: Conn, registration_id: uuid.UUID) -> bool:
        consented = await conn.fetchval(
            f"SELECT {_CONSENTED} FROM registration r WHERE r.id = $1", registration_id
        )
        return bool(consented)

    async def put(self, conn: Conn, registration_id: uuid.UUID, story: StoryInput, by: str) -> None:
        await conn.execute(
            """INSERT INTO success_story (registration_id, job, savings_vnd, after_return,
                   written_by)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (registration_id) DO UPDATE SET job = EXCLUDED.job,
                   savings_vnd = EXCLUDED.savings_vnd, after_return = EXCLUDED.after_return,
                   written_by = EXCLUDED.written_by, updated_at = now()""",
            registration_id, story.job, story.savings_vnd, story.after_return, by,
        )  # fmt: skip

    async def one(self, conn: Conn, registration_id: uuid.UUID) -> StoryRow | None:
        row = await conn.fetchrow(_STORY + " AND r.id = $1", registration_id)
        return None if row is None else StoryRow(*row.values())

    async def in_scope(
        self, conn: Conn, communes: list[str], province: str | None
    ) -> list[StoryRow]:
        rows = await conn.fetch(
            _STORY
            + """ AND (r.commune_code = ANY($1::text[]) OR r.province_code = $2)
               ORDER BY s.updated_at DESC, r.id LIMIT 200""",
            communes,
            province,
        )
        return [StoryRow(*r.values()) for r in rows]
