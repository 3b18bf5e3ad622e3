"""HTTP routes of trainees who stay (no labour-export file): intake by the commune officer;
enrolment, attendance and results by training-centre staff; one history per person."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse
from pydantic import Field
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.trainee_common import NewTrainee
from xkld_registration.domain.consent import ConsentAnswers, Purpose
from xkld_registration.domain.registration import IntakeDetails, SubmitRegistration
from xkld_registration.domain.training_outcome import Outcome
from xkld_registration.domain.training_support import SupportGroup
from xkld_registration.entrypoints.http import ConsentRequest
from xkld_registration.entrypoints.journey_common import Body, Commune, Training, context, invalid
from xkld_registration.entrypoints.wiring import EraseTrainee, TraineeHistories, TraineeSteps

Reader = Annotated[
    Principal,
    Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF)),
]


router = APIRouter(prefix="/trainees", tags=["học nghề nông thôn (rural training)"])


class TraineeRequest(Body):
    """Học viên học nghề ở lại địa phương (a trainee who stays): the same person data, checks
    and consents as a worker's file, and the facts Decision 46/2015 support depends on."""

    full_name: str = Field(min_length=1, max_length=200)
    cccd: str = Field(min_length=1, max_length=20)
    date_of_birth: dt.date
    gender: Literal["male", "female"]
    phone: str = Field(min_length=1, max_length=20)
    commune_code: str = Field(min_length=1, max_length=10)
    ethnicity_code: str = Field(min_length=1, max_length=4)
    household_poverty: Literal["poor", "near_poor", "not_poor"]
    consents: ConsentRequest
    consent_text_version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,20}$")
    hamlet: str | None = Field(None, max_length=100, description="Ấp / thôn / khu phố")
    support_groups: set[SupportGroup] = Field(
        default_factory=set,
        description="Nhóm đối tượng theo QĐ 46/2015 (người khuyết tật, hộ nghèo, ...)",
    )
    difficult_commune: bool = Field(
        False, description="Cư trú ở xã đặc biệt khó khăn (đi lại 300.000 đ từ 5 km)"
    )
    other_state_support: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9._/-]{1,40}$",
        description="Mã chính sách khác của Nhà nước đã hỗ trợ học nghề (nếu có)",
    )

    def command(self) -> NewTrainee:
        answers = {Purpose(p): g for p, g in self.consents.model_dump().items()}
        person = SubmitRegistration(
            full_name=self.full_name,
            cccd=self.cccd,
            date_of_birth=self.date_of_birth,
            gender=self.gender,
            phone=self.phone,
            commune_code=self.commune_code,
            consents=ConsentAnswers(answers, self.consent_text_version),
            ethnicity_code=self.ethnicity_code,
            household_poverty=self.household_poverty,
            details=IntakeDetails(hamlet=self.hamlet),
        )
        return NewTrainee(
            person,
            frozenset(self.support_groups),
            self.difficult_commune,
            self.other_state_support,
        )


class TraineeEnrolment(Body):
    course_id: uuid.UUID
    distance_km: Decimal = Field(
        ge=0, le=1000, decimal_places=1, description="Khoảng cách từ nhà đến nơi học (km)"
    )


class TraineeAttendance(Body):
    course_id: uuid.UUID
    attended_on: dt.date
    present: bool


class TraineeResult(Body):
    course_id: uuid.UUID
    passed: bool
    certificate_number: str | None = Field(None, min_length=1, max_length=60)
    completed_on: dt.date | None = None


