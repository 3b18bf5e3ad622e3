"""The officers' inbox of check-in replies that could not be read: list them, mark each one
handled (after calling the worker, say)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.audit import ChangeContext
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.strict import RequestModel
from xkld_shared.http.wiring import from_app_state
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_notifications.adapters import check_in_replies as store
from xkld_notifications.application.check_in_replies import CheckInReplies

router = APIRouter(prefix="/sms/check-in-replies", tags=["sms"])

Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]
Pool = Annotated[asyncpg.Pool, Depends(from_app_state("pool", asyncpg.Pool))]
Replies = Annotated[CheckInReplies, Depends(from_app_state("check_in_replies", CheckInReplies))]


class UnreadableReplyView(BaseModel):
    reply_id: uuid.UUID
    registration_id: uuid.UUID
    text: str = Field(description="Nội dung tin nhắn không đọc được (the text as received)")
    received_at: dt.datetime
    commune_code: str
    handled_at: dt.datetime | None
    handled_by: str | None
    handled_note: str | None


class HandledBody(RequestModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, max_length=2000, description="Đã xử lý thế nào")


class HandledView(BaseModel):
    reply_id: uuid.UUID
    handled: bool
    handled_by: str
    changed: bool


@router.get("")
async def list_unreadable(
    staff: Staff,
    pool: Pool,
    handled: Annotated[bool, Query(description="true: những tin đã xử lý")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[UnreadableReplyView]:
    """Tin trả lời liên lạc định kỳ không đọc được, cũ nhất trước, trong phạm vi của bạn."""
    province = staff.scope.province if Role.LABOUR_OFFICER in staff.roles else None
    rows = await store.unreadable_replies(
        pool, sorted(staff.scope.communes), province, handled, limit
    )
    return [
        UnreadableReplyView(
            reply_id=r["id"],
            registration_id=r["registration_id"],
            text=r["unreadable_text"],
            received_at=r["received_at"],
            commune_code=r["commune_code"],
            handled_at=r["handled_at"],
            handled_by=r["handled_by"],
            handled_note=r["handled_note"],
        )
        for r in rows
    ]


@router.post("/{reply_id}/handled")
async def mark_handled(
    reply_id: uuid.UUID, body: HandledBody, request: Request, staff: Staff, replies: Replies
) -> HandledView:
    """Đánh dấu đã xử lý (một lần; đánh dấu lại không thay đổi gì)."""
    source = request.client.host if request.client else None
    context = ChangeContext(staff, source, correlation_id_of(request))
    done = await replies.mark_handled(reply_id, staff, body.note, context)
    return HandledView(
        reply_id=done.reply_id, handled=True, handled_by=done.handled_by, changed=done.changed
    )
