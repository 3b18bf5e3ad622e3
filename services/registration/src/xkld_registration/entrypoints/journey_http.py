"""HTTP routes of the journey: one command per endpoint, each answering the file's new state.

Roles: labour officers assess files, sign off contracts and departures; training-centre staff
enrol and record results; commune officers handle the loan question, documents and follow-up.
Scope (commune or province) is checked by the application on the locked file.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.audit import SEALED, ChangeContext
from xkld_shared.contracts.journey import EarlyReturnCause
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.app import correlation_id_of
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters.journey_store import load_file, records_of
from xkld_registration.application import change_consent as consents
from xkld_registration.application.journey import journey_view, may_act_on
from xkld_registration.application.journey_steps import CheckIn, Contract, Journeys, Note
from xkld_registration.application.queries import RegistrationNotFound
from xkld_registration.domain.consent import Purpose
from xkld_registration.domain.journey import Gate, Journey, LoanTerms, departure_blockers

CODE = r"^[A-Za-z0-9_.-]{1,40}$"

Labour = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER))]
Training = Annotated[Principal, Depends(require(Role.TRAINING_STAFF))]
Commune = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]
FollowUp = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Reader = Annotated[
    Principal,
    Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF)),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JourneyState(BaseModel):
    registration_id: uuid.UUID
    stage: str
    loan: str
    gates: list[str]
    orientation_certified: bool
    market_code: str | None
    enterprise_code: str | None
    departure_on: dt.date | None
    early_cause: str | None
    departure_blockers_vi: list[str]
    departure_blockers_en: list[str]


def _answer(registration_id: uuid.UUID, journey: Journey) -> JourneyState:
    blockers = departure_blockers(journey)
    return JourneyState(
        registration_id=registration_id,
        **journey_view(journey),
        departure_blockers_vi=[vi for vi, _ in blockers],
        departure_blockers_en=[en for _, en in blockers],
    )


def _invalid(field: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput.of([FieldProblem(field, vi, en)])


def _journeys(request: Request) -> Journeys:
    journeys: Journeys = request.app.state.journeys
    return journeys


def _context(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    return ChangeContext(actor, source, correlation_id_of(request))


router = APIRouter(prefix="/registrations/{registration_id}", tags=["hành trình (journey)"])


@router.get("/journey")
async def get_journey(
    registration_id: uuid.UUID, request: Request, reader: Reader
) -> dict[str, Any]:
    """Bước hiện tại của hồ sơ, các điều kiện xuất cảnh còn thiếu và nhật ký các bước."""
    pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction():
        file = await load_file(conn, registration_id)
        if file is None or not may_act_on(reader, file.commune_code, file.province_code):
            raise RegistrationNotFound
        records = await records_of(conn, registration_id)
    state = _answer(registration_id, file.journey).model_dump(mode="json")
    steps = [_shown(r) for r in records]
    return state | {"records": steps}


def _shown(record: Any) -> dict[str, Any]:
    # Sealed health details are not opened here: reading them is not this page's purpose.
    details = record["details"]
    shown = {k: SEALED for k in details} if "sealed" in details else details
    return dict(record) | {"details": shown, "recorded_at": record["recorded_at"].isoformat()}


# --- assessment (labour officer) --------------------------------------------------------------


class Assessment(Body):
    assessed_on: dt.date | None = Field(None, description="Ngày xét duyệt (mặc định: hôm nay)")


class Reason(Body):
    reason_code: str = Field(pattern=CODE, description="Mã lý do", examples=["not_voluntary"])
    reason: str | None = Field(None, max_length=2000, description="Diễn giải của cán bộ")

    def note(self) -> Note:
        return Note(self.reason_code, self.reason)


@router.post("/eligibility")
async def find_eligible(
    registration_id: uuid.UUID, body: Assessment, request: Request, officer: Labour
) -> JourneyState:
    """Xác nhận hồ sơ đủ điều kiện (Luật 69/2020, Điều 44)."""
    ctx = _context(request, officer)
    journey = await _journeys(request).find_eligible(registration_id, ctx, body.assessed_on)
    return _answer(registration_id, journey)


@router.post("/rejection")
async def reject(
    registration_id: uuid.UUID, body: Reason, request: Request, officer: Labour
) -> JourneyState:
    """Từ chối hồ sơ, có lý do."""
    ctx = _context(request, officer)
    journey = await _journeys(request).reject(registration_id, ctx, body.note())
    return _answer(registration_id, journey)


@router.post("/withdrawal")
async def withdraw(
    registration_id: uuid.UUID, body: Reason, request: Request, officer: FollowUp
) -> JourneyState:
    """Người lao động rút hồ sơ (chỉ trước khi xuất cảnh)."""
    ctx = _context(request, officer)
    journey = await _journeys(request).withdraw(registration_id, ctx, body.note())
    return _answer(registration_id, journey)


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
            raise _invalid(
                "certificate_number",
                "Chỉ cấp chứng chỉ cho học viên đạt yêu cầu",
                "A certificate is issued only to a worker who passed",
            )
        return self


@router.post("/enrolments")
async def enrol(
    registration_id: uuid.UUID, body: Enrolment, request: Request, staff: Training
) -> JourneyState:
    """Ghi danh người lao động vào một khoá học (kiểm tra sĩ số)."""
    ctx = _context(request, staff)
    journey = await _journeys(request).enrol(registration_id, ctx, body.course_id)
    return _answer(registration_id, journey)


@router.post("/attendance", status_code=204)
async def record_attendance(
    registration_id: uuid.UUID, body: Attendance, request: Request, staff: Training
) -> None:
    """Điểm danh một buổi học."""
    ctx = _context(request, staff)
    await _journeys(request).record_attendance(
        registration_id, ctx, body.course_id, body.attended_on, body.present
    )


@router.post("/training-results")
async def record_result(
    registration_id: uuid.UUID, body: CourseResult, request: Request, staff: Training
) -> JourneyState:
    """Kết quả khoá học; chứng chỉ giáo dục định hướng chỉ ghi nhận một lần."""
    ctx = _context(request, staff)
    body = body.checked()
    journey = await _journeys(request).record_result(
        registration_id,
        ctx,
        body.course_id,
        body.passed,
        body.certificate_number,
        body.completed_on,
    )
    return _answer(registration_id, journey)


# --- loan (commune officer) -------------------------------------------------------------------


class LoanRequestBody(Body):
    requested_vnd: int = Field(gt=0, description="Số tiền đề nghị vay (VND)", examples=[90_000_000])
    cost_breakdown_vnd: dict[str, int] = Field(
        min_length=1,
        description="Chi phí theo hợp đồng, từng khoản (VND)",
        examples=[{"service_fee": 60_000_000, "airfare": 15_000_000, "training": 25_000_000}],
    )
    purpose_code: str = Field(pattern=CODE, examples=["labour_export_costs"])
    purpose_note: str | None = Field(None, max_length=2000)
    requested_term_months: int = Field(gt=0, le=240)
    market_code: str = Field(pattern=CODE, examples=["JP"])
    programme: str = Field(pattern=CODE, examples=["TITP"])
    contract_term_months: int = Field(gt=0, le=240)

    def terms(self) -> LoanTerms:
        costs = self.cost_breakdown_vnd
        if any(v <= 0 for v in costs.values()) or not all(0 < len(k) <= 40 for k in costs):
            raise _invalid(
                "cost_breakdown_vnd",
                "Mỗi khoản chi phí cần tên (1–40 ký tự) và số tiền VND dương",
                "Each cost needs a name (1-40 characters) and a positive VND amount",
            )
        if self.requested_vnd > sum(costs.values()):
            raise _invalid(
                "requested_vnd",
                "Số tiền vay không được vượt tổng chi phí theo hợp đồng",
                "The loan cannot exceed the total contract costs",
            )
        return LoanTerms(
            requested_vnd=self.requested_vnd,
            cost_breakdown_vnd=dict(self.cost_breakdown_vnd),
            purpose_code=self.purpose_code,
            requested_term_months=self.requested_term_months,
            market_code=self.market_code,
            programme=self.programme,
            contract_term_months=self.contract_term_months,
        )


class FreeNote(Body):
    note: str | None = Field(None, max_length=2000)


@router.post("/loan-request")
async def request_loan(
    registration_id: uuid.UUID, body: LoanRequestBody, request: Request, officer: Commune
) -> JourneyState:
    """Đề nghị vay vốn NHCSXH (cần sự đồng ý chia sẻ hồ sơ với ngân hàng)."""
    ctx = _context(request, officer)
    journey = await _journeys(request).request_loan(
        registration_id, ctx, body.terms(), body.purpose_note
    )
    return _answer(registration_id, journey)


@router.post("/no-loan")
async def declare_no_loan(
    registration_id: uuid.UUID, body: FreeNote, request: Request, officer: Commune
) -> JourneyState:
    """Người lao động khai không vay vốn."""
    ctx = _context(request, officer)
    journey = await _journeys(request).declare_no_loan(registration_id, ctx, body.note)
    return _answer(registration_id, journey)


class ConsentChange(Body):
    purpose: Literal["share_with_bank", "share_with_enterprise"]
    granted: bool
    consent_text_version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,20}$")


@router.post("/consents", status_code=204)
async def change_consent(
    registration_id: uuid.UUID, body: ConsentChange, request: Request, officer: Commune
) -> None:
    """Ghi nhận người lao động đồng ý (hoặc rút lại đồng ý) chia sẻ hồ sơ với ngân hàng hoặc
    doanh nghiệp; lịch sử đồng ý được giữ nguyên."""
    await consents.change_consent(
        request.app.state.pool,
        _context(request, officer),
        registration_id,
        Purpose(body.purpose),
        body.granted,
        body.consent_text_version,
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
    registration_id: uuid.UUID, body: ContractBody, request: Request, officer: Labour
) -> JourneyState:
    """Hợp đồng với doanh nghiệp còn giấy phép, phục vụ đúng thị trường."""
    ctx = _context(request, officer)
    journey = await _journeys(request).sign_contract(
        registration_id, ctx, Contract(**body.model_dump())
    )
    return _answer(registration_id, journey)


@router.post("/gates/health-certificate")
async def record_health_certificate(
    registration_id: uuid.UUID, body: HealthCertificate, request: Request, officer: FollowUp
) -> JourneyState:
    """Giấy khám sức khoẻ (dữ liệu nhạy cảm: được mã hoá khi lưu)."""
    ctx = _context(request, officer)
    journey = await _journeys(request).clear_gate(
        registration_id, ctx, Gate.HEALTH_CERTIFICATE, body.issued_on, body.model_dump(mode="json")
    )
    return _answer(registration_id, journey)


@router.post("/gates/deposit-or-guarantee")
async def record_deposit(
    registration_id: uuid.UUID, body: DepositOrGuarantee, request: Request, officer: FollowUp
) -> JourneyState:
    """Tiền ký quỹ hoặc bảo lãnh."""
    ctx = _context(request, officer)
    details = body.model_dump(mode="json", exclude={"recorded_on"})
    journey = await _journeys(request).clear_gate(
        registration_id, ctx, Gate.DEPOSIT_OR_GUARANTEE, body.recorded_on, details
    )
    return _answer(registration_id, journey)


@router.post("/gates/visa")
async def record_visa(
    registration_id: uuid.UUID, body: Visa, request: Request, officer: Labour
) -> JourneyState:
    """Thị thực (visa) đã cấp."""
    ctx = _context(request, officer)
    journey = await _journeys(request).clear_gate(
        registration_id, ctx, Gate.VISA, body.issued_on, body.model_dump(mode="json")
    )
    return _answer(registration_id, journey)


# --- departure (labour officer) ---------------------------------------------------------------


class Schedule(Body):
    departure_on: dt.date
    flight_number: str | None = Field(None, pattern=r"^[A-Z0-9]{2}\s?\d{1,4}[A-Z]?$")


class Departed(Body):
    departed_on: dt.date | None = None


@router.post("/departure-schedule")
async def schedule_departure(
    registration_id: uuid.UUID, body: Schedule, request: Request, officer: Labour
) -> JourneyState:
    """Xếp lịch xuất cảnh: chỉ khi đủ mọi điều kiện (đặt lại ngày cũng dùng lệnh này)."""
    ctx = _context(request, officer)
    journey = await _journeys(request).schedule_departure(
        registration_id, ctx, body.departure_on, body.flight_number
    )
    return _answer(registration_id, journey)


@router.post("/departure")
async def depart(
    registration_id: uuid.UUID, body: Departed, request: Request, officer: Labour
) -> JourneyState:
    """Người lao động đã xuất cảnh."""
    ctx = _context(request, officer)
    journey = await _journeys(request).depart(registration_id, ctx, body.departed_on)
    return _answer(registration_id, journey)


# --- abroad and after (commune or labour officer) ---------------------------------------------


class CheckInBody(Body):
    checked_in_on: dt.date
    channel: Literal["phone", "sms", "visit", "enterprise_report", "other"]
    employment_status: Literal["working", "between_jobs", "not_working"]
    wellbeing: Literal["good", "fair", "poor"]
    remittance_vnd: int | None = Field(None, ge=0, description="Tiền gửi về (VND)")
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
    registration_id: uuid.UUID, body: CheckInBody, request: Request, officer: FollowUp
) -> JourneyState:
    """Liên lạc định kỳ khi người lao động ở nước ngoài."""
    ctx = _context(request, officer)
    journey = await _journeys(request).check_in(registration_id, ctx, CheckIn(**body.model_dump()))
    return _answer(registration_id, journey)


@router.post("/absconding")
async def report_absconded(
    registration_id: uuid.UUID, body: FreeNote, request: Request, officer: FollowUp
) -> JourneyState:
    """Báo cáo người lao động bỏ trốn khỏi nơi làm việc."""
    ctx = _context(request, officer)
    journey = await _journeys(request).report_absconded(registration_id, ctx, body.note)
    return _answer(registration_id, journey)


@router.post("/return")
async def record_return(
    registration_id: uuid.UUID, body: ReturnBody, request: Request, officer: FollowUp
) -> JourneyState:
    """Về nước: hết hạn hợp đồng, hoặc trước hạn với nguyên nhân."""
    ctx = _context(request, officer)
    journey = await _journeys(request).record_return(
        registration_id, ctx, body.returned_on, body.early_cause, body.note
    )
    return _answer(registration_id, journey)


@router.post("/reintegration-referrals")
async def refer_to_job(
    registration_id: uuid.UUID, body: Referral, request: Request, officer: FollowUp
) -> JourneyState:
    """Giới thiệu việc làm sau khi về nước (tái hoà nhập)."""
    ctx = _context(request, officer)
    journey = await _journeys(request).refer_to_job(
        registration_id, ctx, Note(body.referral_code, body.note)
    )
    return _answer(registration_id, journey)
