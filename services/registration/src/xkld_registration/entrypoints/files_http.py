"""HTTP routes for working the files: lists, search, timeline; and the markets' reference data."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.registration import PriorityGroup
from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.strict import IsoDate, RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.application.files import FileFilters, Lookup, Sort
from xkld_registration.domain.markets import Market
from xkld_registration.domain.problems import invalid_field
from xkld_registration.entrypoints.openapi import ERROR_RESPONSES, READ_ERRORS
from xkld_registration.entrypoints.wiring import Files, MarketList, Markets

Reader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Anyone = Annotated[Principal, Depends(require(*Role))]
LabourOfficer = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER))]

router = APIRouter(prefix="/registrations", tags=["registrations"])
markets = APIRouter(prefix="/markets", tags=["markets"])

_STAGE = r"^[a-z_]{1,40}$"
_MARKET = r"^[A-Z0-9_]{2,40}$"


class FileItem(BaseModel):
    registration_id: uuid.UUID
    full_name: str | None = Field(description="Họ tên (trống nếu đã xoá theo yêu cầu)")
    commune_code: str
    province_code: str | None
    hamlet: str | None
    stage: str = Field(description="Giai đoạn hiện tại của hồ sơ")
    desired_market: str | None
    priority_groups: list[str]
    gender: str | None
    birth_year: int | None
    submitted_on: dt.date
    loan_wanted: bool | None
    erased: bool


class FilePage(BaseModel):
    items: list[FileItem]
    page: int
    page_size: int
    total: int = Field(description="Tổng số hồ sơ khớp bộ lọc, trong phạm vi của bạn")


class Filters(BaseModel):
    """Bộ lọc danh sách hồ sơ (list filters); every filter is optional."""

    model_config = ConfigDict(extra="forbid")

    commune_code: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã/phường")
    hamlet: str | None = Field(None, max_length=100, description="Ấp / thôn")
    stage: str | None = Field(None, pattern=_STAGE, description="Giai đoạn, ví dụ submitted")
    market: str | None = Field(None, pattern=_MARKET, description="Mã thị trường, ví dụ JP_TITP")
    priority_group: PriorityGroup | None = Field(None, description="Một nhóm ưu tiên")
    submitted_from: IsoDate | None = Field(None, description="Nhận hồ sơ từ ngày")
    submitted_to: IsoDate | None = Field(None, description="Nhận hồ sơ đến ngày")
    sort: Sort = Field("-submitted_on", description="Sắp xếp; dấu - là giảm dần")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)

    def filters(self) -> FileFilters:
        if self.submitted_from and self.submitted_to and self.submitted_from > self.submitted_to:
            raise invalid_field(
                "submitted_to",
                "Ngày kết thúc phải sau ngày bắt đầu",
                "The end date must not be before the start date",
            )
        return FileFilters(**self.model_dump(include=set(Filters.model_fields)))


class SearchRequest(Filters):
    """Tìm hồ sơ theo tên (không dấu cũng được) hoặc số CCCD, cùng các bộ lọc."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "nguyen van thanh"}, {"cccd": "086200123456"}]},
    )

    name: str | None = Field(
        None, min_length=1, max_length=200, description="Tên, có dấu hay không dấu"
    )
    cccd: str | None = Field(None, pattern=r"^\s*\d{12}\s*$", description="Số CCCD đầy đủ")


@router.get("", summary="Danh sách hồ sơ (list files in your scope)", responses=READ_ERRORS)
async def list_registrations(
    files: Files, reader: Reader, query: Annotated[Filters, Query()]
) -> FilePage:
    """Danh sách hồ sơ trong phạm vi của bạn (xã của cán bộ xã, tỉnh của cán bộ lao động),
    lọc theo xã, ấp, giai đoạn, thị trường, nhóm ưu tiên và khoảng ngày, có phân trang."""
    page = await files.page(reader, query.filters())
    return FilePage.model_validate(page)


@router.post("/search", summary="Tìm hồ sơ theo tên hoặc CCCD", responses=READ_ERRORS)
async def search_registrations(files: Files, reader: Reader, body: SearchRequest) -> FilePage:
    """Tìm theo tên không phân biệt dấu (`Nguyen` tìm thấy `Nguyễn`; mọi chữ phải có trong tên)
    hoặc theo đúng số CCCD. Sent as a POST body so that names and CCCDs never appear in URLs
    or access logs."""
    lookup = Lookup(name=body.name, cccd=body.cccd)
    page = await files.page(reader, body.filters(), lookup)
    return FilePage.model_validate(page)


class TimelineEntry(BaseModel):
    at: dt.datetime
    kind: str = Field(description="event (sự kiện) hoặc audit (nhật ký thay đổi)")
    type: str
    actor: str | None
    details: dict[str, Any]
    correlation_id: str | None


@router.get(
    "/{registration_id}/timeline",
    summary="Lịch sử đầy đủ của hồ sơ (a file's full history)",
    responses=READ_ERRORS,
)
async def get_timeline(
    registration_id: uuid.UUID, files: Files, reader: Reader
) -> list[TimelineEntry]:
    """Mọi sự kiện và mọi thay đổi của hồ sơ, cũ trước mới sau, với người thực hiện."""
    entries = await files.timeline(registration_id, reader)
    return [TimelineEntry.model_validate(e) for e in entries]


class MarketBody(RequestModel):
    """Một thị trường lao động (a destination market) và giới hạn tuổi của nó."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "KR_EPS",
                    "country_vi": "Hàn Quốc",
                    "programme": "EPS (cấp phép việc làm)",
                    "min_age": 18,
                    "max_age": 39,
                    "typical_cost_vnd": 30_000_000,
                    "active": True,
                }
            ]
        },
    )

    code: str = Field(pattern=_MARKET)
    country_vi: str = Field(min_length=1, max_length=100)
    programme: str = Field(min_length=1, max_length=100)
    min_age: int = Field(ge=18, le=80, description="Tuổi tối thiểu (luật: từ 18)")
    max_age: int | None = Field(None, ge=18, le=80)
    typical_cost_vnd: int | None = Field(None, ge=0, description="Chi phí thường gặp, VND")
    active: bool = True


@markets.get("", summary="Danh mục thị trường (destination markets)", responses=READ_ERRORS)
async def list_markets(book: MarketList, _: Anyone) -> list[MarketBody]:
    """Các thị trường, chương trình (TITP, EPS, …), giới hạn tuổi và chi phí thường gặp."""
    return [MarketBody(**vars(m)) for m in await book.all()]


@markets.post("", summary="Thêm hoặc sửa một thị trường", responses=ERROR_RESPONSES)
async def put_market(
    body: MarketBody,
    request: Request,
    market_cache: Markets,
    book: MarketList,
    response: Response,
    officer: LabourOfficer,
) -> MarketBody:
    """Cán bộ lao động thêm hoặc sửa một thị trường; mọi thay đổi được ghi nhật ký."""
    if body.max_age is not None and body.max_age < body.min_age:
        raise InvalidInput.of(
            [FieldProblem("max_age", "Tuổi tối đa nhỏ hơn tuổi tối thiểu", "max_age < min_age")]
        )
    source = request.client.host if request.client else None
    context = ChangeContext(officer, source, correlation_id_of(request))
    created = await book.save(Market(**body.model_dump()), context)
    market_cache.forget()
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return body
