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
from typing import Any

import asyncpg
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.contracts.training import TrainingSupportPaid
from xkld_shared.db.pool import Conn
from xkld_shared.identity.principal import Principal
from xkld_shared.messaging.outbox import add_to_outbox

from xkld_registration.application.journey_terms import CourseNotFound
from xkld_registration.application.ports import NewPayment, SupportStore
from xkld_registration.application.support_sheet import (
    NothingToPay,
    Sheet,
    SheetLine,
    SupportTermsMissing,
    sheet_of,
)
from xkld_registration.domain.reference import Course
from xkld_registration.domain.training_support import CourseTerms

PRODUCER = "registration"


class TrainingSupport:
    def __init__(self, pool: asyncpg.Pool, store: SupportStore, topics: Topics) -> None:
        self._pool = pool
        self._store = store
        self._topic = topics.of(Stream.REGISTRATION)

    async def set_terms(
        self, course_code: str, terms: CourseTerms, ctx: ChangeContext
    ) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            course = await self._course(conn, course_code, lock=True)
            before = await self._store.terms(conn, course.id)
            await self._store.put_terms(conn, course.id, terms, ctx.actor.subject)
            after = _terms_view(terms)
            await record_change(
                conn,
                ctx,
                action="course.support_terms_set",
                entity_type="course",
                entity_id=str(course.id),
                before={} if before is None else _terms_view(before),
                after=after,
            )
        return {"course_code": course.code, **after}

    async def sheet(self, course_code: str, actor: Principal) -> Sheet:
        async with self._pool.acquire() as conn:
            return await self._sheet(conn, await self._course(conn, course_code), actor)

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
            course = await self._course(conn, course_code, lock=True)
            sheet = await self._sheet(conn, course, ctx.actor)
            answer = await self._paid(conn, sheet, paid_on, ctx)
            await idempotency.store(conn, [(keyed, answer)])
        return answer

    async def _paid(
        self, conn: Conn, sheet: Sheet, paid_on: dt.date, ctx: ChangeContext
    ) -> idempotency.Answer:
        due = _due_lines(sheet)
        total_due = sum(ln.support.total_vnd for ln in due)
        payment = NewPayment(
            uuid.uuid4(), sheet.course.id, sheet.policy.code, paid_on, total_due, ctx.actor.subject
        )
        await self._store.add_payment(conn, payment)
        won = await self._claimed(conn, payment, due)
        total = sum(ln.support.total_vnd for ln in won)
        await self._store.settle(conn, payment.id, total, [ln.support for ln in won])
        await add_to_outbox(conn, self._topic, [_event(ln, sheet, payment, ctx) for ln in won])
        skipped = _skipped(due, won)
        await _audit_payment(conn, ctx, payment, total, won)
        return idempotency.Answer(201, _payment_view(sheet, payment, total, won, skipped))

    async def _claimed(
        self, conn: Conn, payment: NewPayment, due: list[SheetLine]
    ) -> list[SheetLine]:
        """The lines this payment won the once-table for."""
        won_ids = await self._store.claim(
            conn, payment, [(ln.person_index, ln.trainee_id) for ln in due]
        )
        won = [ln for ln in due if ln.trainee_id in won_ids]
        if not won:
            raise NothingToPay  # every one of them was paid by someone else meanwhile
        return won

    async def _course(self, conn: Conn, course_code: str, *, lock: bool = False) -> Course:
        course = await self._store.course_by_code(conn, course_code, lock=lock)
        if course is None:
            raise CourseNotFound
        return course

    async def _sheet(self, conn: Conn, course: Course, reader: Principal) -> Sheet:
        terms = await self._store.terms(conn, course.id)
        if terms is None:
            raise SupportTermsMissing(course.code)
        return sheet_of(course, terms, await self._store.facts(conn, course.id), reader)


def _due_lines(sheet: Sheet) -> list[SheetLine]:
    due = sorted((ln for ln in sheet.lines if ln.status == "due"), key=lambda x: x.person_index)
    if not due:
        raise NothingToPay
    return due


def _skipped(due: list[SheetLine], won: list[SheetLine]) -> list[str]:
    """The due lines someone else paid meanwhile (already supported)."""
    won_ids = {ln.trainee_id for ln in won}
    return [str(ln.trainee_id) for ln in due if ln.trainee_id not in won_ids]


def _terms_view(terms: CourseTerms) -> dict[str, Any]:
    return {"tuition_vnd": terms.tuition_vnd, "fisher_vessel_trade": terms.fisher_vessel_trade}


def _payment_view(
    sheet: Sheet, payment: NewPayment, total: int, won: list[SheetLine], skipped: list[str]
) -> dict[str, Any]:
    return {
        "payment_id": str(payment.id),
        "course_code": sheet.course.code,
        "policy_code": sheet.policy.code,
        "paid_on": payment.paid_on.isoformat(),
        "total_vnd": total,
        "lines": [ln.view() | {"status": "paid"} for ln in won],
        "skipped_already_supported": skipped,
    }


async def _audit_payment(
    conn: Conn, ctx: ChangeContext, payment: NewPayment, total: int, won: list[SheetLine]
) -> None:
    await record_change(
        conn,
        ctx,
        action="training.support_paid",
        entity_type="course",
        entity_id=str(payment.course_id),
        before={},
        after={
            "payment_id": str(payment.id),
            "paid_on": payment.paid_on.isoformat(),
            "total_vnd": total,
            "trainees": sorted(str(ln.trainee_id) for ln in won),
        },
    )


def _event(line: SheetLine, sheet: Sheet, payment: NewPayment, ctx: ChangeContext) -> Envelope:
    s = line.support
    payload = TrainingSupportPaid(
        trainee_id=line.trainee_id,
        payment_id=payment.id,
        course_id=sheet.course.id,
        course_code=sheet.course.code,
        commune_code=line.commune_code,
        province_code=line.province_code,
        policy_code=sheet.policy.code,
        paid_on=payment.paid_on,
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
