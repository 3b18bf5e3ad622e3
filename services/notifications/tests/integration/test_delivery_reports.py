"""Delivery reports: authenticated by token, idempotent when the provider repeats them, and
tolerant of reports that arrive before the send's own answer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from xkld_fake_sms.testing import serve_in_background, wait_until
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import serving
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import Kit, callback_app, faults

TOKEN = {"token": "test-callback-token"}


@pytest.fixture
async def notifications(namespace: Namespace) -> AsyncIterator[str]:
    async with serving("xkld_notifications", namespace.env("notifications")) as proc:
        yield proc.url


@pytest.fixture
async def callbacks(kit: Kit) -> AsyncIterator[str]:
    async with serve_in_background(callback_app(kit)) as url:
        yield f"{url}/sms/delivery-reports"


def _report(request_id: uuid.UUID | None = None, status: int = 5) -> dict[str, object]:
    return {
        "SMSID": str(uuid.uuid4()),
        "RequestId": str(request_id or uuid.uuid4()),
        "SendStatus": status,
    }


async def test_a_report_without_the_right_token_is_refused(notifications: str) -> None:
    async with local_client() as client:
        missing = await client.post(f"{notifications}/sms/delivery-reports", json=_report())
        wrong = await client.post(
            f"{notifications}/sms/delivery-reports", params={"token": "guess"}, json=_report()
        )
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "callback_token_invalid"


async def test_a_report_for_an_unknown_message_changes_nothing(notifications: str) -> None:
    async with local_client() as client:
        answer = await client.post(
            f"{notifications}/sms/delivery-reports", params=TOKEN, json=_report()
        )
    assert answer.status_code == 200
    assert answer.json() == {"accepted": True, "changed": False}


async def _send_with_callbacks(kit: Kit, callbacks: str, **fault: object) -> uuid.UUID:
    registration, phone, _ = await kit.register()
    await faults(kit.gateway, **fault)
    async with JsonPoster() as client:
        await kit.dispatcher(client, callback_url=callbacks).dispatch_due()
    [sent] = await gateway_messages(kit.gateway, phone)
    await wait_until(lambda: _report_finished(kit.gateway, str(sent["request_id"])), within=10)
    return registration


async def _report_finished(gateway: str, request_id: str) -> bool:
    async with local_client() as client:
        found = await client.get(f"{gateway}/_admin/messages", params={"request_id": request_id})
    [message] = found.json()["messages"]
    return bool(message["report"] in ("succeeded", "gave_up"))


async def test_a_delivered_report_moves_sent_to_delivered(kit: Kit, callbacks: str) -> None:
    registration = await _send_with_callbacks(kit, callbacks)
    assert (await kit.messages(registration))[0]["status"] == "delivered"
    assert await kit.outbox_types(registration) == ["NotificationSent", "NotificationDelivered"]


async def test_a_duplicated_report_changes_nothing_the_second_time(
    kit: Kit, callbacks: str
) -> None:
    registration = await _send_with_callbacks(kit, callbacks, duplicate_next_reports=1)
    async with local_client() as client:
        stats = (await client.get(f"{kit.gateway}/_admin/stats")).json()
    assert stats["reports_duplicated"] == 1
    assert (await kit.messages(registration))[0]["status"] == "delivered"
    assert await kit.outbox_types(registration) == ["NotificationSent", "NotificationDelivered"]


async def test_a_report_that_beats_the_send_answer_is_kept_and_the_answer_is_ignored(
    kit: Kit, callbacks: str
) -> None:
    registration = await _send_with_callbacks(kit, callbacks, early_next_reports=1)
    [row] = await kit.messages(registration)
    assert (row["status"], row["attempts"]) == ("delivered", 1)
    assert await kit.outbox_types(registration) == ["NotificationSent", "NotificationDelivered"]


async def test_an_undelivered_report_fails_the_message(kit: Kit, callbacks: str) -> None:
    registration = await _send_with_callbacks(kit, callbacks, report_status="failed")
    assert (await kit.messages(registration))[0]["status"] == "failed"
    assert await kit.outbox_types(registration) == ["NotificationSent", "NotificationFailed"]


async def test_out_of_order_reports_never_move_a_final_status_back(kit: Kit) -> None:
    registration, _, _ = await kit.register()
    [row] = await kit.messages(registration)
    assert await kit.staff.delivery_report(row["id"], "sms-1", delivered=True)
    assert not await kit.staff.delivery_report(row["id"], "sms-1", delivered=False)
    assert not await kit.staff.delivery_report(row["id"], "sms-1", delivered=True)
    async with JsonPoster() as client:  # the send's own answer, arriving last
        await kit.dispatcher(client).dispatch_due()
    assert (await kit.messages(registration))[0]["status"] == "delivered"
    assert await kit.outbox_types(registration) == ["NotificationSent", "NotificationDelivered"]
