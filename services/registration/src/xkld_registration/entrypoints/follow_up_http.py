"""Follow-up routes: the worklist of workers abroad not heard from (registered before
`/registrations/{registration_id}`, like the overview)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.adapters.clock import VietnamClock
from xkld_registration.adapters.follow_up_store import PostgresFollowUp
from xkld_registration.application.follow_up import silent_worklist
from xkld_registration.entrypoints.openapi import READ_ERRORS
from xkld_registration.entrypoints.wiring import DbPool, Reintegrations, SilentDays

Reader = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
router = APIRouter(prefix="/registrations/follow-up", tags=["theo dõi (follow-up)"])


@router.get(
    "/silent-abroad",
    summary="Người lao động ở nước ngoài lâu không liên lạc",
    responses=READ_ERRORS,
)
async def get_silent_abroad(
    pool: DbPool,
    reader: Reader,
    configured_days: SilentDays,
    silent_days: Annotated[
        int | None,
        Query(ge=1, le=3650, description="Số ngày không liên lạc (mặc định theo cấu hình: 90)"),
    ] = None,
) -> dict[str, Any]:
    """Người đang ở nước ngoài chưa có lần liên lạc nào trong `silent_days` ngày (tính từ lần
    liên lạc cuối, hoặc ngày xuất cảnh nếu chưa có), lâu nhất trước. Trong phạm vi của bạn."""
    days = silent_days or configured_days
    return await silent_worklist(pool, PostgresFollowUp(), reader, VietnamClock().today(), days)


@router.get(
    "/reintegration-due",
    summary="Người về nước đến hạn ghi kết quả tái hoà nhập (3 và 6 tháng)",
    responses=READ_ERRORS,
)
async def get_reintegration_due(
    reader: Reader,
    reintegration: Reintegrations,
    within_days: Annotated[
        int, Query(ge=0, le=90, description="Tính cả các mốc đến hạn trong số ngày tới")
    ] = 14,
) -> dict[str, Any]:
    """Các mốc 3 và 6 tháng sau ngày về nước chưa ghi kết quả, đã đến hạn hoặc sắp đến hạn
    trong `within_days` ngày, mốc cũ nhất trước. Trong phạm vi của bạn."""
    return await reintegration.due(reader, within_days)
