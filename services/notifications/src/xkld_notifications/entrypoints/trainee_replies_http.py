"""The officers' list of trainees' answers to the follow-up about work, to confirm each one as
an employment outcome in registration."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from xkld_shared.clock import VIETNAM
from xkld_shared.contracts.training import EmploymentOutcome
from xkld_shared.http.wiring import from_app_state
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_notifications.adapters import trainee_replies

router = APIRouter(prefix="/sms", tags=["sms"])

Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]


class TraineeReplyView(BaseModel):
    reply_id: uuid.UUID
    trainee_id: uuid.UUID
    course_id: uuid.UUID
    outcome: EmploymentOutcome | None = Field(description="None when not understood")
    understood: bool
    received_at: dt.datetime
    commune_code: str


@router.get("/trainee-replies")
async def list_trainee_replies(
    staff: Staff,
    pool: Annotated[asyncpg.Pool, Depends(from_app_state("pool", asyncpg.Pool))],
    since: Annotated[dt.date | None, Query(description="received on or after (local day)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TraineeReplyView]:
    """Newest first, in the reader's communes (a labour officer: the province)."""
    province = staff.scope.province if Role.LABOUR_OFFICER in staff.roles else None
    start = None if since is None else dt.datetime.combine(since, dt.time(0), tzinfo=VIETNAM)
    rows = await trainee_replies.recent_replies(
        pool, sorted(staff.scope.communes), province, start, limit
    )
    return [
        TraineeReplyView(
            reply_id=r["id"],
            trainee_id=r["trainee_id"],
            course_id=r["course_id"],
            outcome=r["outcome"],
            understood=r["outcome"] is not None,
            received_at=r["received_at"],
            commune_code=r["commune_code"],
        )
        for r in rows
    ]
