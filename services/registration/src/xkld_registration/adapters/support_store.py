"""Decision 46/2015 support as stored: a course's terms, the facts a support sheet is computed
from, and a payment with its lines and its once-per-person claims."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_registration.adapters.journey_store import course_of
from xkld_registration.application.ports import NewPayment, SupportFacts
from xkld_registration.domain.reference import Course
from xkld_registration.domain.training_support import CourseTerms, SupportLine

_FACTS = """
    SELECT t.id, t.full_name, t.commune_code, t.province_code, t.cccd_blind_index,
           t.support_groups, t.difficult_commune, e.distance_km,
           (SELECT count(*) FROM trainee_attendance a
             WHERE a.trainee_id = e.trainee_id AND a.course_id = e.course_id AND a.present)
             AS days_present,
           s.kind, s.course_id AS supported_course, s.payment_id,
           l.cost_vnd, l.meals_vnd, l.travel_vnd, l.days_present AS paid_days
    FROM trainee_enrolment e
    JOIN trainee t ON t.id = e.trainee_id
    LEFT JOIN training_support_once s
      ON s.person_index = t.cccd_blind_index OR s.trainee_id = t.id
    LEFT JOIN support_payment_line l ON l.payment_id = s.payment_id AND l.trainee_id = t.id
    WHERE e.course_id = $1
      -- An erased trainee stays only on the sheet of the payment made to them (a record of
      -- money paid); nobody is paid whose identity is gone.
      AND (t.erased_at IS NULL OR (s.kind = 'paid' AND s.course_id = e.course_id))
    ORDER BY t.full_name, t.id"""

# Claims each person in blind-index order (two payments never deadlock); a concurrent claim on
# a person waits for the other to commit, then finds the row and gets nothing.
_CLAIM = """INSERT INTO training_support_once
        (person_index, trainee_id, kind, policy_code, payment_id, course_id)
    SELECT i, t, 'paid', $3, $4, $5
    FROM unnest($1::bytea[], $2::uuid[]) WITH ORDINALITY AS x(i, t, n)
    ORDER BY n
    ON CONFLICT (person_index) DO NOTHING RETURNING trainee_id"""

_PUT_TERMS = """INSERT INTO course_support_terms
        (course_id, tuition_vnd, fisher_vessel_trade, updated_by)
    VALUES ($1, $2, $3, $4) ON CONFLICT (course_id) DO UPDATE
    SET tuition_vnd = EXCLUDED.tuition_vnd, fisher_vessel_trade = EXCLUDED.fisher_vessel_trade,
        updated_by = EXCLUDED.updated_by, updated_at = now()"""


class PostgresSupportStore:
    async def course_by_code(self, conn: Conn, code: str, *, lock: bool) -> Course | None:
        sql = "SELECT * FROM course WHERE code = $1" + (" FOR UPDATE" if lock else "")
        row = await conn.fetchrow(sql, code)
        return None if row is None else course_of(row)

    async def terms(self, conn: Conn, course_id: uuid.UUID) -> CourseTerms | None:
        row = await conn.fetchrow(
            "SELECT tuition_vnd, fisher_vessel_trade FROM course_support_terms "
            "WHERE course_id = $1",
            course_id,
        )
        return None if row is None else CourseTerms(row["tuition_vnd"], row["fisher_vessel_trade"])

    async def put_terms(
        self, conn: Conn, course_id: uuid.UUID, terms: CourseTerms, by: str
    ) -> None:
        await conn.execute(_PUT_TERMS, course_id, terms.tuition_vnd, terms.fisher_vessel_trade, by)

    async def facts(self, conn: Conn, course_id: uuid.UUID) -> list[SupportFacts]:
        return [_facts_of(r) for r in await conn.fetch(_FACTS, course_id)]

    async def add_payment(self, conn: Conn, payment: NewPayment) -> None:
        await conn.execute(
            """INSERT INTO support_payment (id, course_id, policy_code, paid_on, total_vnd,
                   recorded_by) VALUES ($1, $2, $3, $4, $5, $6)""",
            *payment,
        )

    async def claim(
        self, conn: Conn, payment: NewPayment, people: Sequence[tuple[bytes, uuid.UUID]]
    ) -> set[uuid.UUID]:
        """Those of `people` (blind index, trainee) this payment got."""
        claimed = await conn.fetch(
            _CLAIM,
            [index for index, _ in people],
            [trainee for _, trainee in people],
            payment.policy_code,
            payment.id,
            payment.course_id,
        )
        return {r["trainee_id"] for r in claimed}

    async def settle(
        self, conn: Conn, payment_id: uuid.UUID, total_vnd: int, lines: Sequence[SupportLine]
    ) -> None:
        """The payment's total and its lines, once the claims have said who it pays."""
        await conn.execute(
            "UPDATE support_payment SET total_vnd = $2 WHERE id = $1", payment_id, total_vnd
        )
        await conn.executemany(
            """INSERT INTO support_payment_line (payment_id, trainee_id, cost_vnd, meals_vnd,
                   travel_vnd, days_present) VALUES ($1, $2, $3, $4, $5, $6)""",
            [
                (
                    payment_id,
                    ln.trainee_id,
                    ln.cost_vnd,
                    ln.meals_vnd,
                    ln.travel_vnd,
                    ln.days_present,
                )
                for ln in lines
            ],
        )


def _facts_of(r: asyncpg.Record) -> SupportFacts:
    paid = None
    if r["payment_id"] is not None and r["cost_vnd"] is not None:
        paid = SupportLine(r["id"], r["cost_vnd"], r["meals_vnd"], r["travel_vnd"], r["paid_days"])
    return SupportFacts(
        trainee_id=r["id"],
        full_name=r["full_name"],
        commune_code=r["commune_code"],
        province_code=r["province_code"],
        person_index=None if r["cccd_blind_index"] is None else bytes(r["cccd_blind_index"]),
        support_groups=list(r["support_groups"]),
        difficult_commune=r["difficult_commune"],
        distance_km=r["distance_km"],
        days_present=r["days_present"],
        kind=r["kind"],
        supported_course=r["supported_course"],
        paid=paid,
    )
