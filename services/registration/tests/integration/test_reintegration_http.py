"""Reintegration outcomes 3 and 6 months after the return, through the HTTP API: the due list
on a known scenario, one outcome per checkpoint with its event and audit row."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of

from .journey_desk import READY, Desk, days, open_desk


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


async def _returned(desk: Desk, day: int) -> str:
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule")
    path = f"/registrations/{rid}"
    assert (await desk.post("labour", f"{path}/departure", {"departed_on": days(-900)})).is_success
    back = await desk.post("commune", f"{path}/return", {"returned_on": days(day)})
    assert back.status_code == 200, back.text
    return rid


async def _outcome(
    desk: Desk, rid: str, months: int, outcome: str, **more: object
) -> httpx.Response:
    body = {"checkpoint_months": months, "outcome": outcome} | more
    return await desk.post("commune", f"/registrations/{rid}/reintegration-outcomes", body)


async def _due(desk: Desk, headers: dict[str, str] | None = None) -> list[dict[str, object]]:
    answer = await desk.client.get(
        f"{desk.url}/registrations/follow-up/reintegration-due",
        headers=headers or desk.headers("commune"),
    )
    assert answer.status_code == 200, answer.text
    due: list[dict[str, object]] = answer.json()["due"]
    return due


async def test_the_due_list_shows_each_checkpoint_not_recorded_oldest_first(desk: Desk) -> None:
    long_ago, three_months, lately, half_done = (
        await _returned(desk, -200),
        await _returned(desk, -100),
        await _returned(desk, -10),
        await _returned(desk, -250),
    )
    assert (await _outcome(desk, half_done, 3, "job_found")).status_code == 200
    mine = {long_ago, three_months, lately, half_done}
    listed = [(d["registration_id"], d["checkpoint_months"]) for d in await _due(desk)]
    names = {long_ago: "long_ago", three_months: "three_months", lately: "lately"}
    names[half_done] = "half_done"
    assert [(names[str(r)], m) for r, m in listed if r in mine] == [
        ("long_ago", 3),  # about 109 days ago
        ("half_done", 6),  # about 68 days ago
        ("long_ago", 6),  # about 18 days ago
        ("three_months", 3),  # about 9 days ago
    ]
    assert await _due(desk, officer_of(desk.ns, "29641")) == []


async def test_an_outcome_is_recorded_once_with_its_event_and_audit_row(desk: Desk) -> None:
    rid = await _returned(desk, -100)
    first = await _outcome(desk, rid, 3, "business_loan", note="Vay vốn mở tiệm sửa xe")
    again = await _outcome(desk, rid, 3, "business_loan")
    other = await _outcome(desk, rid, 3, "nothing_yet")
    assert (first.json()["changed"], again.json()["changed"]) == (True, False)
    assert (other.status_code, other.json()["error"]["code"]) == (
        409,
        "reintegration_outcome_recorded",
    )
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        rows = await conn.fetch(
            "SELECT envelope FROM outbox WHERE partition_key = $1 AND event_type = $2",
            rid,
            "ReintegrationOutcomeRecorded",
        )
        audited = await conn.fetchval(
            """SELECT count(*) FROM audit.audit_log
               WHERE entity_id = $1 AND action = 'reintegration.outcome_recorded'""",
            rid,
        )
    finally:
        await conn.close()
    [event] = [Envelope.from_bytes(bytes(r["envelope"])) for r in rows]
    assert event.payload == {
        "checkpoint_months": 3,
        "outcome": "business_loan",
        "observed_on": days(0),
    }
    assert "sửa xe" not in json.dumps(event.payload, ensure_ascii=False)
    assert audited == 1


async def test_an_outcome_before_the_return_or_for_a_worker_still_abroad_is_refused(
    desk: Desk,
) -> None:
    rid = await _returned(desk, -100)
    early = await _outcome(desk, rid, 3, "training", observed_on=days(-101))
    assert early.status_code == 422
    abroad = await desk.register()
    await desk.walk(abroad, *READY, "schedule", "depart")
    refused = await _outcome(desk, abroad, 6, "job_found")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "illegal_journey_step")
    assert (await _outcome(desk, rid, 4, "job_found")).status_code == 422
