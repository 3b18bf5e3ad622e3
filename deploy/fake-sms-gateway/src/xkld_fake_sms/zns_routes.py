"""A ZNS-shaped endpoint (Zalo's notification service): an approved template id with named
parameters, `tracking_id` as the sender's idempotency key, HTTP 200 with an `error` code.
Numbers without a Zalo account answer -118, as Zalo does. The same fault injection as the SMS
endpoints; delivery goes to the configured webhook as `user_received_message`."""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .bodies import abandoned, body_of
from .gateway import Gateway, GatewayDep
from .models import FaultConfig
from .other_routes import _faulted
from .phone import normalize_phone
from .reports import ReportJob
from .state import ZNS, NewMessage

logger = logging.getLogger(__name__)

ZNS_PATH = "/message/template"
ZALO_ACCOUNT_NOT_EXISTED = -118
_ACCESS_TOKEN_INVALID = -124
_PHONE_INVALID = -108
_TEMPLATE_INVALID = -109
_TEMPLATE_DATA_INVALID = -112

router = APIRouter()


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message})


def has_no_zalo(phone: str, config: FaultConfig) -> bool:
    listed = {normalize_phone(p) or p for p in config.zalo_no_account_phones}
    return phone in listed or (phone[-1:] != "" and phone[-1] in config.zalo_no_account_last_digits)


@router.post(ZNS_PATH)
async def zns_send(request: Request, gateway: GatewayDep) -> JSONResponse:
    body = await body_of(request)
    if body is None:
        return abandoned()
    if (faulted := await _faulted(request, gateway)) is not None:
        return faulted
    token = request.headers.get("access_token", "")
    if not hmac.compare_digest(token.encode(), gateway.settings.zalo_access_token.encode()):
        await gateway.state.note_auth_failure()
        return _error(_ACCESS_TOKEN_INVALID, "Access token is invalid")
    data = _json(body)
    phone = normalize_phone(str(data.get("phone", "")))
    template_id = str(data.get("template_id", ""))
    params = data.get("template_data")
    tracking_id = str(data.get("tracking_id", ""))
    if phone is None:
        await gateway.state.note_validation_failure()
        return _error(_PHONE_INVALID, "Phone number invalid")
    if not template_id or not tracking_id:
        await gateway.state.note_validation_failure()
        return _error(_TEMPLATE_INVALID, "Template ID invalid")
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        await gateway.state.note_validation_failure()
        return _error(_TEMPLATE_DATA_INVALID, "Template data invalid")
    config = await gateway.state.get_faults()
    if has_no_zalo(phone, config):
        await gateway.state.note_no_zalo()
        logger.info("zns refused: no zalo account tracking_id=%s", tracking_id)
        return _error(ZALO_ACCOUNT_NOT_EXISTED, "Zalo account not existed")
    return await _record(gateway, phone, template_id, params, tracking_id, config)


async def _record(
    gateway: Gateway,
    phone: str,
    template_id: str,
    params: dict[str, Any],
    tracking_id: str,
    config: FaultConfig,
) -> JSONResponse:
    message = NewMessage(
        request_id=tracking_id,
        phone=phone,
        phone_normalized=phone,
        content=json.dumps({"template_id": template_id, "template_data": params}),
        brandname=None,
        sms_type=ZNS,
        is_unicode=True,
        sandbox=False,
        callback_url=config.zalo_callback_url,
    )
    outcome = await gateway.state.record(message)
    if outcome.report is not None:
        job = ReportJob(
            sms_id=outcome.sms_id,
            request_id=tracking_id,
            callback_url=config.zalo_callback_url,
            type_id=0,
            status=outcome.report.status,
            dropped=outcome.report.dropped,
            duplicated=outcome.report.duplicated,
            early=outcome.report.early,
            zns=True,
        )
        if job.early:
            await gateway.reports.deliver_now(job)
        else:
            gateway.reports.schedule(job)
    logger.info("zns accepted tracking_id=%s duplicate=%s", tracking_id, outcome.duplicate)
    if outcome.hide_behind_error:
        return JSONResponse({"error": "injected_fault_after_record", "status": 503}, 503)
    sent_time = str(int(time.time() * 1000))
    return JSONResponse(
        {
            "error": 0,
            "message": "Success",
            "data": {"msg_id": outcome.sms_id, "sent_time": sent_time, "quota": {}},
        }
    )


def _json(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
