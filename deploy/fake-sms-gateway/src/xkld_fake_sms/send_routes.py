"""The eSMS-shaped send endpoint, with fault injection wrapped around it."""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from . import esms
from .bodies import abandoned, body_of
from .gateway import Gateway, GatewayDep
from .models import SendRequest
from .reports import ReportJob
from .state import NewMessage, SendOutcome

logger = logging.getLogger(__name__)

SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
_DISCONNECT_POLL_SECONDS = 0.05

router = APIRouter()


@router.post(SEND_PATH)
async def send_message(request: Request, gateway: GatewayDep) -> JSONResponse:
    # Read the body before anything else: the hang fault listens for the client's
    # disconnect on the same receive channel, which would swallow an unread body.
    body = await body_of(request)
    if body is None:
        return abandoned()
    state = gateway.state
    await state.note_request()
    latency = await state.latency_seconds()
    if latency > 0:
        await asyncio.sleep(latency)
    fault, config = await state.take_send_fault()
    if fault == "fail":
        logger.info("injected failure status=%d", config.fail_status)
        return _fault_response(config.fail_status, "injected_fault")
    if fault == "hang":
        logger.info("injected hang seconds=%.1f", config.hang_seconds)
        await _hang(request, config.hang_seconds)
        return _fault_response(504, "injected_timeout")
    return await _process(body, gateway)


async def _process(body: bytes, gateway: Gateway) -> JSONResponse:
    parsed = _parse(body)
    if parsed is None:
        await gateway.state.note_validation_failure()
        return JSONResponse(esms.error_body(esms.CODE_INVALID, "Body must be a JSON object"))
    if not esms.credentials_ok(parsed, gateway.settings):
        await gateway.state.note_auth_failure()
        logger.info("send rejected: authorize failed")
        return JSONResponse(esms.error_body(esms.CODE_AUTH_FAILED, "Authorize Failed"))
    message = esms.validate(parsed)
    if isinstance(message, str):
        await gateway.state.note_validation_failure()
        logger.info("send rejected: invalid request request_id=%s", parsed.RequestId)
        return JSONResponse(esms.error_body(esms.CODE_INVALID, message))
    outcome = await gateway.state.record(message)
    await _schedule_report(gateway, message, outcome)
    logger.info(
        "send accepted request_id=%s sms_id=%s duplicate=%s",
        message.request_id,
        outcome.sms_id,
        outcome.duplicate,
    )
    if outcome.hide_behind_error:
        # The message stays recorded: this is the "sent, but the answer was lost"
        # case that RequestId idempotency exists for.
        return _fault_response(503, "injected_fault_after_record")
    return JSONResponse(esms.success_body(outcome.sms_id))


def _parse(body: bytes) -> SendRequest | None:
    try:
        raw = json.loads(body)
        return SendRequest.model_validate(raw) if isinstance(raw, dict) else None
    except (ValueError, ValidationError):
        return None


async def _schedule_report(gateway: Gateway, message: NewMessage, outcome: SendOutcome) -> None:
    if outcome.report is None:
        return
    job = ReportJob(
        sms_id=outcome.sms_id,
        request_id=message.request_id,
        callback_url=message.callback_url,
        type_id=int(message.sms_type),
        status=outcome.report.status,
        dropped=outcome.report.dropped,
        duplicated=outcome.report.duplicated,
        early=outcome.report.early,
    )
    if job.early:
        await gateway.reports.deliver_now(job)
    else:
        gateway.reports.schedule(job)


async def _hang(request: Request, seconds: float) -> None:
    """Stall like an unresponsive provider, but stop once the client has given up.

    Returning early keeps hung handlers from delaying server shutdown in tests.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(_DISCONNECT_POLL_SECONDS, remaining))


def _fault_response(status: int, error: str) -> JSONResponse:
    return JSONResponse({"error": error, "status": status}, status_code=status)
