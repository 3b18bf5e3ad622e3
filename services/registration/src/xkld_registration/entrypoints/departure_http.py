"""HTTP routes of the departure gates, the departure, and the follow-up abroad and after."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import Field
from xkld_shared.contracts.journey import EarlyReturnCause

from xkld_registration.application.journey_terms import CheckIn, Contract, Note
from xkld_registration.domain.journey_state import Gate
from xkld_registration.entrypoints.journey_common import (
    CODE,
    Body,
    FollowUp,
    FreeNote,
    JourneyState,
    Labour,
    StepKey,
    answer,
    context,
)
from xkld_registration.entrypoints.wiring import WorkerJourneys

router = APIRouter(
    prefix="/registrations/{registration_id}",
    tags=["hành trình (journey)"],
    dependencies=[StepKey],
)


# --- departure gates --------------------------------------------------------------------------


class ContractBody(Body):
    enterprise_code: str = Field(pattern=CODE)
    contract_number: str = Field(min_length=1, max_length=60)
    market_code: str = Field(pattern=CODE)
    programme: str = Field(pattern=CODE)
    employer_name: str = Field(min_length=1, max_length=200)
    term_months: int = Field(gt=0, le=240)
    monthly_salary: int = Field(gt=0, description="Lương tháng, đơn vị nhỏ nhất của tiền tệ")
    salary_currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["JPY"])
    signed_on: dt.date
    fee_vnd: int | None = Field(
        None, ge=0, le=10_000_000_000, description="Phí người lao động đã nộp (VND), nếu có"
    )


class HealthCertificate(Body):
    certificate_number: str = Field(min_length=1, max_length=60)
    issued_on: dt.date
    facility: str = Field(min_length=1, max_length=200, description="Cơ sở khám sức khoẻ")
    conclusion: str = Field(
        min_length=1, max_length=1000, description="Kết luận: đủ sức khoẻ đi làm việc ở nước ngoài"
    )


class DepositOrGuarantee(Body):
    kind: Literal["deposit", "guarantee"]
    amount_vnd: int | None = Field(None, gt=0)
    reference: str = Field(min_length=1, max_length=100, description="Số chứng từ / bảo lãnh")
    recorded_on: dt.date | None = None


class Visa(Body):
    visa_number: str = Field(min_length=1, max_length=60)
    issued_on: dt.date
    expires_on: dt.date | None = None


@router.post("/contract")
async def sign_contract(
    registration_id: uuid.UUID,
    body: ContractBody,
    request: Request,
    officer: Labour,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Hợp đồng với doanh nghiệp còn giấy phép, phục vụ đúng thị trường."""
    ctx = context(request, officer)
    journey = await journeys.sign_contract(registration_id, ctx, Contract(**body.model_dump()))
    return answer(registration_id, journey)


