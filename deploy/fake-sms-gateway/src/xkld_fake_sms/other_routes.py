"""Two more provider shapes over the same state and faults: SpeedSMS-like and a generic JSON
webhook. Both deduplicate on the sender's request id, as the eSMS shape does on RequestId."""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .bodies import abandoned, body_of
from .gateway import Gateway, GatewayDep
from .phone import normalize_phone
from .reports import ReportJob
from .send_routes import _fault_response, _hang
from .state import NewMessage

logger = logging.getLogger(__name__)

SPEEDSMS_PATH = "/index.php/sms/send"
WEBHOOK_PATH = "/webhook/sms"

router = APIRouter()


async def _faulted(request: Request, gateway: Gateway) -> JSONResponse | None:
    await gateway.state.note_request()
    latency = await gateway.state.latency_seconds()
    if latency > 0:
        await asyncio.sleep(latency)
    fault, config = await gateway.state.take_send_fault()
    if fault == "fail":
        return _fault_response(config.fail_status, "injected_fault")
    if fault == "hang":
        await _hang(request, config.hang_seconds)
        return _fault_response(504, "injected_timeout")
    return None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


async def _record(
    gateway: Gateway, request_id: str, phone: str, text: str, unicode: bool, callback: str | None
) -> str | None:
    normalized = normalize_phone(phone)
    if normalized is None or not text:
        return None
    message = NewMessage(
        request_id=request_id,
        phone=phone,
        phone_normalized=normalized,
        content=text,
        brandname=None,
        sms_type="2",
        is_unicode=unicode,
        sandbox=False,
        callback_url=callback,
    )
    outcome = await gateway.state.record(message)
    if outcome.report is not None:
        gateway.reports.schedule(
            ReportJob(
                sms_id=outcome.sms_id,
                request_id=request_id,
                callback_url=callback,
                type_id=2,
                status=outcome.report.status,
                dropped=outcome.report.dropped,
                duplicated=outcome.report.duplicated,
            )
        )
    logger.info("send accepted request_id=%s duplicate=%s", request_id, outcome.duplicate)
    return outcome.sms_id


@router.post(SPEEDSMS_PATH)
async def speedsms_send(request: Request, gateway: GatewayDep) -> JSONResponse:
    body = await body_of(request)
    if body is None:
        return abandoned()
    if (faulted := await _faulted(request, gateway)) is not None:
        return faulted
    user = _basic_user(request.headers.get("authorization", ""))
    if not _same(user, gateway.settings.api_key):
        await gateway.state.note_auth_failure()
        return JSONResponse({"status": "error", "code": "007", "message": "auth"}, 401)
    data: dict[str, Any] = _json(body)
    to = data.get("to")
    phone = to[0] if isinstance(to, list) and len(to) == 1 else ""
    request_id = str(data.get("request_id") or uuid.uuid4())
    sms_id = await _record(
        gateway, request_id, str(phone), str(data.get("content", "")), False, None
    )
    if sms_id is None:
        await gateway.state.note_validation_failure()
        return JSONResponse({"status": "error", "code": "300", "message": "invalid"})
    return JSONResponse(
        {"status": "success", "code": "00", "data": {"tranId": sms_id, "totalSMS": 1}}
    )


@router.post(WEBHOOK_PATH)
async def webhook_send(request: Request, gateway: GatewayDep) -> JSONResponse:
    body = await body_of(request)
    if body is None:
        return abandoned()
    if (faulted := await _faulted(request, gateway)) is not None:
        return faulted
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    if not _same(token, gateway.settings.api_key):
        await gateway.state.note_auth_failure()
        return JSONResponse({"error": "unauthorized"}, 401)
    data = _json(body)
    callback = data.get("callback_url")
    sms_id = await _record(
        gateway,
        str(data.get("request_id", "")),
        str(data.get("to", "")),
        str(data.get("text", "")),
        bool(data.get("unicode")),
        str(callback) if callback else None,
    )
    if sms_id is None or not data.get("request_id"):
        await gateway.state.note_validation_failure()
        return JSONResponse({"error": "invalid"}, 422)
    return JSONResponse({"id": sms_id})


def _basic_user(header: str) -> str:
    if not header.startswith("Basic "):
        return ""
    try:
        return base64.b64decode(header[6:]).decode().split(":", 1)[0]
    except ValueError:
        return ""


def _json(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
