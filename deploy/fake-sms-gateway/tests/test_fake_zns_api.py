"""The ZNS-shaped endpoint: template sends, Zalo's -118 for numbers without Zalo (listed, or
by a last-digit rule), tracking id idempotency, the shared fault knobs, and delivery
callbacks as Zalo's `user_received_message` events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from xkld_fake_sms.testing import serve_in_background

TOKEN = {"access_token": "test-zalo-token"}


def _body(phone: str = "0912345678", tracking_id: str = "t-1") -> dict[str, Any]:
    return {
        "phone": phone,
        "template_id": "231456",
        "template_data": {"ten_chuong_trinh": "EPS Han Quoc", "ngay": "12/01/2027"},
        "tracking_id": tracking_id,
    }


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/zalo")
    async def zalo(request: Request) -> dict[str, bool]:
        received.append(await request.json())
        return {"ok": True}

    async with serve_in_background(app) as url:
        yield f"{url}/zalo", received


async def test_a_template_send_is_accepted_once_per_tracking_id(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post("/message/template", json=_body(), headers=TOKEN)
    again = await client.post("/message/template", json=_body(), headers=TOKEN)
    assert first.json()["error"] == 0
    assert first.json()["data"]["msg_id"] == again.json()["data"]["msg_id"]
    [message] = (await client.get("/_admin/messages")).json()["messages"]
    assert message["sms_type"] == "zns"
    assert "EPS Han Quoc" in message["content"]


async def test_numbers_without_zalo_answer_error_118_by_list_and_by_rule(
    client: httpx.AsyncClient,
) -> None:
    faults = {"zalo_no_account_phones": ["0912000001"], "zalo_no_account_last_digits": "7"}
    (await client.put("/_admin/faults", json=faults)).raise_for_status()
    listed = await client.post("/message/template", json=_body("+84912000001"), headers=TOKEN)
    ruled = await client.post("/message/template", json=_body("0912000007", "t-2"), headers=TOKEN)
    other = await client.post("/message/template", json=_body("0912000008", "t-3"), headers=TOKEN)
    assert listed.json() == {"error": -118, "message": "Zalo account not existed"}
    assert ruled.json()["error"] == -118
    assert other.json()["error"] == 0
    assert (await client.get("/_admin/stats")).json()["zalo_no_account"] == 2


async def test_a_wrong_access_token_and_bad_template_data_are_refused(
    client: httpx.AsyncClient,
) -> None:
    wrong = await client.post("/message/template", json=_body(), headers={"access_token": "x"})
    bad = _body() | {"template_data": {"n": 1}}
    invalid = await client.post("/message/template", json=bad, headers=TOKEN)
    assert wrong.json()["error"] == -124
    assert invalid.json()["error"] == -112
    assert (await client.get("/_admin/messages")).json()["messages"] == []


async def test_the_error_rate_fails_zns_sends_as_it_fails_sms(client: httpx.AsyncClient) -> None:
    (await client.put("/_admin/faults", json={"fail_next": 1})).raise_for_status()
    failed = await client.post("/message/template", json=_body(), headers=TOKEN)
    assert failed.status_code == 503


async def test_delivery_goes_to_the_webhook_as_user_received_message_and_twice_when_duplicated(
    client: httpx.AsyncClient, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    faults = {"zalo_callback_url": url, "duplicate_next_reports": 1}
    (await client.put("/_admin/faults", json=faults)).raise_for_status()
    sent = await client.post("/message/template", json=_body(), headers=TOKEN)
    for _ in range(100):
        if len(received) == 2:
            break
        await asyncio.sleep(0.05)
    assert [r["event_name"] for r in received] == ["user_received_message"] * 2
    assert received[0]["message"]["msg_id"] == sent.json()["data"]["msg_id"]
    assert received[0]["message"]["tracking_id"] == "t-1"


async def test_a_failed_delivery_sends_no_zalo_callback(
    client: httpx.AsyncClient, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    faults = {"zalo_callback_url": url, "report_status": "failed"}
    (await client.put("/_admin/faults", json=faults)).raise_for_status()
    await client.post("/message/template", json=_body(), headers=TOKEN)
    for _ in range(100):
        [message] = (await client.get("/_admin/messages")).json()["messages"]
        if message["delivery_status"] == "failed":
            break
        await asyncio.sleep(0.05)
    # The outcome is decided (it is marked before any callback would go): none went.
    assert message["delivery_status"] == "failed"
    assert received == []
