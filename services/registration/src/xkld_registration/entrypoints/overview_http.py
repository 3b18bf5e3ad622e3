"""The overview a commune officer's home page shows (registered before `/{registration_id}`)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters.clock import VietnamClock
from xkld_registration.adapters.overview_store import PostgresOverview
from xkld_registration.application.overview import overview
from xkld_registration.entrypoints.openapi import READ_ERRORS
from xkld_registration.entrypoints.wiring import DbPool

Reader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
router = APIRouter(prefix="/registrations", tags=["registrations"])


@router.get("/overview", summary="Tổng quan hồ sơ trong phạm vi của bạn", responses=READ_ERRORS)
async def get_overview(
    pool: DbPool,
    reader: Reader,
    silent_days: Annotated[int, Query(ge=1, le=3650, description="Số ngày không liên lạc")] = 90,
) -> dict[str, Any]:
    """Số hồ sơ theo giai đoạn, hồ sơ còn thiếu giấy tờ hoặc điều kiện, người xuất cảnh trong
    tháng và người ở nước ngoài không liên lạc quá `silent_days` ngày (mặc định 90)."""
    today = VietnamClock().today()
    return dataclasses.asdict(await overview(pool, PostgresOverview(), reader, today, silent_days))
