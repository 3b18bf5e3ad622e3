"""The eSMS-shaped send endpoint against a real running fake gateway."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from xkld_fake_sms import SEND_PATH

SendFn = Callable[..., Awaitable[httpx.Response]]
MessagesFn = Callable[..., Awaitable[list[dict[str, Any]]]]
StatsFn = Callable[[], Awaitable[dict[str, Any]]]


async def test_health_reports_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_a_send_is_recorded_and_answers_code_100(send: SendFn, messages: MessagesFn) -> None:
    response = await send(RequestId="req-ok")

    assert response.status_code == 200
    body = response.json()
    assert body["CodeResult"] == "100"
    assert body["CountRegenerate"] == 0
    assert uuid.UUID(body["SMSID"])
    [message] = await messages()
    assert message["sms_id"] == body["SMSID"]
    assert message["request_id"] == "req-ok"
    assert message["phone"] == "0912345678"
    assert message["phone_normalized"] == "84912345678"
    assert message["content"] == "Lịch phỏng vấn: 9h sáng thứ Hai"
    assert message["brandname"] == "XKLD"
    assert message["is_unicode"] is True
    assert message["received_at"]


@pytest.mark.parametrize(
    ("api_key", "secret_key"),
    [("wrong", "s-test"), ("k-test", "wrong"), (None, None)],
)
async def test_wrong_credentials_answer_101_and_record_nothing(
    send: SendFn,
    messages: MessagesFn,
    stats: StatsFn,
    api_key: str | None,
    secret_key: str | None,
) -> None:
    response = await send(ApiKey=api_key, SecretKey=secret_key)

    assert response.status_code == 200
    assert response.json() == {"CodeResult": "101", "ErrorMessage": "Authorize Failed"}
    assert await messages() == []
    assert (await stats())["auth_failures"] == 1


@pytest.mark.parametrize("missing", ["Phone", "Content", "RequestId"])
async def test_a_missing_required_field_answers_code_99(
    send: SendFn, messages: MessagesFn, missing: str
) -> None:
    response = await send(**{missing: None})

    assert response.status_code == 200
    assert response.json()["CodeResult"] == "99"
    assert missing in response.json()["ErrorMessage"]
    assert await messages() == []


async def test_a_body_that_is_not_json_answers_code_99(client: httpx.AsyncClient) -> None:
    response = await client.post(SEND_PATH, content=b"not json")

    assert response.status_code == 200
    assert response.json()["CodeResult"] == "99"


@pytest.mark.parametrize("phone", ["0912345678", "84912345678", "+84912345678", "0387 654 321"])
async def test_vietnamese_mobile_numbers_are_accepted(send: SendFn, phone: str) -> None:
    response = await send(Phone=phone)

    assert response.json()["CodeResult"] == "100"


@pytest.mark.parametrize("phone", ["12345", "0212345678", "091234567", "+1 415 555 0100"])
async def test_non_vietnamese_mobile_numbers_answer_code_99(
    send: SendFn, messages: MessagesFn, phone: str
) -> None:
    response = await send(Phone=phone)

    assert response.json()["CodeResult"] == "99"
    assert await messages() == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"SmsType": "abc"},
        {"SmsType": "²"},
        {"IsUnicode": "2"},
        {"Sandbox": "yes"},
        {"CallbackUrl": "ftp://example.test/dlr"},
        {"CallbackUrl": "not a url"},
    ],
)
async def test_malformed_optional_fields_answer_code_99(
    send: SendFn, messages: MessagesFn, overrides: dict[str, str]
) -> None:
    response = await send(**overrides)

    assert response.status_code == 200
    assert response.json()["CodeResult"] == "99"
    assert await messages() == []


async def test_numeric_fields_sent_as_json_numbers_are_accepted(
    send: SendFn, messages: MessagesFn
) -> None:
    response = await send(Phone=84912345678, SmsType=2, IsUnicode=0, RequestId=12345)

    assert response.json()["CodeResult"] == "100"
    [message] = await messages()
    assert (message["request_id"], message["is_unicode"]) == ("12345", False)


async def test_repeated_request_id_records_one_message(
    send: SendFn, messages: MessagesFn, stats: StatsFn
) -> None:
    first = await send(RequestId="req-dup")
    second = await send(RequestId="req-dup")

    assert first.json()["CodeResult"] == second.json()["CodeResult"] == "100"
    assert first.json()["SMSID"] == second.json()["SMSID"]
    assert len(await messages()) == 1
    counters = await stats()
    assert counters["recorded_messages"] == 1
    assert counters["duplicate_requests"] == 1
    assert counters["received_requests"] == 2


async def test_concurrent_retries_of_one_request_id_record_one_message(
    send: SendFn, messages: MessagesFn
) -> None:
    responses = await asyncio.gather(*(send(RequestId="req-race") for _ in range(10)))

    assert {r.json()["SMSID"] for r in responses} == {(await messages())[0]["sms_id"]}
    assert len(await messages()) == 1


async def test_messages_can_be_filtered_by_phone_in_either_form_and_by_request_id(
    send: SendFn, messages: MessagesFn
) -> None:
    await send(RequestId="a", Phone="0912345678")
    await send(RequestId="b", Phone="0987654321")

    assert [m["request_id"] for m in await messages(phone="84912345678")] == ["a"]
    assert [m["request_id"] for m in await messages(phone="0987654321")] == ["b"]
    assert [m["request_id"] for m in await messages(request_id="b")] == ["b"]


async def test_clearing_messages_also_resets_stats_and_idempotency(
    client: httpx.AsyncClient, send: SendFn, messages: MessagesFn, stats: StatsFn
) -> None:
    first = await send(RequestId="req-clear")
    assert (await client.delete("/_admin/messages")).status_code == 204

    assert await messages() == []
    assert (await stats())["received_requests"] == 0
    second = await send(RequestId="req-clear")
    assert second.json()["SMSID"] != first.json()["SMSID"]
