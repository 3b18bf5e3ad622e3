"""Roll-ups of the survey: counts, a suggested course plan and a suggested target. No names."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.entrypoints.wiring import RollupDesk

Reader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Commune = Annotated[str | None, Query(pattern=r"^\d{5}$", description="Một xã trong phạm vi")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Năm bắt đầu đợt khảo sát")]

router = APIRouter(prefix="/survey-rollups", tags=["survey roll-ups"])


@router.get("", summary="Tổng hợp khảo sát theo xã, ấp, nghề, thị trường, nhóm ưu tiên")
async def rollups(
    desk: RollupDesk,
    reader: Reader,
    commune_code: Commune = None,
    year: Year = None,
    round_id: Annotated[uuid.UUID | None, Query()] = None,
) -> dict[str, Any]:
    """Đếm lại từ từng người trả lời, trong phạm vi của bạn (xã của bạn; tỉnh của bạn)."""
    return await desk.rollups(desk.area(reader, commune_code, year, round_id))


@router.get("/course-plan", summary="Gợi ý kế hoạch đào tạo: nhu cầu từng nghề so với chỗ học")
async def course_plan(
    desk: RollupDesk,
    reader: Reader,
    plan_year: Annotated[int, Query(ge=2000, le=2100, description="Năm kế hoạch")],
    commune_code: Commune = None,
    year: Year = None,
    course_size: Annotated[int, Query(ge=1, le=500, description="Số học viên một lớp")] = 25,
) -> dict[str, Any]:
    """Chỗ học theo kế hoạch đến từ các dòng kế hoạch (sự kiện CoursePlanLineSet)."""
    area = desk.area(reader, commune_code, year)
    return await desk.course_plan(area, plan_year, course_size)


@router.get("/target", summary="Gợi ý chỉ tiêu: số người muốn đi làm việc ở nước ngoài")
async def target(
    desk: RollupDesk, reader: Reader, commune_code: Commune = None, year: Year = None
) -> dict[str, Any]:
    """Theo thị trường; gợi ý = số người muốn đi trong 12 tháng tới."""
    return await desk.target(desk.area(reader, commune_code, year))
