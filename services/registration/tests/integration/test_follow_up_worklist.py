"""Follow-up on a known scenario: the worklist of workers abroad not heard from in N days
(oldest first, within the officer's own communes), and remittances recorded at check-ins."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import asyncpg
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


async def _abroad(desk: Desk, departed: int, check_ins: tuple[int, ...] = ()) -> str:
    """A worker who left `departed` days from today (negative: in the past)."""
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule")
    left = await desk.post(
        "labour", f"/registrations/{rid}/departure", {"departed_on": days(departed)}
    )
    assert left.status_code == 200, left.text
    for day in check_ins:
        body = {
            "checked_in_on": days(day),
            "channel": "phone",
            "employment_status": "working",
            "wellbeing": "good",
        }
        answer = await desk.post("commune", f"/registrations/{rid}/check-ins", body)
        assert answer.status_code == 200, answer.text
    return rid


async def _worklist(desk: Desk, headers: dict[str, str], query: str = "") -> dict[str, object]:
    answer = await desk.client.get(
        f"{desk.url}/registrations/follow-up/silent-abroad{query}", headers=headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def test_the_worklist_lists_workers_silent_for_90_days_oldest_first(desk: Desk) -> None:
    silent_200 = await _abroad(desk, -200)
    silent_100 = await _abroad(desk, -300, check_ins=(-250, -100))
    exactly_90 = await _abroad(desk, -90)
    heard_lately = await _abroad(desk, -300, check_ins=(-10,))
    returned = await _abroad(desk, -400)
    await desk.walk(returned, "return")

    body = await _worklist(desk, desk.headers("commune"))
    assert body["silent_days"] == 90
    workers = body["workers"]
    assert isinstance(workers, list)
    mine = {silent_200, silent_100, exactly_90, heard_lately, returned}
    listed = [
        (w["registration_id"], w["days_silent"]) for w in workers if w["registration_id"] in mine
    ]
    assert listed == [(silent_200, 200), (silent_100, 100), (exactly_90, 90)]
    first = next(w for w in workers if w["registration_id"] == silent_100)
    assert first["last_check_in"] == days(-100)
    assert first["full_name"]


async def test_the_number_of_days_is_chosen_per_request(desk: Desk) -> None:
    long_silent = await _abroad(desk, -400)
    shorter = await _abroad(desk, -120)
    body = await _worklist(desk, desk.headers("labour"), "?silent_days=365")
    ids = [w["registration_id"] for w in body["workers"]]  # type: ignore[attr-defined]
    assert long_silent in ids
    assert shorter not in ids


async def test_another_communes_officer_sees_none_of_them(desk: Desk) -> None:
    await _abroad(desk, -200)
    body = await _worklist(desk, officer_of(desk.ns, "29641"))
    assert body["workers"] == []


async def test_a_bad_number_of_days_is_refused(desk: Desk) -> None:
    answer = await desk.client.get(
        f"{desk.url}/registrations/follow-up/silent-abroad?silent_days=0",
        headers=desk.headers("commune"),
    )
    assert answer.status_code == 422


async def _check_in_events(desk: Desk, rid: str) -> list[dict[str, object]]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        rows = await conn.fetch(
            "SELECT envelope FROM outbox WHERE partition_key = $1 ORDER BY id", rid
        )
    finally:
        await conn.close()
    envelopes = [Envelope.from_bytes(bytes(r["envelope"])) for r in rows]
    return [e.payload for e in envelopes if e.event_type == "CheckInRecorded"]


async def test_a_remittance_travels_on_the_check_in_in_whole_dong_and_nothing_personal(
    desk: Desk,
) -> None:
    rid = await _abroad(desk, -60)
    body = {
        "checked_in_on": days(-1),
        "channel": "visit",
        "employment_status": "working",
        "wellbeing": "fair",
        "remittance_vnd": 25_500_000,
        "incidents": "Chủ sử dụng giữ hộ chiếu",
    }
    assert (await desk.post("commune", f"/registrations/{rid}/check-ins", body)).status_code == 200
    unknown = body | {"checked_in_on": days(0), "remittance_vnd": None, "incidents": None}
    assert (
        await desk.post("commune", f"/registrations/{rid}/check-ins", unknown)
    ).status_code == 200
    sent, not_known = await _check_in_events(desk, rid)
    assert sent["remittance_vnd"] == 25_500_000
    assert sent["incident_reported"] is True
    assert "hộ chiếu" not in json.dumps(sent, ensure_ascii=False)
    assert not_known["remittance_vnd"] is None


async def test_a_remittance_in_fractions_or_below_zero_is_refused(desk: Desk) -> None:
    rid = await _abroad(desk, -60)
    for bad in (-1, 1.5, "mười triệu"):
        body = {
            "checked_in_on": days(-1),
            "channel": "phone",
            "employment_status": "working",
            "wellbeing": "good",
            "remittance_vnd": bad,
        }
        answer = await desk.post("commune", f"/registrations/{rid}/check-ins", body)
        assert answer.status_code == 422, bad
    assert await _check_in_events(desk, rid) == []
