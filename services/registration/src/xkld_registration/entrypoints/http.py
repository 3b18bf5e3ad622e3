"""HTTP routes: authenticate, parse, call the application, shape the answer. No rules here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Depends, Header, Request, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared import idempotency
from xkld_shared.audit import ChangeContext, trail_of
from xkld_shared.contracts.registration import PriorityGroup
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters.postgres_store import PostgresRegistrationRows, consent_history
from xkld_registration.application.queries import RegistrationView, find_in_scope, view_of
from xkld_registration.application.submit_registration import SubmitRegistrationHandler
from xkld_registration.domain.consent import PURPOSE_TEXT_VI, ConsentAnswers, Purpose
from xkld_registration.domain.registration import Education, IntakeDetails, SubmitRegistration
from xkld_registration.entrypoints.consent_print import render_consent_record
from xkld_registration.entrypoints.openapi import ERROR_RESPONSES, EXAMPLE, READ_ERRORS
from xkld_registration.entrypoints.wiring import DbPool, Erase, Submit, Vault


class ConsentRequest(RequestModel):
    """Each purpose answered explicitly: a missing answer is an error, not a no."""

    model_config = ConfigDict(extra="forbid")

    registration_processing: bool
    sms_notifications: bool
    share_with_enterprise: bool
    share_with_bank: bool


class ConsentRecord(BaseModel):
    purpose: str
    purpose_vi: str
    granted: bool
    text_version: str
    recorded_by_name: str
    recorded_at: dt.datetime


class RegistrationRequest(RequestModel):
    """Hồ sơ đăng ký của người lao động, do cán bộ xã nhập (a worker's file, typed by the
    commune officer). Mã xã cũ (trước 01/07/2025) được chuyển sang mã xã mới."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

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
    education: Education | None = Field(None, description="Trình độ học vấn")
    occupation: str | None = Field(None, max_length=200, description="Nghề nghiệp, kỹ năng")
    priority_groups: set[PriorityGroup] = Field(
        default_factory=set, description="Nhóm ưu tiên (một tập hợp mã)"
    )
    desired_market: str | None = Field(
        None, max_length=40, description="Mã thị trường mong muốn (xem GET /markets)"
    )
    desired_occupation: str | None = Field(None, max_length=200, description="Nghề mong muốn")
    loan_wanted: bool | None = Field(None, description="Có nhu cầu vay vốn VBSP không")
    outreach_respondent_id: uuid.UUID | None = Field(
        None,
        description="Người trả lời khảo sát được chuyển thành hồ sơ (dịch vụ outreach): mỗi "
        "người một hồ sơ; gửi lại trả về hồ sơ đã có",
    )

    def command(self) -> SubmitRegistration:
        fields = self.model_dump(exclude={"consents", "consent_text_version", *_DETAILS})
        answers = {Purpose(p): granted for p, granted in self.consents.model_dump().items()}
        details = IntakeDetails(
            **self.model_dump(include=_DETAILS, exclude={"priority_groups"}),
            priority_groups=frozenset(self.priority_groups),
        )
        return SubmitRegistration(
            **fields,
            consents=ConsentAnswers(answers, self.consent_text_version),
            details=details,
        )


_DETAILS = {f.name for f in dataclasses.fields(IntakeDetails)}


class RegistrationCreated(BaseModel):
    registration_id: uuid.UUID
    status: str
    commune_code: str
    commune_code_entered: str | None = Field(
        None, description="Mã xã cũ đã nhập, khi đã được chuyển sang mã mới"
    )
    submitted_on: dt.date


class AuditEntry(BaseModel):
    id: int
    occurred_at: dt.datetime
    actor_subject: str
    actor_username: str
    actor_roles: list[str]
    source_ip: str | None
    action: str
    changes: dict[str, Any]
    correlation_id: uuid.UUID | None


Officer = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER))]
Reader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Auditor = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER, Role.ADMIN))]


