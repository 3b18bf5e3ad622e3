"""HTTP routes of message templates and campaigns (with their meetings and announcement)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from xkld_shared import idempotency
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_outreach.entrypoints.announcement import announcement_html, announcement_text
from xkld_outreach.entrypoints.campaign_requests import (
    CampaignRequest,
    MeetingRequest,
    StatusRequest,
    TemplateRequest,
)
from xkld_outreach.entrypoints.http import IdempotencyKey
from xkld_outreach.entrypoints.requests import context_of
from xkld_outreach.entrypoints.wiring import CampaignDesk, TemplateDesk

Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]

templates_router = APIRouter(prefix="/message-templates", tags=["campaigns"])
router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@templates_router.get("", summary="Các mẫu tin (phiên bản mới nhất)")
async def list_templates(desk: TemplateDesk, staff: Staff) -> list[dict[str, Any]]:
    return await desk.all()


@templates_router.get("/{code}", summary="Một mẫu tin, với các phiên bản")
async def get_template(code: str, desk: TemplateDesk, staff: Staff) -> dict[str, Any]:
    return await desk.one(code)


@templates_router.put("/{code}", summary="Sửa mẫu tin (tạo phiên bản mới)")
async def edit_template(
    code: str,
    body: TemplateRequest,
    request: Request,
    desk: TemplateDesk,
    staff: Staff,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cần tiêu đề Idempotency-Key. Mỗi lần sửa là một phiên bản mới, có ghi nhật ký."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(
        f"message_template.edit:{staff.subject}:{code}", key, body.model_dump(mode="json")
    )
    fields = body.model_dump()
    return idempotent_response(await desk.edit(code, fields, context_of(request, staff), keyed))


@router.post("", status_code=status.HTTP_201_CREATED, summary="Tạo chiến dịch (bản nháp)")
async def create_campaign(
    body: CampaignRequest,
    request: Request,
    desk: CampaignDesk,
    staff: Staff,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cần tiêu đề Idempotency-Key. Cán bộ xã: các xã mình phụ trách; cán bộ lao động: tỉnh."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(f"campaign.create:{staff.subject}", key, body.fingerprint())
    return idempotent_response(await desk.create(body.command(), context_of(request, staff), keyed))


@router.get("", summary="Các chiến dịch trong phạm vi của bạn")
async def list_campaigns(desk: CampaignDesk, staff: Staff) -> list[dict[str, Any]]:
    return await desk.in_scope(staff)


@router.get("/{campaign_id}", summary="Một chiến dịch, với các buổi họp")
async def get_campaign(campaign_id: uuid.UUID, desk: CampaignDesk, staff: Staff) -> dict[str, Any]:
    return await desk.show(campaign_id, staff)


@router.post("/{campaign_id}/status", summary="Bắt đầu hoặc kết thúc chiến dịch")
async def set_status(
    campaign_id: uuid.UUID,
    body: StatusRequest,
    request: Request,
    desk: CampaignDesk,
    staff: Staff,
) -> dict[str, Any]:
    """Nháp -> đang diễn ra -> kết thúc; chuyển sai thứ tự trả về 409."""
    return await desk.set_status(campaign_id, body.status, context_of(request, staff))


@router.post(
    "/{campaign_id}/meetings",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi một buổi họp dân: người dự và số người vãng lai",
)
async def record_meeting(
    campaign_id: uuid.UUID,
    body: MeetingRequest,
    request: Request,
    desk: CampaignDesk,
    staff: Staff,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cần tiêu đề Idempotency-Key: gửi lại không ghi buổi họp thứ hai."""
    key = idempotency.checked_key(idempotency_key)
    keyed = idempotency.Keyed.of(
        f"campaign_meeting.record:{staff.subject}:{campaign_id}", key, body.model_dump(mode="json")
    )
    context = context_of(request, staff)
    answer = await desk.record_meeting(
        campaign_id, body.meeting(), body.attendee_list(), context, keyed
    )
    return idempotent_response(answer)


@router.get(
    "/{campaign_id}/announcement",
    summary="Bài đọc trên loa xã / đài huyện (in được, không có thông tin cá nhân)",
    response_class=HTMLResponse,
)
async def announcement(
    campaign_id: uuid.UUID,
    desk: CampaignDesk,
    templates: TemplateDesk,
    staff: Staff,
    format: Annotated[str, Query(pattern="^(html|text)$")] = "html",
) -> Response:
    campaign = await desk.show(campaign_id, staff)
    template = await templates.one(campaign["template_code"])
    if format == "text":
        return PlainTextResponse(announcement_text(campaign, template))
    return HTMLResponse(announcement_html(campaign, template))
