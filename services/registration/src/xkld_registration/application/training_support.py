"""Decision 46/2015 support for a course: its terms, the support sheet (bảng kê) computed from
attendance, and recording the payment once, with an Idempotency-Key.

Once per person is decided by the database: `training_support_once` has one row per CCCD blind
index, and a payment claims each person with INSERT .. ON CONFLICT DO NOTHING. Whoever commits
first keeps the person; a payment for another course, in another commune, or at the same moment,
finds the row and leaves the person out of its sheet.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.contracts.training import TrainingSupportPaid
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict
from xkld_shared.identity.principal import Principal
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.adapters.journey_store import course_of
from xkld_registration.application.journey import CourseNotFound
from xkld_registration.application.scope import may_act_on
from xkld_registration.domain.reference import Course
from xkld_registration.domain.training_support import (
    CourseTerms,
    SupportLine,
    SupportPolicy,
    TraineeFacts,
    policy_on,
    support_line,
)

PRODUCER = "registration"
ERASED_NAME = "(đã xoá dữ liệu cá nhân / personal data erased)"


class SupportTermsMissing(Conflict):
    code = "support_terms_missing"

    def __init__(self, course_code: str) -> None:
        super().__init__(
            f"Khoá {course_code} chưa có mức học phí để tính hỗ trợ",
            f"Course {course_code} has no tuition set to compute support from",
        )


class NothingToPay(Conflict):
    code = "nothing_to_pay"

    def __init__(self) -> None:
        super().__init__(
            "Không còn học viên nào của khoá này được hỗ trợ (đã hỗ trợ hoặc chưa đi học)",
            "No trainee of this course is left to support (already supported or never attended)",
        )


@dataclass(frozen=True)
class SheetLine:
    trainee_id: uuid.UUID
    full_name: str
    commune_code: str
    province_code: str
    person_index: bytes
    distance_km: Decimal
    support: SupportLine
    status: str  # due | paid | already_supported | no_attendance

    def view(self) -> dict[str, Any]:
        s = self.support
        return {
            "trainee_id": str(self.trainee_id),
            "full_name": self.full_name,
            "commune_code": self.commune_code,
            "days_present": s.days_present,
            "distance_km": str(self.distance_km),
            "cost_vnd": s.cost_vnd,
            "meals_vnd": s.meals_vnd,
            "travel_vnd": s.travel_vnd,
            "total_vnd": s.total_vnd,
            "status": self.status,
        }


@dataclass(frozen=True)
class Sheet:
    course: Course
    policy: SupportPolicy
    terms: CourseTerms
    lines: list[SheetLine]

    def view(self) -> dict[str, Any]:
        due = [ln for ln in self.lines if ln.status == "due"]
        return {
            "course_id": str(self.course.id),
            "course_code": self.course.code,
            "course_title": self.course.title,
            "provider": self.course.provider,
            "starts_on": self.course.starts_on.isoformat(),
            "ends_on": self.course.ends_on.isoformat(),
            "policy_code": self.policy.code,
            "legal_basis": self.policy.legal_basis,
            "tuition_vnd": self.terms.tuition_vnd,
            "fisher_vessel_trade": self.terms.fisher_vessel_trade,
            "lines": [ln.view() for ln in self.lines],
            "due_total_vnd": sum(ln.support.total_vnd for ln in due),
        }


class TrainingSupport:
    def __init__(self, pool: asyncpg.Pool, topics: Topics) -> None:
        self._pool = pool
        self._topic = topics.of(Stream.REGISTRATION)

    async def set_terms(
        self, course_code: str, terms: CourseTerms, ctx: ChangeContext
    ) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            course = await _course(conn, course_code, lock=True)
            before = await conn.fetchrow(
                "SELECT tuition_vnd, fisher_vessel_trade FROM course_support_terms "
                "WHERE course_id = $1",
                course.id,
            )
            await conn.execute(
                """INSERT INTO course_support_terms
                       (course_id, tuition_vnd, fisher_vessel_trade, updated_by)
                   VALUES ($1, $2, $3, $4) ON CONFLICT (course_id) DO UPDATE
                   SET tuition_vnd = EXCLUDED.tuition_vnd,
                       fisher_vessel_trade = EXCLUDED.fisher_vessel_trade,
                       updated_by = EXCLUDED.updated_by, updated_at = now()""",
                course.id,
                terms.tuition_vnd,
                terms.fisher_vessel_trade,
                ctx.actor.subject,
            )
            after = {
                "tuition_vnd": terms.tuition_vnd,
                "fisher_vessel_trade": terms.fisher_vessel_trade,
            }
            await record_change(
                conn,
                ctx,
                action="course.support_terms_set",
                entity_type="course",
                entity_id=str(course.id),
                before={} if before is None else dict(before),
                after=after,
            )
        return {"course_code": course.code, **after}

    async def sheet(self, course_code: str, actor: Principal) -> Sheet:
        async with self._pool.acquire() as conn:
            return await _sheet(conn, await _course(conn, course_code), actor)

    async def pay(
        self, course_code: str, paid_on: dt.date, key: str, ctx: ChangeContext
    ) -> idempotency.Answer:
        keyed = idempotency.Keyed.of(
            f"training.support_payment:{course_code}", key, {"paid_on": paid_on.isoformat()}
        )
        async with self._pool.acquire() as conn, conn.transaction():
            if stored := (await idempotency.lock_and_find(conn, [keyed])).get(keyed.ident):
                return stored.replay_for(keyed)
            # Payments for one course run one at a time; across courses the once-table decides.
            course = await _course(conn, course_code, lock=True)
            sheet = await _sheet(conn, course, ctx.actor)
            answer = await self._paid(conn, sheet, paid_on, ctx)
            await idempotency.store(conn, [(keyed, answer)])
        return answer

    async def _paid(
        self, conn: Conn, sheet: Sheet, paid_on: dt.date, ctx: ChangeContext
    ) -> idempotency.Answer:
        due = sorted((ln for ln in sheet.lines if ln.status == "due"), key=lambda x: x.person_index)
        if not due:
            raise NothingToPay
        payment_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO support_payment (id, course_id, policy_code, paid_on, total_vnd,
                   recorded_by) VALUES ($1, $2, $3, $4, $5, $6)""",
            payment_id,
            sheet.course.id,
            sheet.policy.code,
            paid_on,
            sum(ln.support.total_vnd for ln in due),
            ctx.actor.subject,
        )
        won = await _claim(conn, due, payment_id, sheet)
        if not won:
            raise NothingToPay  # every one of them was paid by someone else meanwhile
        total = sum(ln.support.total_vnd for ln in won)
        await conn.execute(
            "UPDATE support_payment SET total_vnd = $2 WHERE id = $1", payment_id, total
        )
        await conn.executemany(
            """INSERT INTO support_payment_line (payment_id, trainee_id, cost_vnd, meals_vnd,
                   travel_vnd, days_present) VALUES ($1, $2, $3, $4, $5, $6)""",
            [
                (
                    payment_id,
                    ln.trainee_id,
                    ln.support.cost_vnd,
                    ln.support.meals_vnd,
                    ln.support.travel_vnd,
                    ln.support.days_present,
                )
                for ln in won
            ],
        )
        events = [self._event(ln, sheet, payment_id, paid_on, ctx) for ln in won]
        await add_to_outbox(conn, self._topic, events)
        paid_ids = {ln.trainee_id for ln in won}
        skipped = [str(ln.trainee_id) for ln in due if ln.trainee_id not in paid_ids]
        body: dict[str, Any] = {
            "payment_id": str(payment_id),
            "course_code": sheet.course.code,
            "policy_code": sheet.policy.code,
            "paid_on": paid_on.isoformat(),
            "total_vnd": total,
            "lines": [ln.view() | {"status": "paid"} for ln in won],
            "skipped_already_supported": skipped,
        }
        await record_change(
            conn,
            ctx,
            action="training.support_paid",
            entity_type="course",
            entity_id=str(sheet.course.id),
            before={},
            after={
                "payment_id": str(payment_id),
                "paid_on": paid_on.isoformat(),
                "total_vnd": total,
                "trainees": sorted(str(t) for t in paid_ids),
            },
        )
        return idempotency.Answer(201, body)

    def _event(
        self,
        line: SheetLine,
        sheet: Sheet,
        payment_id: uuid.UUID,
        paid_on: dt.date,
        ctx: ChangeContext,
    ) -> Any:
        s = line.support
        payload = TrainingSupportPaid(
            trainee_id=line.trainee_id,
            payment_id=payment_id,
            course_id=sheet.course.id,
            course_code=sheet.course.code,
            commune_code=line.commune_code,
            province_code=line.province_code,
            policy_code=sheet.policy.code,
            paid_on=paid_on,
            days_present=s.days_present,
            cost_vnd=s.cost_vnd,
            meals_vnd=s.meals_vnd,
            travel_vnd=s.travel_vnd,
            total_vnd=s.total_vnd,
        )
        return new_envelope(
            payload,
            registration_id=line.trainee_id,
            producer=PRODUCER,
            correlation_id=ctx.correlation_id,
        )


