"""A trainee's history as stored: courses, results, outcomes and support, the file that shares
the person's blind index, and the officer's outcome reminders. Reads only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.application.ports import FileOwner, TraineeHead
from xkld_registration.domain.training_outcome import FOLLOW_UP_MONTHS, add_months


class PostgresTraineeRecords:
    async def head(self, conn: Conn, trainee_id: uuid.UUID) -> TraineeHead:
        row = await conn.fetchrow(
            """SELECT full_name, commune_code, registered_on, support_groups,
                      difficult_commune, erased_at FROM trainee WHERE id = $1""",
            trainee_id,
        )
        assert row is not None  # the caller has just loaded the trainee
        return TraineeHead(
            row["full_name"],
            row["commune_code"],
            row["registered_on"],
            list(row["support_groups"]),
            row["difficult_commune"],
            row["erased_at"] is not None,
        )

    async def file_owner(self, conn: Conn, registration_id: uuid.UUID) -> FileOwner | None:
        row = await conn.fetchrow(
            """SELECT commune_code, province_code, cccd_blind_index FROM registration
               WHERE id = $1""",
            registration_id,
        )
        if row is None:
            return None
        return FileOwner(row["commune_code"], row["province_code"], row["cccd_blind_index"])

    async def trainee_of(self, conn: Conn, index: bytes) -> uuid.UUID | None:
        found: uuid.UUID | None = await conn.fetchval(
            "SELECT id FROM trainee WHERE cccd_blind_index = $1", index
        )
        return found

    async def courses_of(self, conn: Conn, trainee_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            """SELECT c.id, c.code, c.title, c.starts_on, c.ends_on, e.enrolled_on, e.completed_on,
                      e.passed, e.distance_km, o.outcome, o.observed_on,
                      (SELECT count(*) FROM trainee_attendance a WHERE a.trainee_id = e.trainee_id
                         AND a.course_id = e.course_id AND a.present) AS days_present
               FROM trainee_enrolment e JOIN course c ON c.id = e.course_id
               LEFT JOIN trainee_outcome o
                 ON o.trainee_id = e.trainee_id AND o.course_id = e.course_id
               WHERE e.trainee_id = $1 ORDER BY e.enrolled_on, c.code""",
            trainee_id,
        )
        return [_course_line(r) for r in rows]

    async def support_of(
        self, conn: Conn, person_index: bytes | None, trainee_id: uuid.UUID | None = None
    ) -> dict[str, Any] | None:
        """The person's support row; an erased trainee's is found by their id."""
        row = await conn.fetchrow(
            """SELECT s.kind, s.policy_code, s.course_id, s.payment_id, p.paid_on, l.cost_vnd,
                      l.meals_vnd, l.travel_vnd
               FROM training_support_once s
               LEFT JOIN support_payment p ON p.id = s.payment_id
               LEFT JOIN support_payment_line l
                 ON l.payment_id = s.payment_id AND l.trainee_id = s.trainee_id
               WHERE s.person_index = $1 OR s.trainee_id = $2""",
            person_index,
            trainee_id,
        )
        return None if row is None else _support_line(row)

    async def outcomes_due(
        self, conn: Conn, communes: list[str], today: dt.date
    ) -> list[dict[str, Any]]:
        """Trainees of these communes who finished a course less than six months ago and
        have no employment outcome recorded for it yet, soonest due first."""
        since = add_months(today, -FOLLOW_UP_MONTHS)
        rows = await conn.fetch(
            """SELECT t.id, t.full_name, t.commune_code, c.id AS course_id, c.code, e.completed_on
               FROM trainee_enrolment e
               JOIN trainee t ON t.id = e.trainee_id
               JOIN course c ON c.id = e.course_id
               WHERE t.commune_code = ANY($1::text[]) AND e.completed_on BETWEEN $2 AND $3
                 AND t.erased_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM trainee_outcome o
                                 WHERE o.trainee_id = e.trainee_id AND o.course_id = e.course_id)
               ORDER BY e.completed_on, t.full_name, t.id""",
            communes,
            since,
            today,
        )
        return [_outcome_due(r) for r in rows]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _course_line(r: asyncpg.Record) -> dict[str, Any]:
    return {
        "course_id": str(r["id"]),
        "course_code": r["code"],
        "title": r["title"],
        "starts_on": r["starts_on"].isoformat(),
        "ends_on": r["ends_on"].isoformat(),
        "enrolled_on": r["enrolled_on"].isoformat(),
        "distance_km": str(r["distance_km"]),
        "days_present": r["days_present"],
        "completed_on": _iso(r["completed_on"]),
        "passed": r["passed"],
        "employment_outcome": r["outcome"],
        "outcome_observed_on": _iso(r["observed_on"]),
    }


def _support_line(row: asyncpg.Record) -> dict[str, Any]:
    paid = row["kind"] == "paid"
    return {
        "kind": row["kind"],
        "policy_code": row["policy_code"],
        "course_id": None if row["course_id"] is None else str(row["course_id"]),
        "payment_id": None if row["payment_id"] is None else str(row["payment_id"]),
        "paid_on": row["paid_on"].isoformat() if paid else None,
        "total_vnd": (row["cost_vnd"] + row["meals_vnd"] + row["travel_vnd"]) if paid else None,
    }


def _outcome_due(r: asyncpg.Record) -> dict[str, Any]:
    return {
        "trainee_id": str(r["id"]),
        "full_name": r["full_name"],
        "commune_code": r["commune_code"],
        "course_id": str(r["course_id"]),
        "course_code": r["code"],
        "completed_on": r["completed_on"].isoformat(),
        "due_by": add_months(r["completed_on"], FOLLOW_UP_MONTHS).isoformat(),
    }
