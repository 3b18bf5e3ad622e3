"""Fault injection: each fault must actually make the send path misbehave."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from xkld_fake_sms import SEND_PATH, Settings, create_app
from xkld_fake_sms.testing import serve_in_background

SendFn = Callable[..., Awaitable[httpx.Response]]
BodyFn = Callable[..., dict[str, Any]]
FaultsFn = Callable[..., Awaitable[None]]
MessagesFn = Callable[..., Awaitable[list[dict[str, Any]]]]
StatsFn = Callable[[], Awaitable[dict[str, Any]]]


async def test_fail_next_two_gives_two_503s_then_success(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn, stats: StatsFn
) -> None:
    await set_faults(fail_next=2)

    codes = [(await send(RequestId="req-retry")).status_code for _ in range(3)]

    assert codes == [503, 503, 200]
    [message] = await messages()
    assert message["request_id"] == "req-retry"
    counters = await stats()
    assert counters["injected_failures"] == 2
    assert counters["received_requests"] == 3
    assert counters["duplicate_requests"] == 0


@pytest.mark.parametrize("status", [429, 500])
async def test_fail_status_chooses_the_injected_http_status(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn, status: int
) -> None:
    await set_faults(fail_next=1, fail_status=status)

    assert (await send()).status_code == status
    assert await messages() == []


async def test_a_retry_after_fail_after_record_yields_exactly_one_message(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn, stats: StatsFn
) -> None:
    await set_faults(fail_after_record_next=1)

    lost = await send(RequestId="req-lost-answer")
    assert lost.status_code == 503
    # The provider did accept it, even though the client never heard back.
    [recorded] = await messages()
    retry = await send(RequestId="req-lost-answer")

    assert retry.status_code == 200
    assert retry.json()["SMSID"] == recorded["sms_id"]
    assert len(await messages()) == 1
    assert (await stats())["duplicate_requests"] == 1


async def test_timeout_next_makes_a_short_timeout_client_time_out(
    gateway_url: str,
    make_body: BodyFn,
    send: SendFn,
    set_faults: FaultsFn,
    messages: MessagesFn,
    stats: StatsFn,
) -> None:
    await set_faults(timeout_next=1, hang_seconds=2)

    async with httpx.AsyncClient(base_url=gateway_url, timeout=0.5) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.post(SEND_PATH, json=make_body(RequestId="req-hang"))

    assert await messages() == []
    assert (await stats())["injected_timeouts"] == 1
    # The counter was consumed: the next send goes through.
    assert (await send()).json()["CodeResult"] == "100"


async def test_a_hang_ends_with_504_when_the_client_waits_it_out(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn
) -> None:
    await set_faults(timeout_next=1, hang_seconds=0.3)

    started = time.monotonic()
    response = await send()

    assert response.status_code == 504
    assert time.monotonic() - started >= 0.3
    assert await messages() == []


async def test_latency_delays_every_send(send: SendFn, set_faults: FaultsFn) -> None:
    await set_faults(latency_ms=250)

    for request_id in ("slow-1", "slow-2"):
        started = time.monotonic()
        response = await send(RequestId=request_id)
        assert time.monotonic() - started >= 0.25
        assert response.json()["CodeResult"] == "100"


async def test_error_rate_one_fails_every_send(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn
) -> None:
    await set_faults(error_rate=1.0, fail_status=500)

    codes = {(await send(RequestId=f"r{i}")).status_code for i in range(5)}

    assert codes == {500}
    assert await messages() == []


async def test_timeout_rate_one_hangs_every_send(
    send: SendFn, set_faults: FaultsFn, messages: MessagesFn
) -> None:
    await set_faults(timeout_rate=1.0, hang_seconds=0.1)

    codes = [(await send(RequestId=f"r{i}")).status_code for i in range(2)]

    assert codes == [504, 504]
    assert await messages() == []


async def test_a_seeded_error_rate_replays_the_same_fault_sequence(
    send: SendFn, set_faults: FaultsFn
) -> None:
    async def run() -> list[int]:
        await set_faults(error_rate=0.5, seed=1234)
        return [(await send(RequestId=f"seeded-{i}")).status_code for i in range(12)]

    first, second = await run(), await run()

    assert first == second
    assert {200, 503} == set(first)


async def test_fault_config_reads_back_with_counters_consumed_and_resets(
    client: httpx.AsyncClient, send: SendFn, set_faults: FaultsFn
) -> None:
    await set_faults(fail_next=3, drop_next_reports=1)
    await send()

    current = (await client.get("/_admin/faults")).json()
    assert current["fail_next"] == 2
    assert current["drop_next_reports"] == 1
    reset = (await client.delete("/_admin/faults")).json()
    assert reset["fail_next"] == 0
    assert (await send()).status_code == 200


@pytest.mark.parametrize(
    "faults",
    [
        {"fail_nxt": 1},
        {"error_rate": 1.5},
        {"fail_status": 200},
        {"error_rate": 0.6, "timeout_rate": 0.6},
    ],
)
async def test_a_malformed_fault_config_is_rejected(
    client: httpx.AsyncClient, faults: dict[str, Any]
) -> None:
    response = await client.put("/_admin/faults", json=faults)

    assert response.status_code == 422
    assert (await client.get("/_admin/faults")).json()["fail_next"] == 0


async def test_a_hung_send_ends_when_its_client_gives_up(make_body: BodyFn) -> None:
    # A dedicated server, because what is measured is how fast it can stop.
    app = create_app(Settings(api_key="k-test", secret_key="s-test"))
    async with serve_in_background(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=0.3) as impatient:
            await impatient.put("/_admin/faults", json={"timeout_next": 1, "hang_seconds": 10})
            with pytest.raises(httpx.ReadTimeout):
                await impatient.post(SEND_PATH, json=make_body())
        await asyncio.sleep(0.2)
        stopping = time.monotonic()

    # Had the handler kept hanging, shutdown would wait out uvicorn's 2 s grace.
    assert time.monotonic() - stopping < 1.0
