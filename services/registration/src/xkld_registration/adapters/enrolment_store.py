"""Workers' places in courses, as stored: enrolment, attendance and results on a labour-export
file. Every method runs on the caller's connection, inside the step's transaction."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.application.ports import FileCourse

# Trainees who stay (trainee_enrolment) take places in the same courses.
_SEATS = """SELECT (SELECT count(*) FROM enrolment WHERE course_id = $1)
        + (SELECT count(*) FROM trainee_enrolment WHERE course_id = $1) AS enrolled,
          EXISTS (SELECT 1 FROM enrolment WHERE course_id = $1 AND registration_id = $2) AS mine"""


class PostgresEnrolments:
    async def seats(self, conn: Conn, ids: FileCourse) -> tuple[int, bool]:
        """Places taken in the course (workers and trainees), and whether this file has one."""
        row = await conn.fetchrow(_SEATS, ids[1], ids[0])
        assert row is not None  # an aggregate always returns one row
        return row["enrolled"], row["mine"]

    async def enrol(self, conn: Conn, ids: FileCourse, on: dt.date) -> None:
        await conn.execute(
            "INSERT INTO enrolment (registration_id, course_id, enrolled_on) VALUES ($1, $2, $3)",
            *ids,
            on,
        )

    async def enrolment(self, conn: Conn, ids: FileCourse) -> tuple[bool, dt.date | None]:
        """Whether the file is enrolled in the course, and when the course was completed."""
        row = await conn.fetchrow(
            "SELECT completed_on FROM enrolment WHERE registration_id = $1 AND course_id = $2",
            *ids,
        )
        return (False, None) if row is None else (True, row["completed_on"])

    async def complete(
        self, conn: Conn, ids: FileCourse, on: dt.date, result: tuple[bool, str | None]
    ) -> None:
        await conn.execute(
            """UPDATE enrolment SET completed_on = $3, passed = $4, certificate_number = $5
               WHERE registration_id = $1 AND course_id = $2""",
            *ids,
            on,
            *result,
        )

    async def certify_orientation(self, conn: Conn, rid: uuid.UUID, number: str | None) -> bool:
        """False when the certificate number is on another file already."""
        try:
            async with conn.transaction():
                await conn.execute(
                    "UPDATE registration SET orientation_certificate_no = $2 WHERE id = $1",
                    rid,
                    number,
                )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def attendance(self, conn: Conn, ids: FileCourse, on: dt.date) -> bool | None:
        value: bool | None = await conn.fetchval(
            """SELECT present FROM attendance
               WHERE registration_id = $1 AND course_id = $2 AND attended_on = $3""",
            *ids,
            on,
        )
        return value

    async def set_attendance(self, conn: Conn, ids: FileCourse, on: dt.date, present: bool) -> None:
        await conn.execute(
            """INSERT INTO attendance (registration_id, course_id, attended_on, present)
               VALUES ($1, $2, $3, $4) ON CONFLICT (registration_id, course_id, attended_on)
               DO UPDATE SET present = EXCLUDED.present""",
            *ids,
            on,
            present,
        )
