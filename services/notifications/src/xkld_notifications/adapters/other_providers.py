"""A SpeedSMS-shaped provider and a generic JSON webhook, behind the same port as eSMS.

Both send our deterministic message id; a provider that honours it (the webhook contract
requires it) never sends twice, see docs/notifications.md for SpeedSMS's limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from xkld_notifications.adapters.http_post import Answer, JsonPoster
from xkld_notifications.adapters.http_status import status_outcome
from xkld_notifications.application.ports import (
    Accepted,
    PermanentFailure,
    SendOutcome,
    TransientFailure,
)

SPEEDSMS_PATH = "/index.php/sms/send"


@dataclass(frozen=True)
class SpeedSmsConfig:
    base_url: str
    access_token: SecretStr
    sender: str
    sms_type: int = 2
    timeout_seconds: float = 5.0


class SpeedSmsProvider:
    """JSON POST to /index.php/sms/send with the access token as HTTP Basic user name."""

    def __init__(self, config: SpeedSmsConfig, client: JsonPoster) -> None:
        self._config = config
        self._client = client

    async def send(
        self, *, request_id: str, phone_e164: str, text: str, unicode: bool
    ) -> SendOutcome:
        c = self._config
        answer = await self._client.post(
            "sms provider send",
            c.base_url.rstrip("/") + SPEEDSMS_PATH,
            self._body(request_id, phone_e164, text),
            timeout=c.timeout_seconds,
            auth=(c.access_token.get_secret_value(), "x"),
        )
        if isinstance(answer, TransientFailure):
            return answer
        return status_outcome(answer) or _speedsms_outcome(answer)

    def _body(self, request_id: str, phone_e164: str, text: str) -> dict[str, object]:
        return {
            "to": [phone_e164.removeprefix("+")],
            "content": text,
            "sms_type": self._config.sms_type,
            "sender": self._config.sender,
            "request_id": request_id,
        }


def _speedsms_outcome(answer: Answer) -> SendOutcome:
    try:
        data = answer.json()
    except ValueError:
        return TransientFailure("unreadable provider answer")
    if data.get("status") == "success" and data.get("data", {}).get("tranId") is not None:
        return Accepted(str(data["data"]["tranId"]))
    return PermanentFailure(f"provider code {data.get('code', '?')}")


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    token: SecretStr
    callback_url: str | None = None
    timeout_seconds: float = 5.0


class WebhookProvider:
    """POST {request_id, to, text, unicode, callback_url} with a bearer token; any 2xx with an
    `id` is accepted. The receiver must treat request_id as an idempotency key."""

    def __init__(self, config: WebhookConfig, client: JsonPoster) -> None:
        self._config = config
        self._client = client

    async def send(
        self, *, request_id: str, phone_e164: str, text: str, unicode: bool
    ) -> SendOutcome:
        c = self._config
        body: dict[str, object] = {
            "request_id": request_id,
            "to": phone_e164,
            "text": text,
            "unicode": unicode,
            "callback_url": c.callback_url,
        }
        headers = {"Authorization": f"Bearer {c.token.get_secret_value()}"}
        answer = await self._client.post(
            "sms provider send", c.url, body, timeout=c.timeout_seconds, headers=headers
        )
        if isinstance(answer, TransientFailure):
            return answer
        return status_outcome(answer) or _webhook_outcome(answer, request_id)


def _webhook_outcome(answer: Answer, request_id: str) -> SendOutcome:
    try:
        provider_id = answer.json().get("id")
    except (ValueError, AttributeError):
        return TransientFailure("unreadable provider answer")
    return Accepted(str(provider_id or request_id))
