"""HTTP routes of the yearly course plan (đặt hàng): labour officers set and withdraw lines for
the communes of their province; commune officers, labour officers and training centres read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.entrypoints.journey_common import CODE, Body, Labour, context
from xkld_registration.entrypoints.wiring import CoursePlans

Reader = Annotated[
    Principal,
    Depends(require(Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER, Role.TRAINING_STAFF)),
]

router = APIRouter(tags=["học nghề nông thôn (rural training)"])


class PlanLineBody(Body):
    """Một dòng kế hoạch đặt hàng đào tạo nghề (one line of the year's course plan)."""

    plan_year: int = Field(ge=2000, le=2100, description="Năm kế hoạch", examples=[2026])
    commune_code: str = Field(min_length=1, max_length=10, description="Mã xã/phường")
    trade_code: str = Field(pattern=CODE, description="Mã nghề", examples=["NTTS"])
    trade_title: str = Field(min_length=1, max_length=200, description="Tên nghề")
    institution: str = Field(min_length=1, max_length=200, description="Cơ sở đào tạo")
    places: int = Field(gt=0, le=10_000, description="Số chỗ học đặt hàng")
    planned_starts_on: dt.date = Field(description="Ngày khai giảng dự kiến")
    planned_ends_on: dt.date = Field(description="Ngày kết thúc dự kiến")
    budget_vnd: int = Field(ge=0, description="Kinh phí (đồng)")


@router.put("/course-plan/lines/{line_id}")
async def set_plan_line(
    line_id: uuid.UUID, body: PlanLineBody, request: Request, officer: Labour, plan: CoursePlans
) -> dict[str, Any]:
    """Lập hoặc sửa một dòng kế hoạch (gửi lại cùng nội dung thì không thay đổi gì)."""
    return await plan.set_line(line_id, body.model_dump(), context(request, officer))


@router.post("/course-plan/lines/{line_id}/withdraw")
async def withdraw_plan_line(
    line_id: uuid.UUID, request: Request, officer: Labour, plan: CoursePlans
) -> dict[str, Any]:
    """Rút một dòng khỏi kế hoạch (rút lại lần nữa thì trả lời như lần đầu)."""
    return await plan.withdraw(line_id, context(request, officer))


@router.get("/course-plan")
async def course_plan(
    reader: Reader,
    year: Annotated[int, Query(ge=2000, le=2100, description="Năm kế hoạch")],
    plan: CoursePlans,
    commune_code: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
) -> dict[str, Any]:
    """Kế hoạch đào tạo nghề của năm: từng dòng, các khoá học đã mở theo dòng và số chỗ đã
    có người học."""
    return await plan.plan(year, commune_code, reader)
