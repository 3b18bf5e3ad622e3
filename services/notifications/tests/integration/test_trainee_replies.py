"""A trainee's answer to the follow-up about work, through the provider's inbound callback:
recorded once with TraineeWorkReported in the same transaction, "not understood" kept too,
and listed for the officers of the trainee's commune."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_shared.contracts.training import TraineeCourseCompleted, TraineePersonalDataErased
from xkld_shared.identity.principal import Role
from xkld_shared.identity.tokens import TokenVerifier, jwks_of
from xkld_shared.testing.http import local_client
from xkld_testkit.notifications_testing import Kit, callback_app, e164

FOLLOW_UP_AT = dt.datetime(2027, 2, 28, 1, 0, tzinfo=dt.UTC)  # 08:00, 3 months after 30/11
TOKEN = {"token": "test-callback-token"}


@pytest.fixture
async def client(kit: Kit) -> AsyncIterator[httpx.AsyncClient]:
    app = callback_app(kit)
    app.state.token_verifier = TokenVerifier(
        jwks_of([kit.ns.signing_key]), issuer="xkld", audience="xkld"
    )
    transport = httpx.ASGITransport(app=app)
    async with local_client(transport=transport, base_url="http://notifications") as c:
        yield c


async def _asked(kit: Kit, commune: str = "29800") -> tuple[uuid.UUID, str, uuid.UUID]:
    """A trainee whose follow-up about work has gone out; (trainee, phone, course)."""
    trainee, phone = await kit.register_trainee(commune_code=commune)
    course = uuid.uuid4()
    done = TraineeCourseCompleted(
        course_id=course,
        course_code="SC-XM-01",
        commune_code=commune,
        province_code="86",
        completed_on=dt.date(2026, 11, 30),
        passed=True,
        certificate_issued=True,
    )
    await kit.publish(trainee, done)
    kit.clock.now = max(kit.clock.now, FOLLOW_UP_AT)  # never back: a second trainee's is due
    async with JsonPoster() as http:
        dispatcher = kit.dispatcher(http)
        await dispatcher.dispatch_due()
    kit.clock.advance(hours=3)  # 11:00 in Vietnam: the answer comes in
    return trainee, phone, course


async def _reply(
    client: httpx.AsyncClient, phone: str, text: str, message_id: str | None = None
) -> dict[str, object]:
    body = {"Phone": phone, "Content": text} | ({"MessageId": message_id} if message_id else {})
    answer = await client.post("/sms/inbound", params=TOKEN, json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()
    return result


async def _reported(kit: Kit, trainee: uuid.UUID) -> list[dict[str, object]]:
    rows = await kit.pool.fetch(
        "SELECT envelope FROM outbox WHERE partition_key = $1 AND event_type = $2 ORDER BY id",
        str(trainee),
        "TraineeWorkReported",
    )
    return [json.loads(r["envelope"]) for r in rows]


async def test_an_answer_is_recorded_once_with_its_event_even_when_the_callback_repeats(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    trainee, phone, course = await _asked(kit)
    first = await _reply(client, phone, "vl 1", message_id="mo-19-1")
    again = await _reply(client, phone, "vl 1", message_id="mo-19-1")
    assert (first, again) == (
        {"opted_out": 0, "work_reply": "recorded"},
        {"opted_out": 0, "work_reply": "duplicate"},
    )
    rows = await kit.pool.fetch(
        "SELECT trainee_id, course_id, outcome, received_at FROM trainee_work_reply "
        "WHERE trainee_id = $1",
        trainee,
    )
    assert [tuple(r) for r in rows] == [(trainee, course, "work_in_trade", kit.clock.now)]
    [event] = await _reported(kit, trainee)
    assert event["payload"] == {
        "course_id": str(course),
        "outcome": "work_in_trade",
        "replied_on": "2027-02-28",
    }
    assert event["producer"] == "notifications"
    assert phone[1:] not in json.dumps(event)


async def test_without_a_provider_id_the_same_text_the_same_day_counts_once(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    trainee, phone, _ = await _asked(kit)
    assert (await _reply(client, e164(phone), "VL 3"))["work_reply"] == "recorded"
    assert (await _reply(client, phone, "vl  3"))["work_reply"] == "duplicate"
    kit.clock.advance(days=1)
    assert (await _reply(client, phone, "VL 2"))["work_reply"] == "recorded"
    outcomes = [e["payload"]["outcome"] for e in await _reported(kit, trainee)]  # type: ignore[index]
    assert outcomes == ["own_business", "other_work"]


async def test_an_answer_that_says_nothing_clear_is_kept_as_not_understood_without_an_event(
    kit: Kit, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    trainee, phone, course = await _asked(kit)
    caplog.set_level(logging.DEBUG)
    assert await _reply(client, phone, "Toi dang lam ruong", "mo-19-2") == {
        "opted_out": 0,
        "work_reply": "not_understood",
    }
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "not_understood" in logged, "the reply was logged: the check below saw it"
    assert phone[1:] not in logged
    assert "ruong" not in logged
    row = await kit.pool.fetchrow(
        "SELECT course_id, outcome FROM trainee_work_reply WHERE trainee_id = $1", trainee
    )
    assert row is not None
    assert tuple(row) == (course, None)
    assert await _reported(kit, trainee) == []


async def test_a_number_not_asked_about_work_is_not_recorded(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    worker, phone, _ = await kit.register()
    trainee, trainee_phone = await kit.register_trainee()  # follow-up not sent yet
    assert (await _reply(client, phone, "VL 1"))["work_reply"] == "no_follow_up"
    assert (await _reply(client, trainee_phone, "VL 1"))["work_reply"] == "no_follow_up"
    count = await kit.pool.fetchval(
        "SELECT count(*) FROM trainee_work_reply WHERE trainee_id = ANY($1::uuid[])",
        [worker, trainee],
    )
    assert count == 0


async def test_a_stop_keyword_still_opts_out_and_records_no_answer(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    trainee, phone, _ = await _asked(kit)
    assert await _reply(client, phone, "TU CHOI") == {"opted_out": 1}
    assert await _reported(kit, trainee) == []


async def test_officers_see_the_answers_of_their_own_area_only(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    trainee, phone, course = await _asked(kit, commune="29800")
    _, other_phone, _ = await _asked(kit, commune="29641")
    await _reply(client, phone, "VL 4", "mo-19-3")
    await _reply(client, other_phone, "xin chao", "mo-19-4")
    ns = kit.ns
    home = await client.get(
        "/sms/trainee-replies", headers=ns.auth(Role.COMMUNE_OFFICER, communes=("29800",))
    )
    province = await client.get(
        "/sms/trainee-replies",
        params={"since": "2027-02-28", "limit": 500},
        headers=ns.auth(Role.LABOUR_OFFICER, province="86"),
    )
    later = await client.get(
        "/sms/trainee-replies",
        params={"since": "2027-03-01"},
        headers=ns.auth(Role.LABOUR_OFFICER, province="86"),
    )
    trainer = await client.get(
        "/sms/trainee-replies", headers=ns.auth(Role.TRAINING_STAFF, communes=("29800",))
    )
    bad = await client.get(
        "/sms/trainee-replies",
        params={"limit": 0},
        headers=ns.auth(Role.COMMUNE_OFFICER, communes=("29800",)),
    )
    mine = [r for r in home.json() if r["trainee_id"] == str(trainee)]
    assert [
        {k: r[k] for k in ("course_id", "outcome", "understood", "commune_code")} for r in mine
    ] == [
        {"course_id": str(course), "outcome": "went_abroad", "understood": True,
         "commune_code": "29800"}
    ]  # fmt: skip
    assert {r["commune_code"] for r in home.json()} == {"29800"}
    assert {"29800", "29641"} <= {r["commune_code"] for r in province.json()}
    assert {r["understood"] for r in province.json()} == {True, False}
    assert later.json() == []
    assert (trainer.status_code, bad.status_code) == (403, 422)


async def test_an_erased_trainee_s_answers_are_forgotten_too(
    kit: Kit, client: httpx.AsyncClient
) -> None:
    trainee, phone, _ = await _asked(kit)
    await _reply(client, phone, "VL 5", "mo-19-5")
    await kit.publish(trainee, TraineePersonalDataErased(erased_on=dt.date(2027, 3, 1)))
    count = await kit.pool.fetchval(
        "SELECT count(*) FROM trainee_work_reply WHERE trainee_id = $1", trainee
    )
    assert count == 0
    assert (await _reply(client, phone, "VL 1", "mo-19-6"))["work_reply"] == "no_follow_up"
