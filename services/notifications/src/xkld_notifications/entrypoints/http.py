"""Delivery-report callbacks from the provider, and a staff view of a worker's messages."""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, SecretStr
from xkld_shared.errors import AppError, NotFound
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_notifications.adapters import store
from xkld_notifications.domain.outbound import MessageStatus

router = APIRouter(prefix="/sms", tags=["sms"])

_DELIVERED = 5


class DeliveryReport(BaseModel):
    """eSMS's callback body; it retries up to 5 times, so handling must be idempotent."""

    model_config = ConfigDict(extra="ignore")

    SMSID: str
    RequestId: uuid.UUID
    SendStatus: int


class MessageView(BaseModel):
    id: uuid.UUID
    template: str
    body: str
    encoding: str
    segments: int
    status: str
    suppressed_reason: str | None
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(_pool)]


class CallbackRefused(AppError):
    status_code = 401
    code = "callback_token_invalid"

    def __init__(self) -> None:
        super().__init__(
            "Mã xác thực của báo cáo giao tin không đúng", "The delivery report's token is wrong"
        )


def _check_token(request: Request, token: Annotated[str, Query(max_length=200)] = "") -> None:
    expected: SecretStr = request.app.state.callback_token
    if not hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
        raise CallbackRefused


@router.post("/delivery-reports", dependencies=[Depends(_check_token)])
async def receive_delivery_report(report: DeliveryReport, pool: Pool) -> dict[str, bool]:
    status = MessageStatus.DELIVERED if report.SendStatus == _DELIVERED else MessageStatus.FAILED
    changed = await store.record_delivery(pool, report.RequestId, report.SMSID, status)
    return {"accepted": True, "changed": changed}


class WorkerNotFound(NotFound):
    code = "worker_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy người lao động", "No such worker")


Staff = Annotated[Principal, Depends(require(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER))]


@router.get("/messages/{registration_id}")
async def list_messages(registration_id: uuid.UUID, pool: Pool, staff: Staff) -> list[MessageView]:
    area = await store.contact_area(pool, registration_id)
    if area is None or not staff.covers_commune(area["commune_code"], area["province_code"]):
        raise WorkerNotFound  # outside the reader's scope it does not exist
    return [MessageView(**dict(row)) for row in await store.messages_of(pool, registration_id)]
