"""What the staff portal relies on: a step sent twice with its form's key is taken once, the
journey names the next steps, and the overview counts the officer's own communes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of

from .journey_desk import READY, STEPS, Desk, days, open_desk


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


async def _keyed(desk: Desk, rid: str, name: str, key: str) -> httpx.Response:
    role, path, body = STEPS[name](desk)
    headers = desk.headers(role) | {"Idempotency-Key": key}
    return await desk.client.post(
        f"{desk.url}/registrations/{rid}{path}", json=body, headers=headers
    )


async def _check_ins(desk: Desk, rid: str) -> int:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        n: int = await conn.fetchval(
            "SELECT count(*) FROM check_in WHERE registration_id = $1", uuid.UUID(rid)
        )
        return n
    finally:
        await conn.close()


async def test_a_check_in_sent_twice_with_one_key_is_recorded_once(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule", "depart")
    key = str(uuid.uuid4())
    first = await _keyed(desk, rid, "check_in", key)
    again = await _keyed(desk, rid, "check_in", key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["stage"] == "abroad"
    assert await _check_ins(desk, rid) == 1
    assert (await _keyed(desk, rid, "check_in", str(uuid.uuid4()))).status_code == 200
    assert await _check_ins(desk, rid) == 2


async def test_a_step_resent_with_its_key_answers_the_file_instead_of_a_conflict(
    desk: Desk,
) -> None:
    rid = await desk.register()
    key = str(uuid.uuid4())
    assert (await _keyed(desk, rid, "eligible", key)).status_code == 200
    again = await _keyed(desk, rid, "eligible", key)
    assert again.status_code == 200, again.text
    assert again.json()["stage"] == "eligible"
    unkeyed = await desk.step(rid, "eligible")
    assert unkeyed.status_code == 409


async def test_a_key_reused_with_another_body_is_refused(desk: Desk) -> None:
    rid = await desk.register()
    key = str(uuid.uuid4())
    assert (await _keyed(desk, rid, "withdraw", key)).status_code == 200
    headers = desk.headers("commune") | {"Idempotency-Key": key}
    other = await desk.client.post(
        f"{desk.url}/registrations/{rid}/withdrawal",
        json={"reason_code": "something_else"},
        headers=headers,
    )
    assert other.status_code == 422


async def test_the_journey_names_the_steps_the_file_can_take_next(desk: Desk) -> None:
    rid = await desk.register()
    assert (await desk.journey(rid))["next_steps"] == [
        "eligibility",
        "rejection",
        "withdrawal",
        "erasure",
    ]
    await desk.walk(rid, *READY, "schedule")
    scheduled = ["departure-schedule", "departure", "withdrawal", "erasure"]
    assert (await desk.journey(rid))["next_steps"] == scheduled


async def test_the_overview_counts_stages_and_lists_departures_in_scope_only(desk: Desk) -> None:
    scheduled = await desk.register()
    await desk.walk(scheduled, *READY, "schedule")
    officer = officer_of(desk.ns, "29800")
    answer = await desk.client.get(f"{desk.url}/registrations/overview", headers=officer)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["by_stage"]["departure_scheduled"] >= 1
    departing = {d["id"] for d in body["departures_this_month"]}
    planned = days(7)[:7]  # the desk schedules departures a week ahead
    assert (str(scheduled) in departing) == (planned == days(0)[:7])
    other = officer_of(desk.ns, "29641")
    elsewhere = await desk.client.get(f"{desk.url}/registrations/overview", headers=other)
    assert elsewhere.json()["by_stage"] == {}
