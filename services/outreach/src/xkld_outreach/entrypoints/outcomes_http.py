"""HTTP routes of broadcasts and what came of a campaign: recipients' outcomes, the funnel, and
the survey roll-ups as downloads."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse, Response
from xkld_shared import idempotency
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.entrypoints.campaign_requests import BroadcastRequest
from xkld_outreach.entrypoints.http import IdempotencyKey
from xkld_outreach.entrypoints.requests import context_of
from xkld_outreach.entrypoints.tables import download, funnel_body, funnel_tables, rollup_tables
from xkld_outreach.entrypoints.wiring import BroadcastDesk, OutcomeDesk, RollupDesk

Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Format = Annotated[str, Query(pattern="^(json|csv|xlsx)$", description="json, csv hoặc xlsx")]
Commune = Annotated[str | None, Query(pattern=r"^\d{5}$", description="Một xã trong phạm vi")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Năm bắt đầu đợt khảo sát")]

router = APIRouter(prefix="/campaigns", tags=["campaigns"])
exports_router = APIRouter(prefix="/survey-rollups", tags=["survey roll-ups"])


@router.post(
    "/{campaign_id}/broadcasts",
    status_code=status.HTTP_201_CREATED,
    summary="Gửi tin của chiến dịch tới những người đồng ý nhận (qua dịch vụ thông báo)",
)
async def broadcast(
    campaign_id: uuid.UUID,
    body: BroadcastRequest,
    request: Request,
    desk: BroadcastDesk,
    staff: Staff,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cần tiêu đề Idempotency-Key. Không ai nhận hai lần trong một chiến dịch: người đã được
    gửi ở lần trước được bỏ qua (`skipped_already_sent`)."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(
        f"campaign_broadcast:{staff.subject}:{campaign_id}", key, body.model_dump(mode="json")
    )
    context = context_of(request, staff)
    return idempotent_response(await desk.broadcast(campaign_id, body.route, context, keyed))


@router.get(
    "/{campaign_id}/recipients", summary="Kết quả gửi tin từng người (không có số điện thoại)"
)
async def recipients(campaign_id: uuid.UUID, desk: OutcomeDesk, staff: Staff) -> dict[str, Any]:
    return await desk.recipients(campaign_id, staff)


@router.get(
    "/{campaign_id}/funnel",
    summary="Phễu: tiếp cận -> quan tâm -> đăng ký -> xuất cảnh, theo nhóm ưu tiên",
    response_model=None,
)
async def funnel(
    campaign_id: uuid.UUID, desk: OutcomeDesk, staff: Staff, format: Format = "json"
) -> dict[str, Any] | Response:
    row, result = await desk.funnel(campaign_id, staff)
    if format == "json":
        return {"campaign_id": str(campaign_id)} | funnel_body(result)
    title = f"PHỄU CHIẾN DỊCH: {row['goal']}"
    return download(title, funnel_tables(result), format, f"pheu-chien-dich-{campaign_id}")


@exports_router.get("/export", summary="Tổng hợp khảo sát dưới dạng CSV hoặc XLSX")
async def export_rollups(
    desk: RollupDesk,
    staff: Staff,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "xlsx",
    commune_code: Commune = None,
    year: Year = None,
) -> Response:
    """Cùng số liệu với GET /survey-rollups, tiêu đề tiếng Việt, mỗi bảng một trang tính."""
    body = await desk.rollups(desk.area(staff, commune_code, year))
    title = "TỔNG HỢP KHẢO SÁT NHU CẦU LAO ĐỘNG"
    return download(title, rollup_tables(body), format, "tong-hop-khao-sat")
