"""The SMS dispatcher against the fake eSMS gateway (a real HTTP server) and its faults."""

from __future__ import annotations

import asyncio

from xkld_notifications.adapters.http_post import JsonPoster
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import Kit, faults


async def _drain(kit: Kit, client: JsonPoster, passes: int, **kw: object) -> None:
    dispatcher = kit.dispatcher(client, **kw)  # type: ignore[arg-type]
    for _ in range(passes):
        await dispatcher.dispatch_due()


async def test_transient_failures_are_retried_and_the_sms_is_sent_once(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await faults(kit.gateway, fail_next=2, fail_status=503)
    async with JsonPoster() as client:
        await _drain(kit, client, passes=4)
    [row] = await kit.messages(registration)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, "http 503")
    assert len(await gateway_messages(kit.gateway, phone)) == 1
    assert await kit.outbox_types(registration) == ["NotificationSent"]


async def test_provider_that_sent_but_answered_503_does_not_send_twice(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await faults(kit.gateway, fail_after_record_next=1)
    async with JsonPoster() as client:
        await _drain(kit, client, passes=3)
    assert (await kit.messages(registration))[0]["status"] == "sent"
    assert len(await gateway_messages(kit.gateway, phone)) == 1, "the retry sent a second SMS"


async def test_a_timeout_is_retried_with_the_same_request_id(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await faults(kit.gateway, timeout_next=1, hang_seconds=3)
    async with JsonPoster() as client:
        await _drain(kit, client, passes=2, timeout=0.5)
    [row] = await kit.messages(registration)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert len(await gateway_messages(kit.gateway, phone)) == 1


async def test_refused_credentials_fail_at_once_without_retrying(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    async with JsonPoster() as client:
        await _drain(kit, client, passes=3, api_key="wrong")
    [row] = await kit.messages(registration)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "101" in row["last_error"]
    assert await gateway_messages(kit.gateway, phone) == []
    assert await kit.outbox_types(registration) == ["NotificationFailed"]


async def test_a_4xx_answer_is_not_retried(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await faults(kit.gateway, fail_next=1, fail_status=400)
    async with JsonPoster() as client:
        await _drain(kit, client, passes=3)
    [row] = await kit.messages(registration)
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 1, "http 400")
    assert await gateway_messages(kit.gateway, phone) == []


async def test_gives_up_after_the_maximum_attempts_and_says_so(kit: Kit) -> None:
    registration, _, _ = await kit.register()
    await faults(kit.gateway, fail_next=10, fail_status=500)
    async with JsonPoster() as client:
        await _drain(kit, client, passes=5, max_attempts=3)
    [row] = await kit.messages(registration)
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert await kit.outbox_types(registration) == ["NotificationFailed"]


async def test_retries_wait_an_exponential_jittered_delay(kit: Kit) -> None:
    registration, _, _ = await kit.register()
    await faults(kit.gateway, fail_next=1, fail_status=503)
    async with JsonPoster() as client:
        await _drain(kit, client, passes=1, retry_base_seconds=60.0)
        [row] = await kit.messages(registration)
        # jitter 0 gives half the step: 30 s after the first failure.
        assert (row["next_attempt_at"] - kit.clock.now).total_seconds() == 30.0
        await _drain(kit, client, passes=1, retry_base_seconds=60.0)
        assert (await kit.messages(registration))[0]["status"] == "pending", "sent too early"
        kit.clock.advance(seconds=30)
        await _drain(kit, client, passes=1, retry_base_seconds=60.0)
    assert (await kit.messages(registration))[0]["status"] == "sent"


async def test_two_dispatchers_send_each_message_exactly_once(kit: Kit) -> None:
    registered = [await kit.register() for _ in range(30)]
    await faults(kit.gateway, latency_ms=20)
    async with JsonPoster() as client:
        dispatchers = [kit.dispatcher(client, batch_size=5) for _ in range(2)]
        for _ in range(8):
            await asyncio.gather(*(d.dispatch_due() for d in dispatchers))
    counts = [len(await gateway_messages(kit.gateway, phone)) for _, phone, _ in registered]
    assert counts == [1] * len(registered)
    assert await kit.pool.fetchval("SELECT count(*) FROM sms_message WHERE status = 'sent'") == 30