async def _claim(
    conn: Conn, due: list[SheetLine], payment_id: uuid.UUID, sheet: Sheet
) -> list[SheetLine]:
    """Claims each person in blind-index order (two payments never deadlock); returns those
    this payment got. A concurrent claim on a person waits for the other to commit."""
    claimed = await conn.fetch(
        """INSERT INTO training_support_once
               (person_index, trainee_id, kind, policy_code, payment_id, course_id)
           SELECT i, t, 'paid', $3, $4, $5
           FROM unnest($1::bytea[], $2::uuid[]) WITH ORDINALITY AS x(i, t, n)
           ORDER BY n
           ON CONFLICT (person_index) DO NOTHING RETURNING trainee_id""",
        [ln.person_index for ln in due],
        [ln.trainee_id for ln in due],
        sheet.policy.code,
        payment_id,
        sheet.course.id,
    )
    won = {r["trainee_id"] for r in claimed}
    return [ln for ln in due if ln.trainee_id in won]


async def _course(conn: Conn, course_code: str, *, lock: bool = False) -> Course:
    row = await conn.fetchrow(
        "SELECT * FROM course WHERE code = $1" + (" FOR UPDATE" if lock else ""), course_code
    )
    if row is None:
        raise CourseNotFound
    return course_of(row)


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


