"""Delivery-report callbacks: authenticated by token, idempotent when the provider repeats."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import serving


@pytest.fixture
async def notifications(namespace: Namespace) -> AsyncIterator[str]:
    async with serving("xkld_notifications", namespace.env("notifications")) as proc:
        yield proc.url


def _report() -> dict[str, object]:
    return {"SMSID": str(uuid.uuid4()), "RequestId": str(uuid.uuid4()), "SendStatus": 5}


async def test_a_report_without_the_right_token_is_refused(notifications: str) -> None:
    async with httpx.AsyncClient() as client:
        missing = await client.post(f"{notifications}/sms/delivery-reports", json=_report())
        wrong = await client.post(
            f"{notifications}/sms/delivery-reports", params={"token": "guess"}, json=_report()
        )
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "callback_token_invalid"


async def test_a_report_for_an_unknown_message_changes_nothing(notifications: str) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{notifications}/sms/delivery-reports",
            params={"token": "test-callback-token"},
            json=_report(),
        )
    assert answer.status_code == 200
    assert answer.json() == {"accepted": True, "changed": False}
