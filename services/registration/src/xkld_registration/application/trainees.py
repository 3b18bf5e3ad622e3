"""Trainees who stay: intake (the same checks as a worker's file), enrolment, attendance,
results and employment outcomes in vocational courses.

A trainee is not a labour-export file. The person is the same, found by the CCCD's blind index:
one trainee row per person, and the files they may open later are linked by that index.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.contracts.topics import Topics
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict, NotFound
from xkld_shared.identity.principal import Principal

from xkld_registration.adapters.journey_store import find_course
from xkld_registration.adapters.vault import ETHNICITY_PURPOSE, POVERTY_PURPOSE
from xkld_registration.application import trainee_events as events
from xkld_registration.application.journey import CourseNotFound
from xkld_registration.application.ports import Clock, CommuneDirectory, PersonalDataVault
from xkld_registration.application.scope import may_act_on
from xkld_registration.application.submit_registration import OutsideYourCommunes
from xkld_registration.application.training_steps import (
    CertificateNumberTaken,
    NotEnrolled,
    ResultAlreadyRecorded,
)
from xkld_registration.domain.communes import resolve_commune
from xkld_registration.domain.reference import (
    Course,
    CourseRefused,
    check_attendance_day,
    check_enrolment,
)
from xkld_registration.domain.registration import Registration, SubmitRegistration, submit
from xkld_registration.domain.training_outcome import Outcome, check_outcome
from xkld_registration.domain.training_support import SupportGroup


class TraineeNotFound(NotFound):
    code = "trainee_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy học viên", "No such trainee")


class DuplicateTrainee(Conflict):
    code = "duplicate_trainee"

    def __init__(self, trainee_id: uuid.UUID, commune_code: str) -> None:
        super().__init__(
            f"Người này đã là học viên (mã {trainee_id}), xã/phường mã {commune_code}",
            f"This person is already a trainee ({trainee_id}), commune {commune_code}",
        )
        self.trainee_id = trainee_id


@dataclass(frozen=True)
class NewTrainee:
    """The intake form (validated like a worker's file) and the support facts."""

    person: SubmitRegistration
    support_groups: frozenset[SupportGroup]
    difficult_commune: bool
    other_state_support: str | None  # the other policy's code, when one already paid


class TraineeErased(Conflict):
    code = "trainee_erased"

    def __init__(self) -> None:
        super().__init__(
            "Dữ liệu cá nhân của học viên này đã được xoá theo yêu cầu; không ghi thêm được",
            "This trainee's personal data was erased on request; nothing more can be recorded",
        )


@dataclass(frozen=True)
class TraineeRow:
    id: uuid.UUID
    commune_code: str
    province_code: str
    cccd_index: bytes | None  # None once the person's data is erased
    erased: bool = False


async def load_trainee(
    conn: Conn,
    actor: Principal,
    trainee_id: uuid.UUID,
    *,
    lock: bool = False,
    erased_too: bool = False,
) -> TraineeRow:
    """The trainee if the actor may act on them; one outside the scope looks like none. A step
    that changes something (it locks) is refused on an erased trainee, unless it says so."""
    row = await conn.fetchrow(
        """SELECT id, commune_code, province_code, cccd_blind_index, erased_at IS NOT NULL
                  AS erased FROM trainee WHERE id = $1"""
        + (" FOR UPDATE" if lock else ""),
        trainee_id,
    )
    if row is None or not may_act_on(actor, row["commune_code"], row["province_code"]):
        raise TraineeNotFound
    if lock and row["erased"] and not erased_too:
        raise TraineeErased
    return TraineeRow(
        row["id"],
        row["commune_code"],
        row["province_code"],
        row["cccd_blind_index"],
        row["erased"],
    )


async def files_of(pool: asyncpg.Pool, index: bytes) -> list[dict[str, Any]]:
    """The person's labour-export files, found by the CCCD blind index."""
    rows = await pool.fetch(
        """SELECT id, status, commune_code, submitted_on FROM registration
           WHERE cccd_blind_index = $1 ORDER BY submitted_on, id""",
        index,
    )
    return [
        {
            "registration_id": str(r["id"]),
            "status": r["status"],
            "commune_code": r["commune_code"],
            "submitted_on": r["submitted_on"].isoformat(),
        }
        for r in rows
    ]


class Trainees:
    def __init__(
        self,
        pool: asyncpg.Pool,
        vault: PersonalDataVault,
        clock: Clock,
        communes: CommuneDirectory,
        topics: Topics,
    ) -> None:
        self._pool = pool
        self._vault = vault
        self._clock = clock
        self._communes = communes
        self._events = events.TraineeEvents(topics)

    # --- intake ---------------------------------------------------------------------------

    async def register(self, new: NewTrainee, ctx: ChangeContext) -> dict[str, Any]:
        today = self._clock.today()
        person = submit(
            new.person,
            registration_id=uuid.uuid4(),
            today=today,
            commune=resolve_commune(new.person.commune_code, self._communes.unit, today),
        )
        if person.commune_code not in ctx.actor.scope.communes:
            raise OutsideYourCommunes
        index = self._vault.cccd_index(person.cccd)
        # One ciphertext for the row and the event, as a worker's file does.
        phone = self._vault.seal_phone(person.phone_e164)
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                async with conn.transaction():
                    await self._insert(conn, person, new, index, phone, ctx)
            except asyncpg.UniqueViolationError:
                # Two officers took the same person in at once, or they trained before.
                raise await self._duplicate(conn, index) from None
            if new.other_state_support is not None:
                await conn.execute(
                    """INSERT INTO training_support_once
                           (person_index, trainee_id, kind, policy_code)
                       VALUES ($1, $2, 'other_policy', $3) ON CONFLICT DO NOTHING""",
                    index,
                    person.id,
                    new.other_state_support,
                )
            await record_change(
                conn,
                ctx,
                action="trainee.registered",
                entity_type="trainee",
                entity_id=str(person.id),
                before={},
                after=_audit_view(person, new),
            )
            event = events.registered(person, phone, new.support_groups, new.difficult_commune)
            await self._events.add(conn, person.id, event, ctx)
        return {
            "trainee_id": str(person.id),
            "commune_code": person.commune_code,
            "registered_on": today.isoformat(),
            "labour_export_files": await files_of(self._pool, index),
        }

    async def _insert(
        self,
        conn: Conn,
        person: Registration,
        new: NewTrainee,
        index: bytes,
        phone: str,
        ctx: ChangeContext,
    ) -> None:
        v = self._vault
        await conn.execute(
            """INSERT INTO trainee (id, full_name, cccd_ciphertext, cccd_blind_index,
                   date_of_birth, gender, phone_ciphertext, commune_code, province_code,
                   ethnicity_ciphertext, poverty_ciphertext, hamlet, consents,
                   consent_text_version, support_groups, difficult_commune, registered_on,
                   registered_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                       $17, $18)""",
            person.id,
            person.full_name,
            v.seal_cccd(person.cccd),
            index,
            person.date_of_birth,
            person.gender,
            phone,
            person.commune_code,
            person.province_code,
            v.seal_sensitive(person.ethnicity_code, ETHNICITY_PURPOSE),
            v.seal_sensitive(person.household_poverty, POVERTY_PURPOSE),
            person.details.hamlet,
            {p.value: g for p, g in person.consents.answers.items()},
            person.consents.text_version,
            sorted(new.support_groups),
            new.difficult_commune,
            person.submitted_on,
            ctx.actor.subject,
        )

    async def _duplicate(self, conn: Conn, index: bytes) -> DuplicateTrainee:
        row = await conn.fetchrow(
            "SELECT id, commune_code FROM trainee WHERE cccd_blind_index = $1", index
        )
        if row is None:  # the unique index fired on a row that is not committed after all
            return DuplicateTrainee(uuid.UUID(int=0), "?")
        return DuplicateTrainee(row["id"], row["commune_code"])

    # --- enrolment, attendance, results -----------------------------------------------------

    async def enrol(
        self, trainee_id: uuid.UUID, course_id: uuid.UUID, distance_km: Decimal, ctx: ChangeContext
    ) -> dict[str, Any]:
        today = self._clock.today()
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await load_trainee(conn, ctx.actor, trainee_id, lock=True)
            course = await find_course(conn, course_id, lock=True)
            if course is None:
                raise CourseNotFound
            _only_vocational(course)
            counts = await conn.fetchrow(
                """SELECT (SELECT count(*) FROM enrolment WHERE course_id = $1)
                        + (SELECT count(*) FROM trainee_enrolment WHERE course_id = $1) AS taken,
                          EXISTS (SELECT 1 FROM trainee_enrolment
                                  WHERE course_id = $1 AND trainee_id = $2) AS mine""",
                course_id,
                trainee.id,
            )
            assert counts is not None  # an aggregate always returns one row
            check_enrolment(course, counts["taken"], counts["mine"], today)
            await conn.execute(
                """INSERT INTO trainee_enrolment (trainee_id, course_id, enrolled_on, distance_km)
                   VALUES ($1, $2, $3, $4)""",
                trainee.id,
                course_id,
                today,
                distance_km,
            )
            after = {"course_id": str(course_id), "distance_km": str(distance_km)}
            await _audit(conn, ctx, "trainee.enrolled", trainee.id, {}, after)
            where = (trainee.commune_code, trainee.province_code)
            await self._events.add(conn, trainee.id, events.enrolled(course, *where, today), ctx)
        return {
            "trainee_id": str(trainee.id),
            "course_id": str(course_id),
            "enrolled_on": today.isoformat(),
        }

    async def record_attendance(
        self,
        trainee_id: uuid.UUID,
        course_id: uuid.UUID,
        on: dt.date,
        present: bool,
        ctx: ChangeContext,
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await load_trainee(conn, ctx.actor, trainee_id, lock=True)
            check_attendance_day(await _enrolled_course(conn, trainee.id, course_id), on)
            before = await conn.fetchval(
                """SELECT present FROM trainee_attendance
                   WHERE trainee_id = $1 AND course_id = $2 AND attended_on = $3""",
                trainee.id,
                course_id,
                on,
            )
            await conn.execute(
                """INSERT INTO trainee_attendance (trainee_id, course_id, attended_on, present)
                   VALUES ($1, $2, $3, $4) ON CONFLICT (trainee_id, course_id, attended_on)
                   DO UPDATE SET present = EXCLUDED.present""",
                trainee.id,
                course_id,
                on,
                present,
            )
            key = f"attendance.{course_id}.{on.isoformat()}"
            await _audit(
                conn, ctx, "trainee.attendance_recorded", trainee.id, {key: before}, {key: present}
            )

    async def record_result(
        self,
        trainee_id: uuid.UUID,
        course_id: uuid.UUID,
        passed: bool,
        certificate_number: str | None,
        on: dt.date | None,
        ctx: ChangeContext,
    ) -> dict[str, Any]:
        completed_on = on or self._clock.today()
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await load_trainee(conn, ctx.actor, trainee_id, lock=True)
            course = await _enrolled_course(conn, trainee.id, course_id)
            done = await conn.fetchval(
                """SELECT completed_on FROM trainee_enrolment
                   WHERE trainee_id = $1 AND course_id = $2""",
                trainee.id,
                course_id,
            )
            if done is not None:
                raise ResultAlreadyRecorded
            try:
                async with conn.transaction():
                    await conn.execute(
                        """UPDATE trainee_enrolment
                           SET completed_on = $3, passed = $4, certificate_number = $5
                           WHERE trainee_id = $1 AND course_id = $2""",
                        trainee.id,
                        course_id,
                        completed_on,
                        passed,
                        certificate_number,
                    )
            except asyncpg.UniqueViolationError:
                raise CertificateNumberTaken from None
            after = {"course_id": str(course_id), "passed": passed}
            await _audit(conn, ctx, "trainee.course_completed", trainee.id, {}, after)
            event = events.completed(
                course,
                trainee.commune_code,
                trainee.province_code,
                completed_on,
                passed,
                certificate_number is not None,
            )
            await self._events.add(conn, trainee.id, event, ctx)
        return {"trainee_id": str(trainee.id), "course_id": str(course_id), "passed": passed}

    # --- employment after training -----------------------------------------------------------

    async def record_outcome(
        self,
        trainee_id: uuid.UUID,
        course_id: uuid.UUID,
        outcome: Outcome,
        observed_on: dt.date,
        registration_id: uuid.UUID | None,
        ctx: ChangeContext,
    ) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await load_trainee(conn, ctx.actor, trainee_id, lock=True)
            course = await _enrolled_course(conn, trainee.id, course_id)
            completed_on = await conn.fetchval(
                """SELECT completed_on FROM trainee_enrolment
                   WHERE trainee_id = $1 AND course_id = $2""",
                trainee.id,
                course_id,
            )
            own_file = registration_id is not None and await conn.fetchval(
                "SELECT true FROM registration WHERE id = $1 AND cccd_blind_index = $2",
                registration_id,
                trainee.cccd_index,
            )
            check_outcome(outcome, observed_on, completed_on, self._clock.today(), bool(own_file))
            abroad = registration_id if outcome == "went_abroad" else None
            before = await conn.fetchrow(
                """SELECT outcome, observed_on FROM trainee_outcome
                   WHERE trainee_id = $1 AND course_id = $2""",
                trainee.id,
                course_id,
            )
            await conn.execute(
                """INSERT INTO trainee_outcome (trainee_id, course_id, outcome, observed_on,
                       registration_id, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (trainee_id, course_id) DO UPDATE
                   SET outcome = EXCLUDED.outcome, observed_on = EXCLUDED.observed_on,
                       registration_id = EXCLUDED.registration_id,
                       recorded_by = EXCLUDED.recorded_by, recorded_at = now()""",
                trainee.id,
                course_id,
                outcome,
                observed_on,
                abroad,
                ctx.actor.subject,
            )
            key = f"outcome.{course_id}"
            old = None if before is None else f"{before['outcome']}@{before['observed_on']}"
            new = f"{outcome}@{observed_on.isoformat()}"
            await _audit(conn, ctx, "trainee.outcome_recorded", trainee.id, {key: old}, {key: new})
            # Every record travels, corrections too: the latest for a course replaces the rest.
            event = events.employment(
                course,
                trainee.commune_code,
                trainee.province_code,
                outcome,
                observed_on,
                completed_on,
            )
            await self._events.add(conn, trainee.id, event, ctx)
        return {
            "trainee_id": str(trainee.id),
            "course_id": str(course_id),
            "outcome": outcome,
            "observed_on": observed_on.isoformat(),
            "registration_id": None if abroad is None else str(abroad),
        }


def _only_vocational(course: Course) -> None:
    if course.course_type != "vocational":
        raise CourseRefused(
            f"Khoá {course.code} không phải khoá học nghề; học viên ở lại địa phương chỉ ghi danh "
            "khoá học nghề",
            f"Course {course.code} is not a vocational course; trainees who stay enrol only in "
            "vocational courses",
        )


async def _enrolled_course(conn: Conn, trainee_id: uuid.UUID, course_id: uuid.UUID) -> Course:
    course = await find_course(conn, course_id)
    if course is None:
        raise CourseNotFound
    enrolled = await conn.fetchval(
        "SELECT true FROM trainee_enrolment WHERE trainee_id = $1 AND course_id = $2",
        trainee_id,
        course_id,
    )
    if not enrolled:
        raise NotEnrolled
    return course


async def _audit(
    conn: Conn,
    ctx: ChangeContext,
    action: str,
    trainee_id: uuid.UUID,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    await record_change(
        conn,
        ctx,
        action=action,
        entity_type="trainee",
        entity_id=str(trainee_id),
        before=before,
        after=after,
    )


# Personal fields appear in the audit trail as changed, never with their values.
_SEALED = "«sealed»"


def _audit_view(person: Registration, new: NewTrainee) -> dict[str, object]:
    return {
        "full_name": _SEALED,
        "cccd": _SEALED,
        "date_of_birth": _SEALED,
        "phone": _SEALED,
        "ethnicity": _SEALED,
        "household_poverty": _SEALED,
        "gender": person.gender,
        "commune_code": person.commune_code,
        **{f"consent.{p.value}": g for p, g in person.consents.answers.items()},
        "consent_text_version": person.consents.text_version,
        "support_groups": sorted(new.support_groups),
        "difficult_commune": new.difficult_commune,
        "other_state_support": new.other_state_support,
    }
