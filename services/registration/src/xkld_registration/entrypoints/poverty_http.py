"""HTTP routes of a household's poverty status (commune or labour officer)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field
from xkld_shared.contracts.journey import PovertyStatus

from xkld_registration.entrypoints.journey_common import Body, FollowUp, context
from xkld_registration.entrypoints.wiring import PovertyBook

router = APIRouter(
    prefix="/registrations/{registration_id}/poverty-status", tags=["theo dõi (follow-up)"]
)


class PovertyBody(Body):
    list_year: int = Field(ge=2000, le=2100, description="Năm của danh sách hộ nghèo, cận nghèo")
    status: PovertyStatus = Field(description="poor: hộ nghèo; near_poor: cận nghèo; neither")


@router.get("")
async def get_poverty_status(
    registration_id: uuid.UUID, officer: FollowUp, statuses: PovertyBook
) -> list[dict[str, Any]]:
    """Tình trạng hộ nghèo lúc đăng ký và từng năm sau khi về nước."""
    return await statuses.of(registration_id, officer)


@router.post("")
async def record_poverty_status(
    registration_id: uuid.UUID,
    body: PovertyBody,
    request: Request,
    officer: FollowUp,
    statuses: PovertyBook,
) -> dict[str, Any]:
    """Ghi nhận theo danh sách chính thức của xã: trước khi xuất cảnh là tình trạng lúc đăng
    ký (một lần), sau khi về nước là tình trạng của từng năm (ghi nhật ký)."""
    changed = await statuses.record(
        registration_id, context(request, officer), body.list_year, body.status
    )
    return {"registration_id": registration_id, "changed": changed} | body.model_dump()
