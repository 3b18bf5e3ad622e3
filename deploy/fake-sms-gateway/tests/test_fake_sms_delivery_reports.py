"""Delivery reports POSTed to a real callback server run by the test."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from xkld_fake_sms.testing import serve_in_background, wait_until

SendFn = Callable[..., Awaitable[httpx.Response]]
FaultsFn = Callable[..., Awaitable[None]]
MessagesFn = Callable[..., Awaitable[list[dict[str, Any]]]]
StatsFn = Callable[[], Awaitable[dict[str, Any]]]

# Test settings: 5 attempts, backoff 0.05 s doubling to a 0.2 s cap, so a full
# give-up cycle takes ~0.6 s; this comfortably exceeds it.
LONGER_THAN_A_RETRY_CYCLE = 1.0


@dataclass
class CallbackReceiver:
    """A real HTTP endpoint that can be told to fail its first N hits."""

    fail_first: int = 0
    hits: int = 0
    reports: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/esms/dlr")
        async def receive(request: Request) -> Response:
            self.hits += 1
            if self.hits <= self.fail_first:
                return Response(status_code=500)
            self.reports.append(await request.json())
            return Response(status_code=200)

        return app


@pytest.fixture
async def receiver() -> AsyncIterator[CallbackReceiver]:
    receiver = CallbackReceiver()
    async with serve_in_background(receiver.app()) as base_url:
        receiver.url = f"{base_url}/esms/dlr"
        yield receiver


async def test_a_delivery_report_reaches_the_callback_url(
    send: SendFn, messages: MessagesFn, receiver: CallbackReceiver
) -> None:
    sms_id = (await send(RequestId="req-dlr", CallbackUrl=receiver.url)).json()["SMSID"]

    await wait_until(lambda: len(receiver.reports) == 1)

    assert receiver.reports == [
        {
            "SMSID": sms_id,
            "RequestId": "req-dlr",
            "SendStatus": 5,
            "SendFailed": 0,
            "TotalPrice": 0,
            "TypeId": 2,
            "IsSent": True,
        }
    ]
    await wait_until(lambda: _report_is(messages, "succeeded"))
    [message] = await messages()
    assert message["delivery_status"] == "delivered"
    assert [a["status_code"] for a in message["callback_attempts"]] == [200]


async def test_report_status_failed_sends_send_status_6(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn, receiver: CallbackReceiver
) -> None:
    await set_faults(report_status="failed")

    await send(CallbackUrl=receiver.url)
    await wait_until(lambda: len(receiver.reports) == 1)

    [report] = receiver.reports
    assert (report["SendStatus"], report["SendFailed"], report["IsSent"]) == (6, 1, False)
    assert (await messages())[0]["delivery_status"] == "failed"


async def test_the_callback_is_retried_after_the_receiver_fails_twice(
    send: SendFn, messages: MessagesFn, stats: StatsFn, receiver: CallbackReceiver
) -> None:
    receiver.fail_first = 2

    await send(CallbackUrl=receiver.url)
    await wait_until(lambda: _report_is(messages, "succeeded"))

    assert receiver.hits == 3
    assert len(receiver.reports) == 1
    [message] = await messages()
    assert [a["status_code"] for a in message["callback_attempts"]] == [500, 500, 200]
    counters = await stats()
    assert (counters["callbacks_attempted"], counters["callbacks_failed"]) == (3, 2)
    assert counters["callbacks_succeeded"] == 1


async def test_the_callback_stops_after_five_attempts_when_it_always_fails(
    send: SendFn, messages: MessagesFn, stats: StatsFn, receiver: CallbackReceiver
) -> None:
    receiver.fail_first = 1_000

    await send(CallbackUrl=receiver.url)
    await wait_until(lambda: _report_is(messages, "gave_up"))
    await asyncio.sleep(LONGER_THAN_A_RETRY_CYCLE / 2)

    assert receiver.hits == 5
    assert (await stats())["reports_given_up"] == 1


async def test_a_connection_error_to_the_callback_is_retried_too(
    send: SendFn, messages: MessagesFn
) -> None:
    await send(CallbackUrl=f"http://127.0.0.1:{_closed_port()}/dlr")

    await wait_until(lambda: _report_is(messages, "gave_up"))

    attempts = (await messages())[0]["callback_attempts"]
    assert len(attempts) == 5
    assert all(a["status_code"] is None and a["error"] for a in attempts)


async def test_drop_next_reports_suppresses_the_callback(
    send: SendFn,
    set_faults: FaultsFn,
    messages: MessagesFn,
    stats: StatsFn,
    receiver: CallbackReceiver,
) -> None:
    await set_faults(drop_next_reports=1)

    await send(RequestId="dropped", CallbackUrl=receiver.url)
    await send(RequestId="kept", CallbackUrl=receiver.url)
    await wait_until(lambda: len(receiver.reports) == 1)
    await asyncio.sleep(LONGER_THAN_A_RETRY_CYCLE / 4)

    assert [r["RequestId"] for r in receiver.reports] == ["kept"]
    assert receiver.hits == 1
    [dropped] = await messages(request_id="dropped")
    assert dropped["report"] == "dropped"
    assert (await stats())["reports_dropped"] == 1


async def test_drop_report_rate_one_suppresses_every_callback(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn, receiver: CallbackReceiver
) -> None:
    await set_faults(drop_report_rate=1.0)

    await send(RequestId="a", CallbackUrl=receiver.url)
    await send(RequestId="b", CallbackUrl=receiver.url)
    await wait_until(lambda: _delivery_is(messages, "delivered"))
    await asyncio.sleep(LONGER_THAN_A_RETRY_CYCLE / 4)

    assert receiver.hits == 0
    assert {m["report"] for m in await messages()} == {"dropped"}


async def test_a_duplicate_request_id_does_not_send_a_second_report(
    send: SendFn, messages: MessagesFn, receiver: CallbackReceiver
) -> None:
    await send(RequestId="once", CallbackUrl=receiver.url)
    await send(RequestId="once", CallbackUrl=receiver.url)
    await wait_until(lambda: _report_is(messages, "succeeded"))
    await asyncio.sleep(LONGER_THAN_A_RETRY_CYCLE / 4)

    assert receiver.hits == 1


async def test_clearing_messages_cancels_pending_reports(
    client: httpx.AsyncClient, send: SendFn, receiver: CallbackReceiver
) -> None:
    receiver.fail_first = 1_000
    await send(CallbackUrl=receiver.url)
    await wait_until(lambda: receiver.hits >= 1)

    await client.delete("/_admin/messages")
    hits_at_clear = receiver.hits
    await asyncio.sleep(LONGER_THAN_A_RETRY_CYCLE)

    assert receiver.hits == hits_at_clear < 5


async def _report_is(messages: MessagesFn, outcome: str) -> bool:
    listed = await messages()
    return bool(listed) and all(m["report"] == outcome for m in listed)


async def _delivery_is(messages: MessagesFn, status: str) -> bool:
    listed = await messages()
    return bool(listed) and all(m["delivery_status"] == status for m in listed)


def _closed_port() -> int:
    # Bind and release: nothing listens there afterwards, so connects are refused.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_duplicate_next_reports_sends_the_same_report_twice(
    send: SendFn, set_faults: FaultsFn, stats: StatsFn, receiver: CallbackReceiver
) -> None:
    await set_faults(duplicate_next_reports=1)
    await send(RequestId="req-dup-report", CallbackUrl=receiver.url)
    await wait_until(lambda: len(receiver.reports) == 2, within=5)
    assert receiver.reports[0] == receiver.reports[1]
    assert (await stats())["reports_duplicated"] == 1


async def test_early_next_reports_delivers_the_report_before_the_send_answers(
    send: SendFn, set_faults: FaultsFn, receiver: CallbackReceiver
) -> None:
    await set_faults(early_next_reports=1, latency_ms=0)
    answer = await send(RequestId="req-early-report", CallbackUrl=receiver.url)
    # No waiting: the report was already received when the send came back.
    assert [r["RequestId"] for r in receiver.reports] == ["req-early-report"]
    assert answer.json()["CodeResult"] == "100"
