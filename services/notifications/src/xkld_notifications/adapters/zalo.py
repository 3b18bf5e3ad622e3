"""A Zalo Notification Service (ZNS) provider: an approved template id with named
parameters (`template_data`), our message id as `tracking_id` (Zalo echoes it in the delivery
callback), the OA's access token in the `access_token` header. Zalo answers HTTP 200 with an
`error` code: 0 is accepted, -118 "Zalo account not existed" means only SMS can reach the
number. The token never reaches a log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from xkld_notifications.adapters.http_post import Answer, JsonPoster
from xkld_notifications.adapters.http_status import status_outcome
from xkld_notifications.application.ports import (
    Accepted,
    NoZaloAccount,
    PermanentFailure,
    TransientFailure,
    ZaloOutcome,
)

SEND_PATH = "/message/template"
ZALO_ACCOUNT_NOT_EXISTED = -118
# "Unknown error, try again later", and the quota and rate answers: worth a retry.
_TRANSIENT_CODES = frozenset({-100, -115, -133})


@dataclass(frozen=True)
class ZaloConfig:
    base_url: str
    access_token: SecretStr
    timeout_seconds: float = 5.0


def zalo_phone(phone_e164: str) -> str:
    """ZNS takes Vietnamese numbers as 84xxxxxxxxx."""
    return phone_e164.removeprefix("+")


class ZnsProvider:
    def __init__(self, config: ZaloConfig, client: JsonPoster) -> None:
        self._config = config
        self._client = client

    async def send(
        self, *, tracking_id: str, phone_e164: str, template_id: str, params: dict[str, str]
    ) -> ZaloOutcome:
        c = self._config
        body = {
            "phone": zalo_phone(phone_e164),
            "template_id": template_id,
            "template_data": params,
            "tracking_id": tracking_id,
        }
        url = c.base_url.rstrip("/") + SEND_PATH
        headers = {"access_token": c.access_token.get_secret_value()}
        answer = await self._client.post(
            "zns send", url, body, timeout=c.timeout_seconds, headers=headers
        )
        return answer if isinstance(answer, TransientFailure) else _outcome(answer)


def _outcome(response: Answer) -> ZaloOutcome:
    return status_outcome(response) or _body_outcome(response)


def _body_outcome(response: Answer) -> ZaloOutcome:
    try:
        data = response.json()
        code = int(data.get("error", -100))
    except (ValueError, TypeError, AttributeError):
        return TransientFailure("unreadable provider answer")
    return _code_outcome(code, data)


def _code_outcome(code: int, data: dict[str, Any]) -> ZaloOutcome:
    if code == 0 and isinstance(data.get("data"), dict) and data["data"].get("msg_id"):
        return Accepted(str(data["data"]["msg_id"]))
    if code == ZALO_ACCOUNT_NOT_EXISTED:
        return NoZaloAccount()
    if code in _TRANSIENT_CODES:
        return TransientFailure(f"zalo error {code}")
    return PermanentFailure(f"zalo error {code}")
