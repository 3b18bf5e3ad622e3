"""The journey's columns of a registration row, and the rows that carry each step's details."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.application.ports import JourneyFile
from xkld_registration.domain.journey_state import Gate, Journey, LoanStage, Stage
from xkld_registration.domain.reference import Course, Enterprise


async def load_file(
    conn: Conn, registration_id: uuid.UUID, *, lock: bool = True
) -> JourneyFile | None:
    """The file, locked until the transaction ends: steps on one file run one at a time."""
    row = await conn.fetchrow(
        """SELECT r.id, r.commune_code, r.province_code, r.status, r.loan_stage, r.gates,
                  r.orientation_certificate_no, r.market_code, r.enterprise_code, r.programme,
                  r.departure_on, r.early_cause, r.loan_request_id, r.loan_application_id,
                  (SELECT c.granted FROM consent c WHERE c.registration_id = r.id
                     AND c.purpose = 'share_with_bank' ORDER BY c.id DESC LIMIT 1) AS bank_consent
           FROM registration r WHERE r.id = $1"""
        + (" FOR UPDATE OF r" if lock else ""),
        registration_id,
    )
    return None if row is None else _file_of(row)


def _file_of(row: asyncpg.Record) -> JourneyFile:
    return JourneyFile(
        id=row["id"],
        commune_code=row["commune_code"],
        province_code=row["province_code"],
        journey=_journey_of(row),
        bank_consent=bool(row["bank_consent"]),
        loan_request_id=row["loan_request_id"],
        loan_application_id=row["loan_application_id"],
    )


async def save_journey(conn: Conn, registration_id: uuid.UUID, journey: Journey) -> None:
    j = journey
    await conn.execute(
        """UPDATE registration SET status = $2, loan_stage = $3, gates = $4, market_code = $5,
               enterprise_code = $6, programme = $7, departure_on = $8, early_cause = $9,
               updated_at = now()
           WHERE id = $1""",
        registration_id,
        j.stage.value,
        j.loan.value,
        sorted(g.value for g in j.gates),
        j.market_code,
        j.enterprise_code,
        j.programme,
        j.departure_on,
        j.early_cause,
    )


async def add_record(
    conn: Conn,
    registration_id: uuid.UUID,
    kind: str,
    recorded_on: dt.date,
    details: dict[str, Any],
    recorded_by: str,
) -> None:
    await conn.execute(
        """INSERT INTO journey_record (registration_id, kind, recorded_on, details, recorded_by)
           VALUES ($1, $2, $3, $4, $5)""",
        registration_id,
        kind,
        recorded_on,
        details,
        recorded_by,
    )


async def erase_journey_details(conn: Conn, registration_id: uuid.UUID) -> None:
    """Erasure on request: the steps' free text and sealed health data go; the facts stay."""
    await conn.execute(
        """UPDATE journey_record SET details = '{}'::jsonb
           WHERE registration_id = $1 AND details <> '{}'::jsonb""",
        registration_id,
    )
    await conn.execute(
        "UPDATE loan_request SET purpose_note = NULL WHERE registration_id = $1", registration_id
    )
    await conn.execute(
        """UPDATE employment_contract SET employer_name = '', contract_number = ''
           WHERE registration_id = $1""",
        registration_id,
    )
    # The household's standing on the poverty list is about the family, not a fact to keep.
    await conn.execute("DELETE FROM poverty_status WHERE registration_id = $1", registration_id)


async def records_of(conn: Conn, registration_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT kind, recorded_on, details, recorded_by, recorded_at FROM journey_record
               WHERE registration_id = $1 ORDER BY id""",
            registration_id,
        )
    )


# --- reference data -------------------------------------------------------------------------


def enterprise_of(row: asyncpg.Record) -> Enterprise:
    return Enterprise(
        code=row["code"],
        licence_number=row["licence_number"],
        licence_valid_from=row["licence_valid_from"],
        licence_valid_to=row["licence_valid_to"],
        markets=frozenset(row["markets"]),
        revoked=row["revoked_on"] is not None,
    )


async def find_enterprise(conn: Conn, code: str) -> Enterprise | None:
    row = await conn.fetchrow("SELECT * FROM enterprise WHERE code = $1", code)
    return None if row is None else enterprise_of(row)


def course_of(row: asyncpg.Record) -> Course:
    return Course(
        id=row["id"],
        code=row["code"],
        course_type=row["course_type"],
        title=row["title"],
        provider=row["provider"],
        venue=row["venue"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        capacity=row["capacity"],
        trade_code=row["trade_code"],
        plan_line_id=row["plan_line_id"],
    )


async def find_course(conn: Conn, course_id: uuid.UUID, *, lock: bool = False) -> Course | None:
    # Locking the course serialises enrolments into it, so the capacity check holds.
    sql = "SELECT * FROM course WHERE id = $1" + (" FOR UPDATE" if lock else "")
    row = await conn.fetchrow(sql, course_id)
    return None if row is None else course_of(row)


def _journey_of(row: asyncpg.Record) -> Journey:
    return Journey(
        stage=Stage(row["status"]),
        loan=LoanStage(row["loan_stage"]),
        gates=frozenset(Gate(g) for g in row["gates"]),
        orientation_certified=row["orientation_certificate_no"] is not None,
        market_code=row["market_code"],
        enterprise_code=row["enterprise_code"],
        programme=row["programme"],
        departure_on=row["departure_on"],
        early_cause=row["early_cause"],
    )


class PostgresJourneyFiles:
    """The functions above, as the application's `JourneyFiles` port."""

    async def load_file(
        self, conn: Conn, registration_id: uuid.UUID, *, lock: bool = True
    ) -> JourneyFile | None:
        return await load_file(conn, registration_id, lock=lock)

    async def save_journey(self, conn: Conn, registration_id: uuid.UUID, journey: Journey) -> None:
        await save_journey(conn, registration_id, journey)

    async def add_record(
        self,
        conn: Conn,
        registration_id: uuid.UUID,
        kind: str,
        recorded_on: dt.date,
        details: dict[str, Any],
        recorded_by: str,
    ) -> None:
        await add_record(conn, registration_id, kind, recorded_on, details, recorded_by)

    async def find_enterprise(self, conn: Conn, code: str) -> Enterprise | None:
        return await find_enterprise(conn, code)

    async def find_course(
        self, conn: Conn, course_id: uuid.UUID, *, lock: bool = False
    ) -> Course | None:
        return await find_course(conn, course_id, lock=lock)
