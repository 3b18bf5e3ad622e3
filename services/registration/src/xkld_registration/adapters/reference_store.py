"""Reference data as stored: licensed enterprises and training courses, with a course's roster.
Every method runs on the caller's connection, inside the use case's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.adapters.journey_store import course_of
from xkld_registration.application.ports import EnterpriseLicence
from xkld_registration.domain.reference import Course

_ADD_COURSE = """INSERT INTO course (id, code, course_type, title, provider, venue, starts_on,
        ends_on, capacity, trade_code, plan_line_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"""

_COURSES = """SELECT c.*, (SELECT count(*) FROM enrolment e WHERE e.course_id = c.id)
            + (SELECT count(*) FROM trainee_enrolment t WHERE t.course_id = c.id) AS enrolled
    FROM course c ORDER BY c.starts_on, c.code"""

_ROSTER = """SELECT e.registration_id, e.enrolled_on, e.completed_on, e.passed,
          e.certificate_number, count(a.*) FILTER (WHERE a.present) AS days_present,
          count(a.*) FILTER (WHERE NOT a.present) AS days_absent
    FROM enrolment e LEFT JOIN attendance a
      ON a.registration_id = e.registration_id AND a.course_id = e.course_id
    WHERE e.course_id = $1 GROUP BY e.registration_id, e.course_id
    ORDER BY e.enrolled_on, e.registration_id"""


class PostgresReferenceStore:
    async def add_enterprise(self, conn: Conn, licence: EnterpriseLicence) -> bool:
        """False when the code is listed already; a savepoint keeps the caller's work intact."""
        return await _added(
            conn,
            """INSERT INTO enterprise (code, name, licence_number, licence_valid_from,
                   licence_valid_to, markets) VALUES ($1, $2, $3, $4, $5, $6)""",
            *_licence_args(licence),
        )

    async def licence_of(self, conn: Conn, code: str) -> dict[str, Any] | None:
        """The enterprise's licence, locked until the transaction ends."""
        row = await conn.fetchrow(
            """SELECT name, licence_number, licence_valid_from, licence_valid_to, markets
               FROM enterprise WHERE code = $1 FOR UPDATE""",
            code,
        )
        return None if row is None else dict(row) | {"markets": list(row["markets"])}

    async def renew(self, conn: Conn, licence: EnterpriseLicence) -> None:
        await conn.execute(
            """UPDATE enterprise SET name = $2, licence_number = $3, licence_valid_from = $4,
                   licence_valid_to = $5, markets = $6, updated_at = now() WHERE code = $1""",
            *_licence_args(licence),
        )

    async def revocation_of(self, conn: Conn, code: str) -> tuple[bool, dt.date | None]:
        """Whether the enterprise is listed, and when its licence was revoked (locked)."""
        row = await conn.fetchrow(
            "SELECT revoked_on FROM enterprise WHERE code = $1 FOR UPDATE", code
        )
        return (False, None) if row is None else (True, row["revoked_on"])

    async def revoke(self, conn: Conn, code: str, on: dt.date) -> None:
        await conn.execute(
            "UPDATE enterprise SET revoked_on = $2, updated_at = now() WHERE code = $1", code, on
        )

    async def enterprises(self, conn: Conn) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            """SELECT code, name, licence_number, licence_valid_from, licence_valid_to, markets,
                      revoked_on FROM enterprise ORDER BY code"""
        )
        return [dict(r) for r in rows]

    async def add_course(self, conn: Conn, course: Course) -> bool:
        """False when the code is taken already; a savepoint keeps the caller's work intact."""
        c = course
        return await _added(
            conn,
            _ADD_COURSE,
            *(c.id, c.code, c.course_type, c.title, c.provider, c.venue, c.starts_on),
            *(c.ends_on, c.capacity, c.trade_code, c.plan_line_id),
        )

    async def courses(self, conn: Conn) -> list[dict[str, Any]]:
        rows = await conn.fetch(_COURSES)
        return [asdict(course_of(r)) | {"enrolled": r["enrolled"]} for r in rows]

    async def course_id_of(self, conn: Conn, code: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await conn.fetchval("SELECT id FROM course WHERE code = $1", code)
        return found

    async def roster(self, conn: Conn, course_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await conn.fetch(_ROSTER, course_id)]


def _licence_args(licence: EnterpriseLicence) -> tuple[Any, ...]:
    return (
        licence.code,
        licence.name,
        licence.licence_number,
        licence.licence_valid_from,
        licence.licence_valid_to,
        sorted(licence.markets),
    )


async def _added(conn: Conn, sql: str, *args: Any) -> bool:
    try:
        async with conn.transaction():
            await conn.execute(sql, *args)
    except asyncpg.UniqueViolationError:
        return False
    return True
