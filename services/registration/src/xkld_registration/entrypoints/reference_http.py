"""Reference data: licensed enterprises and training courses, kept by labour officers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, status
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.journey import CourseType
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application import reference
from xkld_registration.domain.reference import Course
from xkld_registration.entrypoints.wiring import References

CODE = r"^[A-Za-z0-9_.-]{1,40}$"

Labour = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER))]
Staff = Annotated[
    Principal,
    Depends(require(Role.LABOUR_OFFICER, Role.TRAINING_STAFF, Role.COMMUNE_OFFICER)),
]
Trainers = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER, Role.TRAINING_STAFF))]


class Body(RequestModel):
    model_config = ConfigDict(extra="forbid")


class EnterpriseBody(Body):
    code: str = Field(pattern=CODE, examples=["DN-0123"])
    name: str = Field(min_length=1, max_length=200)
    licence_number: str = Field(min_length=1, max_length=60, examples=["123/LĐTBXH-GP"])
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    markets: list[Annotated[str, Field(pattern=CODE)]] = Field(
        min_length=1, description="Thị trường được phép", examples=[["JP"]]
    )


class Revocation(Body):
    revoked_on: dt.date
    reason: str = Field(min_length=1, max_length=2000)


class CourseBody(Body):
    code: str = Field(pattern=CODE, examples=["DH-2026-01"])
    course_type: CourseType
    title: str = Field(min_length=1, max_length=200)
    provider: str = Field(min_length=1, max_length=200, description="Cơ sở đào tạo")
    venue: str = Field(min_length=1, max_length=200, description="Địa điểm học")
    starts_on: dt.date
    ends_on: dt.date
    capacity: int = Field(gt=0, le=10_000, description="Sĩ số tối đa")
    trade_code: str | None = Field(None, pattern=CODE, description="Mã nghề (khoá học nghề)")
    plan_line_id: uuid.UUID | None = Field(
        None, description="Dòng kế hoạch đặt hàng mà khoá học thực hiện (cùng mã nghề)"
    )


def _context(request: Request, actor: Principal) -> ChangeContext:
    source = request.client.host if request.client else None
    return ChangeContext(actor, source, correlation_id_of(request))


router = APIRouter(tags=["danh mục (reference data)"])


IdempotencyKey = Annotated[
    str | None,
    Header(description="Mã chống gửi trùng: gửi lại cùng mã thì nhận lại kết quả lần đầu"),
]


@router.post("/enterprises", status_code=status.HTTP_201_CREATED)
async def add_enterprise(
    body: EnterpriseBody,
    request: Request,
    data: References,
    officer: Labour,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Thêm doanh nghiệp dịch vụ được cấp phép (mã doanh nghiệp là khoá: gửi lại không nhân đôi;
    với Idempotency-Key, gửi lại nhận lại kết quả lần đầu)."""
    licence = reference.EnterpriseLicence(**body.model_dump() | {"markets": tuple(body.markets)})
    keyed = (idempotency_key, body.model_dump(mode="json"))
    return idempotent_response(
        await data.add_enterprise(_context(request, officer), licence, keyed)
    )


@router.get("/enterprises")
async def list_enterprises(data: References, staff: Staff) -> list[dict[str, Any]]:
    """Danh sách doanh nghiệp, giấy phép và thời hạn."""
    return await data.enterprises()


class LicenceBody(Body):
    name: str = Field(min_length=1, max_length=200)
    licence_number: str = Field(min_length=1, max_length=60)
    licence_valid_from: dt.date
    licence_valid_to: dt.date
    markets: list[Annotated[str, Field(pattern=CODE)]] = Field(min_length=1)


@router.post("/enterprises/{enterprise_code}/licence", status_code=204)
async def renew_licence(
    enterprise_code: str, body: LicenceBody, request: Request, data: References, officer: Labour
) -> None:
    """Gia hạn hoặc cấp lại giấy phép (số, thời hạn, thị trường).

    Giấy phép đã thu hồi vẫn bị thu hồi."""
    licence = reference.EnterpriseLicence(
        code=enterprise_code, **body.model_dump() | {"markets": tuple(body.markets)}
    )
    await data.renew_licence(_context(request, officer), licence)


@router.post("/enterprises/{enterprise_code}/revocation", status_code=204)
async def revoke_enterprise(
    enterprise_code: str, body: Revocation, request: Request, data: References, officer: Labour
) -> None:
    """Thu hồi giấy phép: doanh nghiệp không được ký hợp đồng mới."""
    await data.revoke_enterprise(
        _context(request, officer),
        enterprise_code,
        body.revoked_on,
        body.reason,
    )


@router.post("/courses", status_code=status.HTTP_201_CREATED)
async def add_course(
    body: CourseBody,
    request: Request,
    data: References,
    officer: Labour,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Mở khoá học (mã khoá là khoá: gửi lại không nhân đôi; với Idempotency-Key, gửi lại nhận
    lại kết quả lần đầu, cùng mã khoá học)."""
    course = Course(id=reference.new_course_id(), **body.model_dump())
    keyed = (idempotency_key, body.model_dump(mode="json"))
    return idempotent_response(await data.add_course(_context(request, officer), course, keyed))


@router.get("/courses")
async def list_courses(data: References, staff: Staff) -> list[dict[str, Any]]:
    """Các khoá học và số học viên đã ghi danh."""
    return await data.courses()


@router.get("/courses/{course_code}/roster")
async def course_roster(
    course_code: str, data: References, staff: Trainers
) -> list[dict[str, Any]]:
    """Danh sách học viên (mã hồ sơ), điểm danh và kết quả."""
    return await data.roster(course_code)
