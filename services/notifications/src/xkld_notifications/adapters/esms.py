"""An eSMS-shaped provider. Credentials never reach a log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr

from xkld_notifications.adapters.http_post import Answer, JsonPoster
from xkld_notifications.adapters.http_status import status_outcome
from xkld_notifications.application.ports import (
    Accepted,
    PermanentFailure,
    SendOutcome,
    TransientFailure,
)

log = logging.getLogger(__name__)

SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
_SUCCESS = "100"
# eSMS answers HTTP 200 with a CodeResult; these codes mean "try again later".
_TRANSIENT_CODES = frozenset({"104", "118", "119", "146"})


@dataclass(frozen=True)
class EsmsConfig:
    base_url: str
    api_key: SecretStr
    secret_key: SecretStr
    brandname: str
    sms_type: str = "2"
    sandbox: bool = False
    callback_url: str | None = None
    callback_token: SecretStr | None = None
    timeout_seconds: float = 5.0

    def signed_callback_url(self) -> str | None:
        if self.callback_url is None or self.callback_token is None:
            return self.callback_url
        query = urlencode({"token": self.callback_token.get_secret_value()})
        separator = "&" if "?" in self.callback_url else "?"
        return f"{self.callback_url}{separator}{query}"


def national_format(phone_e164: str) -> str:
    """eSMS takes Vietnamese numbers as 0xxxxxxxxx."""
    return "0" + phone_e164.removeprefix("+84")


class EsmsProvider:
    def __init__(self, config: EsmsConfig, client: JsonPoster) -> None:
        self._config = config
        self._client = client

    async def send(
        self, *, request_id: str, phone_e164: str, text: str, unicode: bool
    ) -> SendOutcome:
        c = self._config
        body = _body(c, request_id, phone_e164, text, unicode)
        url = c.base_url.rstrip("/") + SEND_PATH
        answer = await self._client.post("esms send", url, body, timeout=c.timeout_seconds)
        return answer if isinstance(answer, TransientFailure) else _outcome(answer)


def _body(
    c: EsmsConfig, request_id: str, phone_e164: str, text: str, unicode: bool
) -> dict[str, object]:
    body: dict[str, object] = {
        "ApiKey": c.api_key.get_secret_value(),
        "SecretKey": c.secret_key.get_secret_value(),
        "Content": text,
        "Phone": national_format(phone_e164),
        "Brandname": c.brandname,
        "SmsType": c.sms_type,
        "IsUnicode": "1" if unicode else "0",
        "Sandbox": "1" if c.sandbox else "0",
        "RequestId": request_id,
    }
    if callback := c.signed_callback_url():
        body["CallbackUrl"] = callback
    return body


def _outcome(response: Answer) -> SendOutcome:
    return status_outcome(response) or _body_outcome(response)


def _body_outcome(response: Answer) -> SendOutcome:
    try:
        data = response.json()
    except ValueError:
        return TransientFailure("unreadable provider answer")
    return _code_outcome(str(data.get("CodeResult", "")), data)


def _code_outcome(code: str, data: dict[str, Any]) -> SendOutcome:
    if code == _SUCCESS and data.get("SMSID"):
        return Accepted(str(data["SMSID"]))
    if code in _TRANSIENT_CODES:
        return TransientFailure(f"provider code {code}")
    return PermanentFailure(f"provider code {code}")
