"""Success stories through the HTTP API: only for a completed contract and with the worker's
consent; a radio text and a printable page; withdrawing the consent removes the story."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of

from .journey_desk import READY, Desk, open_desk


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


STORY = {
    "job": "lắp ráp linh kiện điện tử <b>",
    "savings_vnd": 300_000_000,
    "after_return": "anh mở xưởng sửa chữa máy nông nghiệp, thuê 3 lao động địa phương",
}


async def _consent(desk: Desk, rid: str, granted: bool) -> None:
    body = {"purpose": "success_story", "granted": granted, "consent_text_version": "v1"}
    answer = await desk.post("commune", f"/registrations/{rid}/consents", body)
    assert answer.status_code == 204, answer.text


async def _write(desk: Desk, rid: str) -> httpx.Response:
    return await desk.client.put(
        f"{desk.url}/registrations/{rid}/success-story",
        json=STORY,
        headers=desk.headers("commune"),
    )


async def _get(desk: Desk, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await desk.client.get(f"{desk.url}{path}", headers=headers or desk.headers("commune"))


async def _completed(desk: Desk) -> str:
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule", "depart", "return")
    return rid


async def test_a_story_appears_only_with_consent_and_goes_when_the_consent_is_withdrawn(
    desk: Desk,
) -> None:
    rid = await _completed(desk)
    refused = await _write(desk, rid)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "missing_story_consent")

    await _consent(desk, rid, True)
    written = await _write(desk, rid)
    assert written.status_code == 200, written.text
    radio = written.json()["radio_text_vi"]
    assert "tiết kiệm được 300.000.000 đồng" in radio
    assert "mở xưởng sửa chữa máy nông nghiệp" in radio
    assert written.json()["term_months"] == 36
    shown = (await _get(desk, f"/registrations/{rid}/success-story")).json()["story"]
    assert shown["radio_text_vi"] == radio
    page = await _get(desk, f"/registrations/{rid}/success-story/print")
    assert page.status_code == 200
    assert "&lt;b&gt;" in page.text
    assert "<b>" not in page.text.split("<body>")[1], "every value is escaped"
    listed = await _get(desk, "/success-stories")
    assert rid in {s["registration_id"] for s in listed.json()}

    await _consent(desk, rid, False)
    gone = await _get(desk, f"/registrations/{rid}/success-story")
    assert (gone.status_code, gone.json()["story"]) == (200, None)
    printed = await _get(desk, f"/registrations/{rid}/success-story/print")
    assert "Không có câu chuyện thành công" in printed.text
    assert "xưởng" not in printed.text
    assert rid not in {s["registration_id"] for s in (await _get(desk, "/success-stories")).json()}
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        kept = await conn.fetchval(
            "SELECT count(*) FROM success_story WHERE registration_id = $1", uuid.UUID(rid)
        )
    finally:
        await conn.close()
    assert kept == 0, "the story itself is deleted, not only hidden"

    await _consent(desk, rid, True)
    again = await _get(desk, f"/registrations/{rid}/success-story")
    assert again.json()["story"] is None, "a consent given again does not bring it back"


async def test_only_a_completed_contract_has_a_story_and_only_in_scope(desk: Desk) -> None:
    early = await desk.register()
    await desk.walk(early, *READY, "schedule", "depart", "return_early")
    await _consent(desk, early, True)
    refused = await _write(desk, early)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "story_needs_completed_contract"

    rid = await _completed(desk)
    await _consent(desk, rid, True)
    assert (await _write(desk, rid)).status_code == 200
    elsewhere = officer_of(desk.ns, "29641")
    assert (await _get(desk, f"/registrations/{rid}/success-story", elsewhere)).status_code == 404
    assert (await _get(desk, "/success-stories", elsewhere)).json() == []
