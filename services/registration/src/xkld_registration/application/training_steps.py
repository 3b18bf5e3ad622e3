"""Training steps: enrolment (with the course's capacity), attendance, results and the
orientation certificate, run by training-centre staff."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.audit import ChangeContext
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict

from xkld_registration.application.file_log import audit_file
from xkld_registration.application.file_scope import file_in_scope
from xkld_registration.application.journey_steps import JourneySteps, MakeCommand, WriteDetails
from xkld_registration.application.journey_terms import found_course
from xkld_registration.application.ports import Enrolments, FileCourse, JourneyFile
from xkld_registration.domain import journey_commands as j
from xkld_registration.domain.journey import Decision
from xkld_registration.domain.journey_state import Journey
from xkld_registration.domain.reference import Course, check_attendance_day, check_enrolment


class NotEnrolled(Conflict):
    code = "not_enrolled"

    def __init__(self) -> None:
        super().__init__(
            "Người lao động chưa ghi danh khoá học này",
            "The worker is not enrolled in this course",
        )


class ResultAlreadyRecorded(Conflict):
    code = "result_already_recorded"

    def __init__(self) -> None:
        super().__init__(
            "Kết quả khoá học này đã được ghi nhận", "This course's result is already recorded"
        )


class CertificateNumberTaken(Conflict):
    code = "certificate_number_taken"

    def __init__(self) -> None:
        super().__init__(
            "Số chứng chỉ này đã được ghi cho một hồ sơ khác",
            "This certificate number is already recorded on another file",
        )


class TrainingSteps:
    def __init__(self, steps: JourneySteps, enrolments: Enrolments) -> None:
        self._steps = steps
        self._enrolments = enrolments
        self._pool: asyncpg.Pool = steps.pool

    def _today(self, on: dt.date | None) -> dt.date:
        return on or self._steps.clock.today()

    async def enrol(self, rid: uuid.UUID, ctx: ChangeContext, course_id: uuid.UUID) -> Journey:
        today = self._today(None)

        async def make(conn: Conn, file: JourneyFile) -> j.Command:
            course = found_course(await self._steps.files.find_course(conn, course_id, lock=True))
            check_enrolment(
                course, *await self._enrolments.seats(conn, (file.id, course_id)), today
            )
            return j.Enrol(course, today)

        async def write(conn: Conn, file: JourneyFile, _: Decision) -> dict[str, Any]:
            await self._enrolments.enrol(conn, (file.id, course_id), today)
            return {"course_id": str(course_id)}

        return await self._steps.run(rid, ctx, action="enrolled", command=make, details=write)

    async def record_result(
        self,
        rid: uuid.UUID,
        ctx: ChangeContext,
        course_id: uuid.UUID,
        passed: bool,
        certificate_number: str | None,
        on: dt.date | None,
    ) -> Journey:
        completed_on = self._today(on)
        result = (passed, certificate_number)
        make = self._completion(course_id, completed_on, result)
        write = self._result_writer(course_id, completed_on, result)
        return await self._steps.run(
            rid, ctx, action="course_completed", command=make, details=write
        )

    def _completion(
        self, course_id: uuid.UUID, completed_on: dt.date, result: tuple[bool, str | None]
    ) -> MakeCommand:
        async def make(conn: Conn, file: JourneyFile) -> j.Command:
            course, done = await self._enrolled_course(conn, (file.id, course_id))
            if done is not None:
                raise ResultAlreadyRecorded
            return j.CompleteCourse(course, completed_on, result[0], result[1] is not None)

        return make

    def _result_writer(
        self, course_id: uuid.UUID, completed_on: dt.date, result: tuple[bool, str | None]
    ) -> WriteDetails:
        async def write(conn: Conn, file: JourneyFile, decision: Decision) -> dict[str, Any]:
            await self._enrolments.complete(conn, (file.id, course_id), completed_on, result)
            if _newly_certified(file, decision):
                await self._certify(conn, file.id, result[1])
            return {"course_id": str(course_id), "passed": result[0]}

        return write

    async def _certify(self, conn: Conn, file_id: uuid.UUID, number: str | None) -> None:
        if not await self._enrolments.certify_orientation(conn, file_id, number):
            raise CertificateNumberTaken

    async def _enrolled_course(self, conn: Conn, ids: FileCourse) -> tuple[Course, dt.date | None]:
        """The course the file is enrolled in, and the day it was completed (if it was)."""
        course = found_course(await self._steps.files.find_course(conn, ids[1]))
        enrolled, completed_on = await self._enrolments.enrolment(conn, ids)
        if not enrolled:
            raise NotEnrolled
        return course, completed_on

    async def record_attendance(
        self, rid: uuid.UUID, ctx: ChangeContext, course_id: uuid.UUID, on: dt.date, present: bool
    ) -> None:
        """Attendance moves no stage and emits no event, but it is audited like everything."""
        async with self._pool.acquire() as conn, conn.transaction():
            await file_in_scope(self._steps.files, conn, rid, ctx.actor)
            ids = (rid, course_id)
            course, _ = await self._enrolled_course(conn, ids)
            check_attendance_day(course, on)
            before = await self._enrolments.attendance(conn, ids, on)
            await self._enrolments.set_attendance(conn, ids, on, present)
            key = f"attendance.{course_id}.{on.isoformat()}"
            await audit_file(
                conn, ctx, "journey.attendance_recorded", rid, ({key: before}, {key: present})
            )


def _newly_certified(file: JourneyFile, decision: Decision) -> bool:
    return decision.journey.orientation_certified and not file.journey.orientation_certified