class EmploymentOutcome(Body):
    course_id: uuid.UUID
    outcome: Outcome = Field(
        description="Việc làm sau học nghề: đúng nghề, việc khác, tự làm, đi XKLĐ, chưa có việc"
    )
    observed_on: dt.date = Field(description="Ngày ghi nhận (trong 6 tháng sau khoá học)")
    registration_id: uuid.UUID | None = Field(
        None, description="Mã hồ sơ XKLĐ của chính người này, khi đã đi làm việc ở nước ngoài"
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_trainee(
    body: TraineeRequest, request: Request, officer: Commune, trainees: TraineeSteps
) -> JSONResponse:
    """Nhận học viên học nghề (không cần hồ sơ XKLĐ); trùng CCCD thì báo học viên đã có."""
    answer = await trainees.register(body.command(), context(request, officer))
    return JSONResponse(answer, status_code=status.HTTP_201_CREATED)


@router.post("/{trainee_id}/enrolments", status_code=status.HTTP_201_CREATED)
async def enrol_trainee(
    trainee_id: uuid.UUID,
    body: TraineeEnrolment,
    request: Request,
    staff: Training,
    trainees: TraineeSteps,
) -> dict[str, Any]:
    """Ghi danh học viên vào một khoá học nghề (kiểm tra sĩ số)."""
    ctx = context(request, staff)
    return await trainees.enrol(trainee_id, body.course_id, body.distance_km, ctx)


@router.post("/{trainee_id}/attendance", status_code=status.HTTP_204_NO_CONTENT)
async def record_trainee_attendance(
    trainee_id: uuid.UUID,
    body: TraineeAttendance,
    request: Request,
    staff: Training,
    trainees: TraineeSteps,
) -> None:
    """Điểm danh một buổi học (tiền ăn theo số ngày thực học)."""
    await trainees.record_attendance(
        trainee_id, body.course_id, body.attended_on, body.present, context(request, staff)
    )


@router.post("/{trainee_id}/training-results")
async def record_trainee_result(
    trainee_id: uuid.UUID,
    body: TraineeResult,
    request: Request,
    staff: Training,
    trainees: TraineeSteps,
) -> dict[str, Any]:
    """Kết quả khoá học nghề của học viên."""
    if body.certificate_number is not None and not body.passed:
        raise invalid(
            "certificate_number",
            "Chỉ cấp chứng chỉ cho học viên đạt yêu cầu",
            "A certificate is issued only to a trainee who passed",
        )
    return await trainees.record_result(
        trainee_id,
        body.course_id,
        body.passed,
        body.certificate_number,
        body.completed_on,
        context(request, staff),
    )


@router.get("/outcomes-due")
async def employment_outcomes_due(
    officer: Commune, history: TraineeHistories
) -> list[dict[str, Any]]:
    """Nhắc việc: học viên của xã đã học xong trong 6 tháng qua mà chưa ghi nhận việc làm."""
    return await history.outcomes_due(officer)


@router.post("/{trainee_id}/employment-outcomes")
async def record_employment_outcome(
    trainee_id: uuid.UUID,
    body: EmploymentOutcome,
    request: Request,
    officer: Commune,
    trainees: TraineeSteps,
) -> dict[str, Any]:
    """Việc làm của học viên trong 6 tháng sau khoá học (cán bộ xã ghi nhận, sửa được)."""
    return await trainees.record_outcome(
        trainee_id,
        body.course_id,
        body.outcome,
        body.observed_on,
        body.registration_id,
        context(request, officer),
    )


@router.get("/{trainee_id}/history")
async def trainee_history(
    trainee_id: uuid.UUID, staff: Reader, history: TraineeHistories
) -> dict[str, Any]:
    """Một lịch sử cho một người: các khoá học nghề, hỗ trợ đã nhận, hồ sơ XKLĐ (nếu có)."""
    return await history.history(trainee_id, staff)


Eraser = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]


@router.post("/{trainee_id}/erasure", status_code=status.HTTP_204_NO_CONTENT)
async def erase_trainee(
    trainee_id: uuid.UUID, request: Request, erase: EraseTrainee, officer: Eraser
) -> None:
    """Xoá dữ liệu cá nhân của học viên theo yêu cầu; hỗ trợ đã chi và dấu "đã hỗ trợ một lần"
    được giữ lại (chứng từ chi tiền ngân sách)."""
    await erase(trainee_id, context(request, officer))


FileReader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
files = APIRouter(prefix="/registrations", tags=["học nghề nông thôn (rural training)"])


@files.get("/{registration_id}/rural-training")
async def training_at_home(
    registration_id: uuid.UUID, staff: FileReader, history: TraineeHistories
) -> dict[str, Any]:
    """Học nghề ở địa phương của cùng một người (theo CCCD), trước hoặc sau hồ sơ XKLĐ."""
    return await history.of_registration(registration_id, staff)
