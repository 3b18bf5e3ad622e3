"""One history per person: a trainee's courses, results, outcomes and support, and the same
person's labour-export files, linked by the CCCD blind index (either side may come first)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal

from xkld_registration.application.ports import Clock
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.application.scope import may_act_on
from xkld_registration.application.trainees import files_of, load_trainee
from xkld_registration.domain.training_outcome import FOLLOW_UP_MONTHS, add_months


class TraineeHistory:
    def __init__(self, pool: asyncpg.Pool, clock: Clock) -> None:
        self._pool = pool
        self._clock = clock

    async def outcomes_due(self, actor: Principal) -> list[dict[str, Any]]:
        return await outcomes_due(self._pool, actor, self._clock.today())

    async def history(self, trainee_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            trainee = await load_trainee(conn, actor, trainee_id)
            head = await conn.fetchrow(
                """SELECT full_name, commune_code, registered_on, support_groups,
                          difficult_commune, erased_at FROM trainee WHERE id = $1""",
                trainee.id,
            )
            assert head is not None  # just loaded
            courses = await courses_of(conn, trainee.id)
            support = await support_of(conn, trainee.cccd_index, trainee.id)
        index = trainee.cccd_index
        files = [] if index is None else await files_of(self._pool, index)
        return {
            "trainee_id": str(trainee.id),
            "full_name": head["full_name"],
            "commune_code": head["commune_code"],
            "registered_on": head["registered_on"].isoformat(),
            "support_groups": list(head["support_groups"]),
            "difficult_commune": head["difficult_commune"],
            "courses": courses,
            "support": support,
            "labour_export_files": files,
            # An erased trainee keeps courses and support, without the person.
            "personal_data_erased": head["erased_at"] is not None,
        }

    async def of_registration(self, registration_id: uuid.UUID, actor: Principal) -> dict[str, Any]:
        """The same person's training at home, seen from their labour-export file."""
        async with self._pool.acquire() as conn:
            file = await conn.fetchrow(
                """SELECT commune_code, province_code, cccd_blind_index FROM registration
                   WHERE id = $1""",
                registration_id,
            )
            if file is None or not may_act_on(actor, file["commune_code"], file["province_code"]):
                raise RegistrationNotFound
            trainee_id = await conn.fetchval(
                "SELECT id FROM trainee WHERE cccd_blind_index = $1", file["cccd_blind_index"]
            )
            courses = [] if trainee_id is None else await courses_of(conn, trainee_id)
            support = await support_of(conn, file["cccd_blind_index"])
        return {
            "registration_id": str(registration_id),
            "trainee_id": None if trainee_id is None else str(trainee_id),
            "courses": courses,
            "support": support,
        }


async def courses_of(conn: Conn, trainee_id: uuid.UUID) -> list[dict[str, Any]]:
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
    return [
        {
            "course_id": str(r["id"]),
            "course_code": r["code"],
            "title": r["title"],
            "starts_on": r["starts_on"].isoformat(),
            "ends_on": r["ends_on"].isoformat(),
            "enrolled_on": r["enrolled_on"].isoformat(),
            "distance_km": str(r["distance_km"]),
            "days_present": r["days_present"],
            "completed_on": None if r["completed_on"] is None else r["completed_on"].isoformat(),
            "passed": r["passed"],
            "employment_outcome": r["outcome"],
            "outcome_observed_on": None
            if r["observed_on"] is None
            else r["observed_on"].isoformat(),
        }
        for r in rows
    ]


async def support_of(
    conn: Conn, person_index: bytes | None, trainee_id: uuid.UUID | None = None
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
    if row is None:
        return None
    paid = row["kind"] == "paid"
    return {
        "kind": row["kind"],
        "policy_code": row["policy_code"],
        "course_id": None if row["course_id"] is None else str(row["course_id"]),
        "payment_id": None if row["payment_id"] is None else str(row["payment_id"]),
        "paid_on": row["paid_on"].isoformat() if paid else None,
        "total_vnd": (row["cost_vnd"] + row["meals_vnd"] + row["travel_vnd"]) if paid else None,
    }


async def outcomes_due(
    pool: asyncpg.Pool, actor: Principal, today: dt.date
) -> list[dict[str, Any]]:
    """The commune officer's reminders: trainees of their communes who finished a course less
    than six months ago and have no employment outcome recorded for it yet, soonest due first."""
    since = add_months(today, -FOLLOW_UP_MONTHS)
    rows = await pool.fetch(
        """SELECT t.id, t.full_name, t.commune_code, c.id AS course_id, c.code, e.completed_on
           FROM trainee_enrolment e
           JOIN trainee t ON t.id = e.trainee_id
           JOIN course c ON c.id = e.course_id
           WHERE t.commune_code = ANY($1::text[]) AND e.completed_on BETWEEN $2 AND $3
             AND t.erased_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM trainee_outcome o
                             WHERE o.trainee_id = e.trainee_id AND o.course_id = e.course_id)
           ORDER BY e.completed_on, t.full_name, t.id""",
        sorted(actor.scope.communes),
        since,
        today,
    )
    return [
        {
            "trainee_id": str(r["id"]),
            "full_name": r["full_name"],
            "commune_code": r["commune_code"],
            "course_id": str(r["course_id"]),
            "course_code": r["code"],
            "completed_on": r["completed_on"].isoformat(),
            "due_by": add_months(r["completed_on"], FOLLOW_UP_MONTHS).isoformat(),
        }
        for r in rows
    ]
