"""HTTP routes of training: enrolment, attendance, results (training-centre staff)."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Request
from pydantic import Field

from xkld_registration.entrypoints.journey_common import (
    Body,
    JourneyState,
    StepKey,
    Training,
    answer,
    context,
    invalid,
)
from xkld_registration.entrypoints.wiring import TrainingCourses

router = APIRouter(
    prefix="/registrations/{registration_id}",
    tags=["hành trình (journey)"],
    dependencies=[StepKey],
)


# --- training (training-centre staff) ---------------------------------------------------------


class Enrolment(Body):
    course_id: uuid.UUID


class Attendance(Body):
    course_id: uuid.UUID
    attended_on: dt.date
    present: bool


class CourseResult(Body):
    course_id: uuid.UUID
    passed: bool
    certificate_number: str | None = Field(
        None, min_length=1, max_length=60, description="Số chứng chỉ (nếu được cấp)"
    )
    completed_on: dt.date | None = None

    def checked(self) -> CourseResult:
        if self.certificate_number is not None and not self.passed:
            raise invalid(
                "certificate_number",
                "Chỉ cấp chứng chỉ cho học viên đạt yêu cầu",
                "A certificate is issued only to a worker who passed",
            )
        return self


@router.post("/enrolments")
async def enrol(
    registration_id: uuid.UUID,
    body: Enrolment,
    request: Request,
    staff: Training,
    training: TrainingCourses,
) -> JourneyState:
    """Ghi danh người lao động vào một khoá học (kiểm tra sĩ số)."""
    ctx = context(request, staff)
    journey = await training.enrol(registration_id, ctx, body.course_id)
    return answer(registration_id, journey)


@router.post("/attendance", status_code=204)
async def record_attendance(
    registration_id: uuid.UUID,
    body: Attendance,
    request: Request,
    staff: Training,
    training: TrainingCourses,
) -> None:
    """Điểm danh một buổi học."""
    ctx = context(request, staff)
    await training.record_attendance(
        registration_id, ctx, body.course_id, body.attended_on, body.present
    )


@router.post("/training-results")
async def record_result(
    registration_id: uuid.UUID,
    body: CourseResult,
    request: Request,
    staff: Training,
    training: TrainingCourses,
) -> JourneyState:
    """Kết quả khoá học; chứng chỉ giáo dục định hướng chỉ ghi nhận một lần."""
    ctx = context(request, staff)
    body = body.checked()
    journey = await training.record_result(
        registration_id,
        ctx,
        body.course_id,
        body.passed,
        body.certificate_number,
        body.completed_on,
    )
    return answer(registration_id, journey)