def _context(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    return ChangeContext(actor, source, correlation_id_of(request))


router = APIRouter(prefix="/registrations", tags=["registrations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationCreated,
    summary="Nhận hồ sơ đăng ký mới (submit a worker's file)",
    responses=ERROR_RESPONSES,
)
async def submit_registration(
    body: RegistrationRequest,
    request: Request,
    submit: Submit,
    officer: Officer,
    idempotency_key: Annotated[
        str | None,
        Header(description="Mã chống gửi trùng: gửi lại cùng mã thì nhận lại kết quả lần đầu"),
    ] = None,
) -> JSONResponse:
    """Kiểm tra từng trường (CCCD, ngày sinh, giới tính, số điện thoại, mã xã, thị trường) và
    mở hồ sơ. Lỗi trả về 422, nêu tên trường, bằng tiếng Việt và tiếng Anh; người đã có hồ sơ
    đang hoạt động trả về 409. Hồ sơ từ một người trả lời khảo sát (`outreach_respondent_id`)
    chỉ được tạo một lần: gửi lại trả về 200 với hồ sơ đã có. With an `Idempotency-Key`, a
    retry returns the first answer."""
    context = _context(request, officer)
    if idempotency_key is None:
        made = await submit.answer(body.command(), context)
        return JSONResponse(made.body, status_code=made.status_code)
    return await _submit_once(submit, body, context, idempotency_key)


async def _submit_once(
    submit: SubmitRegistrationHandler,
    body: RegistrationRequest,
    context: ChangeContext,
    idempotency_key: str,
) -> JSONResponse:
    """With an Idempotency-Key: a retry gets the first answer back, marked as replayed."""
    key = idempotency.checked_key(idempotency_key)
    fingerprinted = body.model_dump(mode="json") | {"priority_groups": sorted(body.priority_groups)}
    answer = await submit.once(body.command(), context, key, fingerprinted)
    return idempotent_response(answer)


@router.get(
    "/{registration_id}", summary="Xem một hồ sơ (CCCD, điện thoại che bớt)", responses=READ_ERRORS
)
async def get_registration(
    registration_id: uuid.UUID, pool: DbPool, vault: Vault, reader: Reader
) -> dict[str, Any]:
    row = await find_in_scope(pool, PostgresRegistrationRows(), registration_id, reader)
    view: RegistrationView = view_of(row, vault)
    return dataclasses.asdict(view)


@router.get("/{registration_id}/audit", summary="Nhật ký thay đổi của hồ sơ", responses=READ_ERRORS)
async def get_audit_trail(
    registration_id: uuid.UUID, pool: DbPool, auditor: Auditor
) -> list[AuditEntry]:

    await find_in_scope(pool, PostgresRegistrationRows(), registration_id, auditor)
    rows = await trail_of(pool, "registration", str(registration_id))
    return [AuditEntry(**dict(r)) for r in rows]


async def _consents(
    pool: asyncpg.Pool, registration_id: uuid.UUID, reader: Principal
) -> tuple[asyncpg.Record, list[ConsentRecord]]:
    row = await find_in_scope(pool, PostgresRegistrationRows(), registration_id, reader)
    async with pool.acquire() as conn:
        rows = await consent_history(conn, registration_id)
    records = [
        ConsentRecord(**dict(r), purpose_vi=PURPOSE_TEXT_VI[Purpose(r["purpose"])]) for r in rows
    ]
    return row, records


@router.get(
    "/{registration_id}/consents", summary="Lịch sử đồng ý theo mục đích", responses=READ_ERRORS
)
async def get_consents(
    registration_id: uuid.UUID, pool: DbPool, reader: Reader
) -> list[ConsentRecord]:
    """The consent history: every answer ever given, with who recorded it and when."""
    _, records = await _consents(pool, registration_id, reader)
    return records


@router.get(
    "/{registration_id}/consents/print",
    response_class=HTMLResponse,
    summary="Bản in phiếu đồng ý để người lao động ký",
    responses=READ_ERRORS,
)
async def print_consents(registration_id: uuid.UUID, pool: DbPool, reader: Reader) -> str:
    """The same history as a page to print and have the worker sign."""
    row, records = await _consents(pool, registration_id, reader)
    return render_consent_record(
        row["full_name"],
        str(registration_id)[:8].upper(),
        row["commune_code"],
        [r.model_dump() for r in records],
    )


Eraser = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]


@router.post(
    "/{registration_id}/erasure",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xoá dữ liệu cá nhân theo yêu cầu (chỉ khi chưa xuất cảnh)",
    responses=ERROR_RESPONSES,
)
async def erase_personal_data(
    registration_id: uuid.UUID, request: Request, erase: Erase, officer: Eraser
) -> None:
    """Erase the worker's personal data on their request (only if they never departed)."""
    await erase(registration_id, _context(request, officer))
