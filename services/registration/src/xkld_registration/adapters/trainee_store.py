"""Trainees who stay, in this service's own PostgreSQL: the rows a trainee's steps read and
write. Every method runs on the caller's connection, inside the use case's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.adapters.journey_store import find_course
from xkld_registration.application.ports import FileLink, Holder, TraineeInsert, TraineeRow
from xkld_registration.domain.reference import Course

# The columns are the typed row's fields, in order: one list, so the two cannot drift apart.
_INSERT_TRAINEE = (
    f"INSERT INTO trainee ({', '.join(TraineeInsert._fields)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(TraineeInsert._fields) + 1))})"
)

_ERASE = """UPDATE trainee SET full_name = NULL, cccd_ciphertext = NULL, cccd_blind_index = NULL,
        date_of_birth = NULL, gender = NULL, phone_ciphertext = NULL, ethnicity_ciphertext = NULL,
        poverty_ciphertext = NULL, hamlet = NULL, erased_at = now()
    WHERE id = $1"""

_PUT_OUTCOME = """INSERT INTO trainee_outcome (trainee_id, course_id, outcome, observed_on,
        registration_id, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (trainee_id, course_id) DO UPDATE
    SET outcome = EXCLUDED.outcome, observed_on = EXCLUDED.observed_on,
        registration_id = EXCLUDED.registration_id, recorded_by = EXCLUDED.recorded_by,
        recorded_at = now()"""


class PostgresTraineeStore:
    async def find(self, conn: Conn, trainee_id: uuid.UUID, *, lock: bool) -> TraineeRow | None:
        row = await conn.fetchrow(
            """SELECT id, commune_code, province_code, cccd_blind_index,
                      erased_at IS NOT NULL AS erased FROM trainee WHERE id = $1"""
            + (" FOR UPDATE" if lock else ""),
            trainee_id,
        )
        if row is None:
            return None
        return TraineeRow(
            row["id"],
            row["commune_code"],
            row["province_code"],
            row["cccd_blind_index"],
            row["erased"],
        )

    async def add(self, conn: Conn, row: TraineeInsert) -> bool:
        """False when the person is a trainee already (the blind index is unique)."""
        try:
            async with conn.transaction():
                await conn.execute(_INSERT_TRAINEE, *row)
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def holder(self, conn: Conn, index: bytes) -> Holder | None:
        row = await conn.fetchrow(
            "SELECT id, commune_code FROM trainee WHERE cccd_blind_index = $1", index
        )
        return None if row is None else Holder(row["id"], row["commune_code"])

    async def note_other_support(
        self, conn: Conn, index: bytes, trainee_id: uuid.UUID, policy_code: str
    ) -> None:
        await conn.execute(
            """INSERT INTO training_support_once (person_index, trainee_id, kind, policy_code)
               VALUES ($1, $2, 'other_policy', $3) ON CONFLICT DO NOTHING""",
            index,
            trainee_id,
            policy_code,
        )

    async def files_of(self, conn: Conn, index: bytes) -> list[FileLink]:
        rows = await conn.fetch(
            """SELECT id, status, commune_code, submitted_on FROM registration
               WHERE cccd_blind_index = $1 ORDER BY submitted_on, id""",
            index,
        )
        return [FileLink(r["id"], r["status"], r["commune_code"], r["submitted_on"]) for r in rows]

    async def course(self, conn: Conn, course_id: uuid.UUID, *, lock: bool) -> Course | None:
        return await find_course(conn, course_id, lock=lock)

    async def seats(
        self, conn: Conn, course_id: uuid.UUID, trainee_id: uuid.UUID
    ) -> tuple[int, bool]:
        """Places taken in the course (workers and trainees), and whether this trainee has one."""
        row = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM enrolment WHERE course_id = $1)
                    + (SELECT count(*) FROM trainee_enrolment WHERE course_id = $1) AS taken,
                      EXISTS (SELECT 1 FROM trainee_enrolment
                              WHERE course_id = $1 AND trainee_id = $2) AS mine""",
            course_id,
            trainee_id,
        )
        assert row is not None  # an aggregate always returns one row
        return row["taken"], row["mine"]

    async def enrol(
        self, conn: Conn, ids: tuple[uuid.UUID, uuid.UUID], on: dt.date, distance_km: Decimal
    ) -> None:
        await conn.execute(
            """INSERT INTO trainee_enrolment (trainee_id, course_id, enrolled_on, distance_km)
               VALUES ($1, $2, $3, $4)""",
            *ids,
            on,
            distance_km,
        )

    async def enrolment(
        self, conn: Conn, ids: tuple[uuid.UUID, uuid.UUID]
    ) -> tuple[bool, dt.date | None]:
        """Whether the trainee is enrolled in the course, and when they completed it."""
        row = await conn.fetchrow(
            """SELECT completed_on FROM trainee_enrolment
               WHERE trainee_id = $1 AND course_id = $2""",
            *ids,
        )
        return (False, None) if row is None else (True, row["completed_on"])

    async def attendance(
        self, conn: Conn, ids: tuple[uuid.UUID, uuid.UUID], on: dt.date
    ) -> bool | None:
        value: bool | None = await conn.fetchval(
            """SELECT present FROM trainee_attendance
               WHERE trainee_id = $1 AND course_id = $2 AND attended_on = $3""",
            *ids,
            on,
        )
        return value

    async def set_attendance(
        self, conn: Conn, ids: tuple[uuid.UUID, uuid.UUID], on: dt.date, present: bool
    ) -> None:
        await conn.execute(
            """INSERT INTO trainee_attendance (trainee_id, course_id, attended_on, present)
               VALUES ($1, $2, $3, $4) ON CONFLICT (trainee_id, course_id, attended_on)
               DO UPDATE SET present = EXCLUDED.present""",
            *ids,
            on,
            present,
        )

    async def complete(
        self,
        conn: Conn,
        ids: tuple[uuid.UUID, uuid.UUID],
        on: dt.date,
        result: tuple[bool, str | None],
    ) -> bool:
        """Records the result; False when the certificate number belongs to someone else."""
        try:
            async with conn.transaction():
                await conn.execute(
                    """UPDATE trainee_enrolment
                       SET completed_on = $3, passed = $4, certificate_number = $5
                       WHERE trainee_id = $1 AND course_id = $2""",
                    *ids,
                    on,
                    *result,
                )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def owns_file(self, conn: Conn, registration_id: uuid.UUID, index: bytes | None) -> bool:
        found = await conn.fetchval(
            "SELECT true FROM registration WHERE id = $1 AND cccd_blind_index = $2",
            registration_id,
            index,
        )
        return bool(found)

    async def outcome(self, conn: Conn, ids: tuple[uuid.UUID, uuid.UUID]) -> str | None:
        """The outcome recorded for the course, as `outcome@observed_on`, or None."""
        row = await conn.fetchrow(
            """SELECT outcome, observed_on FROM trainee_outcome
               WHERE trainee_id = $1 AND course_id = $2""",
            *ids,
        )
        return None if row is None else f"{row['outcome']}@{row['observed_on']}"

    async def put_outcome(
        self,
        conn: Conn,
        ids: tuple[uuid.UUID, uuid.UUID],
        observed: tuple[str, dt.date, uuid.UUID | None],
        by: str,
    ) -> None:
        await conn.execute(_PUT_OUTCOME, *ids, *observed, by)

    async def erase(self, conn: Conn, trainee_id: uuid.UUID) -> None:
        await conn.execute(_ERASE, trainee_id)
        # A certificate number finds the person in the training centre's register.
        await conn.execute(
            "UPDATE trainee_enrolment SET certificate_number = NULL WHERE trainee_id = $1",
            trainee_id,
        )