async def _sheet(conn: Conn, course: Course, actor: Principal) -> Sheet:
    terms_row = await conn.fetchrow(
        "SELECT tuition_vnd, fisher_vessel_trade FROM course_support_terms WHERE course_id = $1",
        course.id,
    )
    if terms_row is None:
        raise SupportTermsMissing(course.code)
    terms = CourseTerms(terms_row["tuition_vnd"], terms_row["fisher_vessel_trade"])
    policy = policy_on(course.starts_on)
    rows = await conn.fetch(_FACTS, course.id)
    lines = [
        _line(r, course, policy, terms)
        for r in rows
        if may_act_on(actor, r["commune_code"], r["province_code"])
    ]
    return Sheet(course, policy, terms, lines)


def _line(
    r: asyncpg.Record, course: Course, policy: SupportPolicy, terms: CourseTerms
) -> SheetLine:
    facts = TraineeFacts(
        trainee_id=r["id"],
        groups=frozenset(r["support_groups"]),
        difficult_commune=r["difficult_commune"],
        distance_km=r["distance_km"],
        days_present=r["days_present"],
    )
    support, status = support_line(policy, terms, facts), "due"
    if r["kind"] == "paid" and r["supported_course"] == course.id:
        support = SupportLine(
            r["id"], r["cost_vnd"], r["meals_vnd"], r["travel_vnd"], r["paid_days"]
        )
        status = "paid"
    elif r["kind"] is not None:
        support, status = SupportLine(r["id"], 0, 0, 0, facts.days_present), "already_supported"
    elif facts.days_present == 0:
        status = "no_attendance"
    return SheetLine(
        trainee_id=r["id"],
        full_name=r["full_name"] or ERASED_NAME,
        commune_code=r["commune_code"],
        province_code=r["province_code"],
        person_index=bytes(r["cccd_blind_index"] or b""),  # empty once erased (paid only)
        distance_km=r["distance_km"],
        support=support,
        status=status,
    )
