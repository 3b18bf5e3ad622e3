"""HTTP route of the reintegration outcome, 3 and 6 months after the return."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field
from xkld_shared.contracts.journey import ReintegrationOutcome

from xkld_registration.application.reintegration import Observation
from xkld_registration.entrypoints.journey_common import Body, FollowUp, context
from xkld_registration.entrypoints.wiring import Reintegrations

router = APIRouter(prefix="/registrations/{registration_id}", tags=["theo dõi (follow-up)"])


class OutcomeBody(Body):
    checkpoint_months: Literal[3, 6] = Field(description="Sau 3 hay 6 tháng kể từ ngày về nước")
    outcome: ReintegrationOutcome = Field(
        description="job_found: có việc làm; training: đang học nghề; business_loan: vay vốn "
        "làm ăn; nothing_yet: chưa có gì"
    )
    observed_on: dt.date | None = Field(None, description="Ngày ghi nhận (mặc định hôm nay)")
    note: str | None = Field(None, max_length=2000)


@router.post("/reintegration-outcomes")
async def record_outcome(
    registration_id: uuid.UUID,
    body: OutcomeBody,
    request: Request,
    officer: FollowUp,
    reintegration: Reintegrations,
) -> dict[str, Any]:
    """Kết quả tái hoà nhập sau 3 hoặc 6 tháng (ghi nhật ký; gửi lại cùng kết quả không thay đổi
    gì, kết quả khác cho mốc đã ghi bị từ chối)."""
    seen = Observation(body.checkpoint_months, body.outcome, body.observed_on, body.note)
    changed = await reintegration.record(registration_id, context(request, officer), seen)
    return {
        "registration_id": registration_id,
        "checkpoint_months": body.checkpoint_months,
        "outcome": body.outcome,
        "changed": changed,
    }
