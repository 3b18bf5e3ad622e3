"""HTTP routes of the support owed after an early return (commune or labour officer)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import Field

from xkld_registration.application.return_support import Decision
from xkld_registration.domain.return_support import SupportStatus
from xkld_registration.entrypoints.journey_common import CODE, Body, FollowUp, context
from xkld_registration.entrypoints.wiring import ReturnSupports

router = APIRouter(
    prefix="/registrations/{registration_id}/return-support", tags=["theo dõi (follow-up)"]
)


class SupportBody(Body):
    status: Literal["given", "refused"]
    decided_on: dt.date | None = Field(
        None, description="Ngày chi trả / từ chối (mặc định hôm nay)"
    )
    amount_vnd: int | None = Field(
        None, ge=0, le=10_000_000_000, description="Số tiền đã hỗ trợ (VND), nếu có"
    )
    note: str | None = Field(None, max_length=2000)


@router.get("")
async def get_return_support(
    registration_id: uuid.UUID, officer: FollowUp, support: ReturnSupports
) -> dict[str, Any]:
    """Các khoản hỗ trợ phải theo dõi theo nguyên nhân về nước trước hạn (Luật 69/2020, Điều 67),
    với trạng thái: chờ (due), đã hỗ trợ (given), từ chối (refused)."""
    return await support.owed(registration_id, officer)


@router.post("/{item_code}")
async def decide_return_support(
    registration_id: uuid.UUID,
    item_code: Annotated[str, Path(pattern=CODE)],
    body: SupportBody,
    request: Request,
    officer: FollowUp,
    support: ReturnSupports,
) -> dict[str, Any]:
    """Ghi nhận đã hỗ trợ hoặc bị từ chối cho một khoản (ghi nhật ký). Đã hỗ trợ thì không đổi
    được nữa; gửi lại cùng trạng thái không thay đổi gì."""
    decision = Decision(
        item_code, SupportStatus(body.status), body.decided_on, body.amount_vnd, body.note
    )
    changed = await support.decide(registration_id, context(request, officer), decision)
    answer = await support.owed(registration_id, officer)
    return answer | {"changed": changed}
