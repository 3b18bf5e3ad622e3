"""A household's poverty status through the HTTP API: once at intake, once per list year after
the return, with its event and audit row; nothing while the worker is abroad."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of

from .journey_desk import READY, Desk, days, open_desk, today


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


async def _record(desk: Desk, rid: str, year: int, status: str) -> httpx.Response:
    body = {"list_year": year, "status": status}
    return await desk.post("commune", f"/registrations/{rid}/poverty-status", body)


async def _events(desk: Desk, rid: str) -> list[dict[str, object]]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        rows = await conn.fetch(
            "SELECT envelope FROM outbox WHERE partition_key = $1 AND event_type = $2 ORDER BY id",
            rid,
            "PovertyStatusRecorded",
        )
    finally:
        await conn.close()
    return [Envelope.from_bytes(bytes(r["envelope"])).payload for r in rows]


async def test_the_status_is_recorded_at_intake_and_for_each_year_after_the_return(
    desk: Desk,
) -> None:
    year = today().year
    rid = await desk.register()
    first = await _record(desk, rid, year, "poor")
    again = await _record(desk, rid, year, "poor")
    other = await _record(desk, rid, year - 1, "near_poor")
    assert (first.json()["changed"], again.json()["changed"]) == (True, False)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "poverty_status_recorded")

    await desk.walk(rid, *READY, "schedule", "depart")
    abroad = await _record(desk, rid, year, "neither")
    assert (abroad.status_code, abroad.json()["error"]["code"]) == (409, "illegal_journey_step")

    back = await desk.post("commune", f"/registrations/{rid}/return", {"returned_on": days(0)})
    assert back.status_code == 200
    assert (await _record(desk, rid, year, "neither")).json()["changed"] is True
    before_return = await _record(desk, rid, year - 1, "neither")
    assert before_return.status_code == 422
    assert await _events(desk, rid) == [
        {"basis": "intake", "list_year": year, "status": "poor", "recorded_on": days(0)},
        {"basis": "after_return", "list_year": year, "status": "neither", "recorded_on": days(0)},
    ]
    listed = await desk.client.get(
        f"{desk.url}/registrations/{rid}/poverty-status", headers=desk.headers("commune")
    )
    assert [(r["basis"], r["status"]) for r in listed.json()] == [
        ("intake", "poor"),
        ("after_return", "neither"),
    ]


async def test_another_commune_neither_reads_nor_records(desk: Desk) -> None:
    rid = await desk.register()
    elsewhere = officer_of(desk.ns, "29641")
    url = f"{desk.url}/registrations/{rid}/poverty-status"
    assert (await desk.client.get(url, headers=elsewhere)).status_code == 404
    body = {"list_year": today().year, "status": "poor"}
    assert (await desk.client.post(url, json=body, headers=elsewhere)).status_code == 404
    assert await _events(desk, rid) == []


async def test_an_erasure_deletes_the_intake_status(desk: Desk) -> None:
    rid = await desk.register()
    assert (await _record(desk, rid, today().year, "near_poor")).status_code == 200
    erased = await desk.post("commune", f"/registrations/{rid}/erasure")
    assert erased.status_code == 204, erased.text
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        left = await conn.fetchval(
            "SELECT count(*) FROM poverty_status WHERE registration_id = $1::uuid", rid
        )
    finally:
        await conn.close()
    assert left == 0
