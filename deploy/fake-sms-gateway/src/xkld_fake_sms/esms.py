"""eSMS wire conventions: result codes, response bodies and request validation."""

from __future__ import annotations

import hmac
import re
from typing import Any

import httpx

from .models import SendRequest
from .phone import normalize_phone
from .settings import Settings
from .state import NewMessage

CODE_SUCCESS = "100"
CODE_AUTH_FAILED = "101"
CODE_INVALID = "99"
DEFAULT_SMS_TYPE = "2"
# eSMS types are small integers; bounding the length keeps int() trivially safe.
_SMS_TYPE = re.compile(r"[0-9]{1,3}")


def success_body(sms_id: str) -> dict[str, Any]:
    return {"CodeResult": CODE_SUCCESS, "CountRegenerate": 0, "SMSID": sms_id}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"CodeResult": code, "ErrorMessage": message}


def credentials_ok(request: SendRequest, settings: Settings) -> bool:
    # Constant-time comparisons, both always evaluated: cheap, and keeps the fake
    # from modelling a bad habit for the code that copies it.
    key_ok = hmac.compare_digest((request.ApiKey or "").encode(), settings.api_key.encode())
    secret = (request.SecretKey or "").encode()
    secret_ok = hmac.compare_digest(secret, settings.secret_key.encode())
    return key_ok and secret_ok


def validate(request: SendRequest) -> NewMessage | str:
    """Return the validated message, or the eSMS ErrorMessage explaining the rejection."""
    request_id = (request.RequestId or "").strip()
    phone = (request.Phone or "").strip()
    content = request.Content or ""
    if missing := _first_missing(RequestId=request_id, Phone=phone, Content=content.strip()):
        return f"{missing} is required"
    normalized = normalize_phone(phone)
    if normalized is None:
        return "Phone is not a valid Vietnamese mobile number"
    sms_type = (request.SmsType or DEFAULT_SMS_TYPE).strip()
    if not _SMS_TYPE.fullmatch(sms_type):
        return "SmsType must be numeric"
    is_unicode, sandbox = _flag(request.IsUnicode), _flag(request.Sandbox)
    if is_unicode is None or sandbox is None:
        return "IsUnicode and Sandbox must be '0' or '1'"
    callback_url = (request.CallbackUrl or "").strip() or None
    if callback_url is not None and not _is_http_url(callback_url):
        return "CallbackUrl must be an absolute http(s) URL"
    return NewMessage(
        request_id=request_id,
        phone=phone,
        phone_normalized=normalized,
        content=content,
        brandname=request.Brandname,
        sms_type=sms_type,
        is_unicode=is_unicode,
        sandbox=sandbox,
        callback_url=callback_url,
    )


def _first_missing(**fields: str) -> str | None:
    return next((name for name, value in fields.items() if not value), None)


def _flag(value: str | None) -> bool | None:
    """Parse an eSMS "0"/"1" flag; None means it was malformed."""
    if value is None or value.strip() in ("", "0"):
        return False
    return True if value.strip() == "1" else None


def _is_http_url(raw: str) -> bool:
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL:
        return False
    return url.scheme in ("http", "https") and bool(url.host)