@router.post("/gates/health-certificate")
async def record_health_certificate(
    registration_id: uuid.UUID,
    body: HealthCertificate,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Giấy khám sức khoẻ (dữ liệu nhạy cảm: được mã hoá khi lưu)."""
    ctx = context(request, officer)
    journey = await journeys.clear_gate(
        registration_id, ctx, Gate.HEALTH_CERTIFICATE, body.issued_on, body.model_dump(mode="json")
    )
    return answer(registration_id, journey)


@router.post("/gates/deposit-or-guarantee")
async def record_deposit(
    registration_id: uuid.UUID,
    body: DepositOrGuarantee,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Tiền ký quỹ hoặc bảo lãnh."""
    ctx = context(request, officer)
    details = body.model_dump(mode="json", exclude={"recorded_on"})
    journey = await journeys.clear_gate(
        registration_id, ctx, Gate.DEPOSIT_OR_GUARANTEE, body.recorded_on, details
    )
    return answer(registration_id, journey)


@router.post("/gates/visa")
async def record_visa(
    registration_id: uuid.UUID,
    body: Visa,
    request: Request,
    officer: Labour,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Thị thực (visa) đã cấp."""
    ctx = context(request, officer)
    journey = await journeys.clear_gate(
        registration_id, ctx, Gate.VISA, body.issued_on, body.model_dump(mode="json")
    )
    return answer(registration_id, journey)


# --- departure (labour officer) ---------------------------------------------------------------


class Schedule(Body):
    departure_on: dt.date
    flight_number: str | None = Field(None, pattern=r"^[A-Z0-9]{2}\s?\d{1,4}[A-Z]?$")


class Departed(Body):
    departed_on: dt.date | None = None


@router.post("/departure-schedule")
async def schedule_departure(
    registration_id: uuid.UUID,
    body: Schedule,
    request: Request,
    officer: Labour,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Xếp lịch xuất cảnh: chỉ khi đủ mọi điều kiện (đặt lại ngày cũng dùng lệnh này)."""
    ctx = context(request, officer)
    journey = await journeys.schedule_departure(
        registration_id, ctx, body.departure_on, body.flight_number
    )
    return answer(registration_id, journey)


@router.post("/departure")
async def depart(
    registration_id: uuid.UUID,
    body: Departed,
    request: Request,
    officer: Labour,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Người lao động đã xuất cảnh."""
    ctx = context(request, officer)
    journey = await journeys.depart(registration_id, ctx, body.departed_on)
    return answer(registration_id, journey)


# --- abroad and after (commune or labour officer) ---------------------------------------------


class CheckInBody(Body):
    checked_in_on: dt.date
    channel: Literal["phone", "sms", "visit", "enterprise_report", "other"]
    employment_status: Literal["working", "between_jobs", "not_working"]
    wellbeing: Literal["good", "fair", "poor"]
    remittance_vnd: int | None = Field(
        None, ge=0, le=10_000_000_000, description="Tiền gửi về từ lần liên lạc trước (VND)"
    )
    incidents: str | None = Field(None, max_length=2000, description="Sự cố (nếu có)")


class ReturnBody(Body):
    returned_on: dt.date | None = None
    early_cause: EarlyReturnCause | None = Field(
        None, description="Nguyên nhân về nước trước hạn (Luật 69/2020, Điều 67)"
    )
    note: str | None = Field(None, max_length=2000)


class Referral(Body):
    referral_code: str = Field(pattern=CODE, examples=["employment_service_centre"])
    note: str | None = Field(None, max_length=2000)


@router.post("/check-ins")
async def check_in(
    registration_id: uuid.UUID,
    body: CheckInBody,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Liên lạc định kỳ khi người lao động ở nước ngoài."""
    ctx = context(request, officer)
    journey = await journeys.check_in(registration_id, ctx, CheckIn(**body.model_dump()))
    return answer(registration_id, journey)


@router.post("/absconding")
async def report_absconded(
    registration_id: uuid.UUID,
    body: FreeNote,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Báo cáo người lao động bỏ trốn khỏi nơi làm việc."""
    ctx = context(request, officer)
    journey = await journeys.report_absconded(registration_id, ctx, body.note)
    return answer(registration_id, journey)


@router.post("/return")
async def record_return(
    registration_id: uuid.UUID,
    body: ReturnBody,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Về nước: hết hạn hợp đồng, hoặc trước hạn với nguyên nhân."""
    ctx = context(request, officer)
    journey = await journeys.record_return(
        registration_id, ctx, body.returned_on, body.early_cause, body.note
    )
    return answer(registration_id, journey)


@router.post("/reintegration-referrals")
async def refer_to_job(
    registration_id: uuid.UUID,
    body: Referral,
    request: Request,
    officer: FollowUp,
    journeys: WorkerJourneys,
) -> JourneyState:
    """Giới thiệu việc làm sau khi về nước (tái hoà nhập)."""
    ctx = context(request, officer)
    journey = await journeys.refer_to_job(registration_id, ctx, Note(body.referral_code, body.note))
    return answer(registration_id, journey)
