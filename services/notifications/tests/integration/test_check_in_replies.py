"""A worker abroad answers the check-in SMS through the provider's inbound callback: a reply
that can be read is recorded once with WorkerCheckInReported in the same transaction; one that
cannot lands in the officers' inbox, to be marked handled once."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_shared.contracts.journey import WorkerDeparted
from xkld_shared.identity.principal import Role
from xkld_shared.identity.tokens import TokenVerifier, jwks_of
from xkld_shared.testing.http import local_client
from xkld_testkit.notifications_testing import Kit, callback_app

# The first monthly check-in for a departure on 26/11/2026: 08:00 in Vietnam on 26/12.
CHECK_IN_AT = dt.datetime(2026, 12, 26, 1, 0, tzinfo=dt.UTC)
TOKEN = {"token": "test-callback-token"}
HOME = ("29800",)


@pytest.fixture
async def client(kit: Kit) -> AsyncIterator[httpx.AsyncClient]:
    app = callback_app(kit)
    app.state.token_verifier = TokenVerifier(
        jwks_of([kit.ns.signing_key]), issuer="xkld", audience="xkld"
    )
    transport = httpx.ASGITransport(app=app)
    async with local_client(transport=transport, base_url="http://notifications") as c:
        yield c


async def _asked(kit: Kit) -> tuple[uuid.UUID, str]:
    """A worker abroad whose first check-in SMS has gone out; (registration, phone)."""
    registration, phone, _ = await kit.register()
    departed = WorkerDeparted(
        departed_on=dt.date(2026, 11, 26), market_code="JP", enterprise_code="DN-1"
    )
    await kit.publish(registration, departed)
    kit.clock.now = max(kit.clock.now, CHECK_IN_AT)
    async with JsonPoster() as http:
        await kit.dispatcher(http).dispatch_due()
    kit.clock.advance(hours=4)  # 12:00 in Vietnam: the answer comes in
    return registration, phone


async def _reply(
    client: httpx.AsyncClient, phone: str, text: str, message_id: str | None = None
) -> dict[str, object]:
    body = {"Phone": phone, "Content": text} | ({"MessageId": message_id} if message_id else {})
    answer = await client.post("/sms/inbound", params=TOKEN, json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()
    return result


async def _reported(kit: Kit, registration: uuid.UUID) -> list[dict[str, object]]:
    rows = await kit.pool.fetch(
        "SELECT envelope FROM outbox WHERE partition_key = $1 AND event_type = $2 ORDER BY id",
        str(registration),
        "WorkerCheckInReported",
    )
    return [json.loads(r["envelope"]) for r in rows]


async def test_a_reply_is_recorded_once_with_its_event_even_when_the_callback_repeats(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    registration, phone = await _asked(kit)
    first = await _reply(client, phone, "tt 1 van khoe", message_id="mo-17-1")
    again = await _reply(client, phone, "tt 1 van khoe", message_id="mo-17-1")
    assert (first, again) == (
        {"opted_out": 0, "check_in_reply": "recorded"},
        {"opted_out": 0, "check_in_reply": "duplicate"},
    )
    [event] = await _reported(kit, registration)
    payload = event["payload"]
    assert isinstance(payload, dict)
    assert (payload["employment_status"], payload["replied_on"]) == ("working", "2026-12-26")
    assert event["producer"] == "notifications"
    assert phone[1:] not in json.dumps(event)
    assert "khoe" not in json.dumps(event)
    count = await kit.pool.fetchval(
        "SELECT count(*) FROM check_in_reply WHERE registration_id = $1", registration
    )
    assert count == 1


async def test_without_a_provider_id_the_same_text_the_same_day_counts_once(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    registration, phone = await _asked(kit)
    assert (await _reply(client, phone, "TT 2"))["check_in_reply"] == "recorded"
    assert (await _reply(client, phone, "tt  2"))["check_in_reply"] == "duplicate"
    kit.clock.advance(days=1)
    assert (await _reply(client, phone, "Tt: 3"))["check_in_reply"] == "recorded"
    said = [e["payload"]["employment_status"] for e in await _reported(kit, registration)]  # type: ignore[index]
    assert said == ["between_jobs", "not_working"]


async def test_a_reply_that_cannot_be_read_goes_to_the_inbox_and_is_handled_once(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    registration, phone = await _asked(kit)
    answer = await _reply(client, phone, "Chu giu ho chieu, xin goi lai", "mo-17-2")
    assert answer == {"opted_out": 0, "check_in_reply": "unreadable"}
    assert await _reported(kit, registration) == []
    officer = kit.ns.auth(Role.COMMUNE_OFFICER, communes=HOME, username="can-bo-xa")
    inbox = (await client.get("/sms/check-in-replies", headers=officer)).json()
    [mine] = [r for r in inbox if r["registration_id"] == str(registration)]
    assert mine["text"] == "Chu giu ho chieu, xin goi lai"
    assert mine["handled_at"] is None

    url = f"/sms/check-in-replies/{mine['reply_id']}/handled"
    done = await client.post(url, json={"note": "Đã gọi, báo doanh nghiệp"}, headers=officer)
    again = await client.post(url, json={}, headers=officer)
    assert (done.status_code, again.status_code) == (200, 200), done.text
    assert (done.json()["changed"], again.json()["changed"]) == (True, False)
    waiting = (await client.get("/sms/check-in-replies", headers=officer)).json()
    assert str(registration) not in {r["registration_id"] for r in waiting}
    handled = await client.get("/sms/check-in-replies", params={"handled": True}, headers=officer)
    [closed] = [r for r in handled.json() if r["registration_id"] == str(registration)]
    assert (closed["handled_by"], closed["handled_note"]) == (
        "can-bo-xa",
        "Đã gọi, báo doanh nghiệp",
    )
    audited = await kit.pool.fetchval(
        "SELECT count(*) FROM audit.audit_log WHERE action = $1 AND entity_id = $2",
        "sms_check_in_reply_handled",
        mine["reply_id"],
    )
    assert audited == 1


async def test_another_communes_officer_neither_sees_nor_handles_the_reply(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    registration, phone = await _asked(kit)
    await _reply(client, phone, "alo alo", "mo-17-3")
    elsewhere = kit.ns.auth(Role.COMMUNE_OFFICER, communes=("29641",))
    assert (await client.get("/sms/check-in-replies", headers=elsewhere)).json() == []
    reply = await kit.pool.fetchval(
        "SELECT id FROM check_in_reply WHERE registration_id = $1", registration
    )
    refused = await client.post(
        f"/sms/check-in-replies/{reply}/handled", json={}, headers=elsewhere
    )
    assert refused.status_code == 404
    trainer = kit.ns.auth(Role.TRAINING_STAFF, communes=HOME)
    assert (await client.get("/sms/check-in-replies", headers=trainer)).status_code == 403


async def test_a_number_never_sent_a_check_in_is_not_taken_as_one(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    registration, phone, _ = await kit.register()
    answer = await _reply(client, phone, "TT 1")
    assert "check_in_reply" not in answer
    count = await kit.pool.fetchval(
        "SELECT count(*) FROM check_in_reply WHERE registration_id = $1", registration
    )
    assert count == 0
