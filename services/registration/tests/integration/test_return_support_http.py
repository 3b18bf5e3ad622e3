"""The support owed after an early return through the HTTP API: the items of the cause, each
decided by the officer once, audited; nothing for a completed contract or another commune."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of

from .journey_desk import READY, Desk, days, open_desk


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


async def _support(desk: Desk, rid: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await desk.client.get(
        f"{desk.url}/registrations/{rid}/return-support",
        headers=headers or desk.headers("commune"),
    )


async def _audited(desk: Desk, rid: str) -> list[str]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        rows = await conn.fetch(
            """SELECT action FROM audit.audit_log
               WHERE entity_id = $1 AND action LIKE 'return_support.%' ORDER BY id""",
            rid,
        )
    finally:
        await conn.close()
    return [r["action"] for r in rows]


async def test_an_early_return_lists_its_support_and_each_item_is_decided_once(
    desk: Desk,
) -> None:
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule", "depart", "return_early")
    body = (await _support(desk, rid)).json()
    assert body["early_cause"] == "employer_bankruptcy_or_force_majeure"
    assert [(i["item_code"], i["status"]) for i in body["items"]] == [
        ("fund_support_early_return", "due"),
        ("wages_and_fees_settled", "due"),
        ("job_referral", "due"),
    ]
    path = f"/registrations/{rid}/return-support/fund_support_early_return"
    given = {"status": "given", "decided_on": days(-2), "amount_vnd": 10_000_000}
    first = await desk.post("commune", path, given)
    again = await desk.post("commune", path, given)
    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert (first.json()["changed"], again.json()["changed"]) == (True, False)
    refused = await desk.post(
        "labour", f"/registrations/{rid}/return-support/wages_and_fees_settled",
        {"status": "refused", "note": "Doanh nghiệp phá sản, không còn tài sản"},
    )  # fmt: skip
    assert refused.status_code == 200
    items = {i["item_code"]: i for i in (await _support(desk, rid)).json()["items"]}
    fund = items["fund_support_early_return"]
    assert (fund["status"], fund["amount_vnd"], fund["decided_on"]) == (
        "given",
        10_000_000,
        days(-2),
    )
    assert items["wages_and_fees_settled"]["status"] == "refused"
    assert items["job_referral"]["status"] == "due"
    assert await _audited(desk, rid) == ["return_support.given", "return_support.refused"]


async def test_given_support_cannot_be_undone_and_a_foreign_item_is_refused(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule", "depart", "return_early")
    path = f"/registrations/{rid}/return-support/job_referral"
    assert (await desk.post("commune", path, {"status": "given"})).status_code == 200
    undone = await desk.post("commune", path, {"status": "refused"})
    assert undone.status_code == 409
    assert undone.json()["error"]["code"] == "support_already_given"
    foreign = await desk.post(
        "commune", f"/registrations/{rid}/return-support/repatriation", {"status": "given"}
    )
    assert foreign.status_code == 422
    assert foreign.json()["error"]["message_vi"]
    negative = await desk.post(
        "commune",
        f"/registrations/{rid}/return-support/wages_and_fees_settled",
        {"status": "given", "amount_vnd": -1},
    )
    assert negative.status_code == 422
    assert await _audited(desk, rid) == ["return_support.given"]


async def test_a_completed_contract_owes_nothing_and_another_commune_sees_nothing(
    desk: Desk,
) -> None:
    completed, early = await desk.register(), await desk.register()
    await desk.walk(completed, *READY, "schedule", "depart", "return")
    await desk.walk(early, *READY, "schedule", "depart", "return_early")
    assert (await _support(desk, completed)).json()["items"] == []
    refused = await desk.post(
        "commune", f"/registrations/{completed}/return-support/job_referral", {"status": "given"}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "no_early_return")
    elsewhere = officer_of(desk.ns, "29641")
    assert (await _support(desk, early, elsewhere)).status_code == 404
