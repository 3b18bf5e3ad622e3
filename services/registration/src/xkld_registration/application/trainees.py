"""Trainees who stay: intake (the same checks as a worker's file), enrolment, attendance,
results and employment outcomes in vocational courses.

A trainee is not a labour-export file. The person is the same, found by the CCCD's blind index:
one trainee row per person, and the files they may open later are linked by that index.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, NoReturn

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.topics import Topics
from xkld_shared.db.pool import Conn

from xkld_registration.application import trainee_events as events
from xkld_registration.application.journey_terms import found_course
from xkld_registration.application.ports import (
    Clock,
    CommuneDirectory,
    FileLink,
    PersonalDataVault,
    TraineeCourse,
    TraineeInsert,
    TraineeRow,
    TraineeStore,
)
from xkld_registration.application.submit_registration import OutsideYourCommunes
from xkld_registration.application.trainee_common import (
    DuplicateTrainee,
    NewTrainee,
    audit,
    audit_view,
    load_trainee,
    only_vocational,
    row_of,
)
from xkld_registration.application.training_steps import (
    CertificateNumberTaken,
    NotEnrolled,
    ResultAlreadyRecorded,
)
from xkld_registration.domain.communes import resolve_commune
from xkld_registration.domain.reference import Course, check_attendance_day, check_enrolment
from xkld_registration.domain.registration import Registration, submit
from xkld_registration.domain.training_outcome import Outcome, check_outcome


class Trainees:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: TraineeStore,
        vault: PersonalDataVault,
        clock: Clock,
        communes: CommuneDirectory,
        topics: Topics,
    ) -> None:
        self._pool = pool
        self._store = store
        self._vault = vault
        self._clock = clock
        self._communes = communes
        self._events = events.TraineeEvents(topics)

    # --- intake ---------------------------------------------------------------------------

    async def register(self, new: NewTrainee, ctx: ChangeContext) -> dict[str, Any]:
        today = self._clock.today()
        person = self._person(new, ctx, today)
        # One ciphertext for the row and the event, as a worker's file does.
        row = row_of(person, new, self._vault, ctx.actor.subject)
        async with self._pool.acquire() as conn, conn.transaction():
            await self._add(conn, row, new)
            await audit(conn, ctx, "trainee.registered", person.id, {}, audit_view(person, new))
            event = events.registered(
                person, row.phone_ciphertext, new.support_groups, new.difficult_commune
            )
            await self._events.add(conn, person.id, event, ctx)
            files = await self._store.files_of(conn, row.cccd_blind_index)
        return _registered(person, today, files)

    def _person(self, new: NewTrainee, ctx: ChangeContext, today: dt.date) -> Registration:
        """The person, checked as a worker's file is, in one of the officer's communes."""
        commune = resolve_commune(new.person.commune_code, self._communes.unit, today)
        person = submit(new.person, registration_id=uuid.uuid4(), today=today, commune=commune)
        if person.commune_code not in ctx.actor.scope.communes:
            raise OutsideYourCommunes
        return person

    async def _add(self, conn: Conn, row: TraineeInsert, new: NewTrainee) -> None:
        if not await self._store.add(conn, row):
            await self._refuse_duplicate(conn, row.cccd_blind_index)
        if new.other_state_support is not None:
            await self._store.note_other_support(
                conn, row.cccd_blind_index, row.id, new.other_state_support
            )

    async def _refuse_duplicate(self, conn: Conn, index: bytes) -> NoReturn:
        # Two officers took the same person in at once, or they trained before.
        holder = await self._store.holder(conn, index)
        # None: the unique index fired on a row that is not committed after all.
        raise DuplicateTrainee(*(holder or (uuid.UUID(int=0), "?")))

    # --- enrolment, attendance, results -----------------------------------------------------

    async def enrol(
        self, trainee_id: uuid.UUID, course_id: uuid.UUID, distance_km: Decimal, ctx: ChangeContext
    ) -> dict[str, Any]:
        today = self._clock.today()
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await self._load(conn, ctx, trainee_id)
            course = await self._course_open_to(conn, course_id, trainee.id, today)
            await self._store.enrol(conn, (trainee.id, course_id), today, distance_km)
            after = {"course_id": str(course_id), "distance_km": str(distance_km)}
            await audit(conn, ctx, "trainee.enrolled", trainee.id, {}, after)
            where = (trainee.commune_code, trainee.province_code)
            await self._events.add(conn, trainee.id, events.enrolled(course, *where, today), ctx)
        return {
            "trainee_id": str(trainee.id),
            "course_id": str(course_id),
            "enrolled_on": today.isoformat(),
        }

    async def _course_open_to(
        self, conn: Conn, course_id: uuid.UUID, trainee_id: uuid.UUID, today: dt.date
    ) -> Course:
        course = await self._locked_course(conn, course_id)
        only_vocational(course)
        check_enrolment(course, *await self._store.seats(conn, course_id, trainee_id), today)
        return course

    async def _locked_course(self, conn: Conn, course_id: uuid.UUID) -> Course:
        return found_course(await self._store.course(conn, course_id, lock=True))

    async def record_attendance(
        self,
        trainee_id: uuid.UUID,
        course_id: uuid.UUID,
        on: dt.date,
        present: bool,
        ctx: ChangeContext,
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            trainee = await self._load(conn, ctx, trainee_id)
            ids = (trainee.id, course_id)
            course, _ = await self._enrolled(conn, ids)
            check_attendance_day(course, on)
            before = await self._store.attendance(conn, ids, on)
            await self._store.set_attendance(conn, ids, on, present)
            key = f"attendance.{course_id}.{on.isoformat()}"
            await audit(
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
            trainee = await self._load(conn, ctx, trainee_id)
            ids = (trainee.id, course_id)
            course = await self._unfinished(conn, ids)
            await self._complete(conn, ids, completed_on, (passed, certificate_number))
            after = {"course_id": str(course_id), "passed": passed}
            await audit(conn, ctx, "trainee.course_completed", trainee.id, {}, after)
            certified = certificate_number is not None
            where = (trainee.commune_code, trainee.province_code)
            event = events.completed(course, *where, completed_on, passed, certified)
            await self._events.add(conn, trainee.id, event, ctx)
        return {"trainee_id": str(trainee.id), "course_id": str(course_id), "passed": passed}

    async def _unfinished(self, conn: Conn, ids: TraineeCourse) -> Course:
        course, done = await self._enrolled(conn, ids)
        if done is not None:
            raise ResultAlreadyRecorded
        return course

    async def _complete(
        self, conn: Conn, ids: TraineeCourse, on: dt.date, result: tuple[bool, str | None]
    ) -> None:
        if not await self._store.complete(conn, ids, on, result):
            raise CertificateNumberTaken

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
            trainee = await self._load(conn, ctx, trainee_id)
            ids = (trainee.id, course_id)
            course, completed_on = await self._enrolled(conn, ids)
            own_file = await self._owns_file(conn, registration_id, trainee)
            check_outcome(outcome, observed_on, completed_on, self._clock.today(), own_file)
            assert completed_on is not None  # check_outcome refuses an unfinished course
            abroad = registration_id if outcome == "went_abroad" else None
            await self._put_outcome(conn, ids, (outcome, observed_on, abroad), ctx)
            # Every record travels, corrections too: the latest for a course replaces the rest.
            where = (trainee.commune_code, trainee.province_code)
            event = events.employment(course, *where, outcome, observed_on, completed_on)
            await self._events.add(conn, trainee.id, event, ctx)
        return _outcome_answer(ids, (outcome, observed_on, abroad))

    async def _owns_file(
        self, conn: Conn, registration_id: uuid.UUID | None, trainee: TraineeRow
    ) -> bool:
        if registration_id is None:
            return False
        return await self._store.owns_file(conn, registration_id, trainee.cccd_index)

    async def _put_outcome(
        self,
        conn: Conn,
        ids: TraineeCourse,
        observed: tuple[Outcome, dt.date, uuid.UUID | None],
        ctx: ChangeContext,
    ) -> None:
        before = await self._store.outcome(conn, ids)
        await self._store.put_outcome(conn, ids, observed, ctx.actor.subject)
        key = f"outcome.{ids[1]}"
        after = f"{observed[0]}@{observed[1].isoformat()}"
        await audit(conn, ctx, "trainee.outcome_recorded", ids[0], {key: before}, {key: after})

    async def _load(self, conn: Conn, ctx: ChangeContext, trainee_id: uuid.UUID) -> TraineeRow:
        return await load_trainee(self._store, conn, ctx.actor, trainee_id, lock=True)

    async def _enrolled(self, conn: Conn, ids: TraineeCourse) -> tuple[Course, dt.date | None]:
        """The course the trainee is enrolled in, and the day they completed it (if they did)."""
        course = await self._unlocked_course(conn, ids[1])
        enrolled, completed_on = await self._store.enrolment(conn, ids)
        if not enrolled:
            raise NotEnrolled
        return course, completed_on

    async def _unlocked_course(self, conn: Conn, course_id: uuid.UUID) -> Course:
        return found_course(await self._store.course(conn, course_id, lock=False))


def _registered(person: Registration, today: dt.date, files: list[FileLink]) -> dict[str, Any]:
    return {
        "trainee_id": str(person.id),
        "commune_code": person.commune_code,
        "registered_on": today.isoformat(),
        "labour_export_files": [f.view() for f in files],
    }


def _outcome_answer(
    ids: TraineeCourse, observed: tuple[Outcome, dt.date, uuid.UUID | None]
) -> dict[str, Any]:
    outcome, observed_on, abroad = observed
    return {
        "trainee_id": str(ids[0]),
        "course_id": str(ids[1]),
        "outcome": outcome,
        "observed_on": observed_on.isoformat(),
        "registration_id": None if abroad is None else str(abroad),
    }
