"""The yearly course plan (đặt hàng) through the HTTP API against the real database: labour
officers set and withdraw lines, courses are opened against them, and every change writes its
event and audit row with it (and a change that changes nothing writes neither)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of

from .journey_desk import HOME, Desk, days, open_desk
from .test_rural_training_http import ELSEWHERE, _fetch, _province_trainer, _trainee


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        yield desk


def _line(**changes: object) -> dict[str, Any]:
    return {
        "plan_year": 2027,
        "commune_code": HOME,
        "trade_code": "NTTS",
        "trade_title": "Nuôi trồng thuỷ sản",
        "institution": "Trường Trung cấp Kinh tế - Kỹ thuật Vĩnh Long",
        "places": 35,
        "planned_starts_on": "2027-03-01",
        "planned_ends_on": "2027-05-31",
        "budget_vnd": 105_000_000,
    } | changes


async def _put(desk: Desk, line_id: str, body: dict[str, Any], role: str = "labour") -> Any:
    return await desk.client.put(
        f"{desk.url}/course-plan/lines/{line_id}", json=body, headers=desk.headers(role)
    )


async def _plan(desk: Desk, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    answer = await desk.client.get(
        f"{desk.url}/course-plan", params={"year": 2027, **params}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = answer.json()["lines"]
    return lines


async def _events(desk: Desk, key: str) -> list[dict[str, Any]]:
    rows = await _fetch(
        desk, "SELECT envelope FROM outbox WHERE partition_key = $1 ORDER BY id", key
    )
    envelopes = [Envelope.from_bytes(bytes(r["envelope"])) for r in rows]
    return [{"type": e.event_type, **e.payload} for e in envelopes]


async def _audit(desk: Desk, line_id: str) -> list[str]:
    rows = await _fetch(
        desk,
        "SELECT action FROM audit.audit_log WHERE entity_type = 'course_plan_line' "
        "AND entity_id = $1 ORDER BY id",
        line_id,
    )
    return [r["action"] for r in rows]


async def _course(desk: Desk, **extra: object) -> httpx.Response:
    body = {
        "code": f"NGH-{uuid.uuid4().hex[:8]}",
        "course_type": "vocational",
        "title": "Nuôi tôm càng xanh",
        "provider": "Trường Trung cấp Kinh tế - Kỹ thuật Vĩnh Long",
        "venue": "Long Hồ",
        "starts_on": days(-10),
        "ends_on": days(30),
        "capacity": 30,
    } | extra
    return await desk.post("labour", "/courses", body)


async def test_a_line_is_set_once_however_often_it_is_sent_and_a_change_is_announced(
    desk: Desk,
) -> None:
    line_id = str(uuid.uuid4())
    first, again = await _put(desk, line_id, _line()), await _put(desk, line_id, _line())
    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert first.json() == again.json()
    assert first.json()["line_id"] == line_id
    assert first.json()["province_code"] == "86"
    assert len(await _events(desk, line_id)) == 1  # the retry changed nothing
    changed = await _put(desk, line_id, _line(places=40, budget_vnd=120_000_000))
    assert changed.status_code == 200, changed.text
    set_once, set_again = await _events(desk, line_id)
    assert set_once["type"] == set_again["type"] == "CoursePlanLineSet"
    assert (set_once["places"], set_again["places"]) == (35, 40)
    assert set_again["budget_vnd"] == 120_000_000
    assert (set_again["line_id"], set_again["trade_code"]) == (line_id, "NTTS")
    assert set_again["set_on"] == days(0)
    assert await _audit(desk, line_id) == ["course_plan.line_set", "course_plan.line_set"]
    (line,) = [
        ln for ln in await _plan(desk, officer_of(desk.ns, HOME)) if ln["line_id"] == line_id
    ]
    assert (line["places"], line["places_taken"], line["courses"]) == (40, 0, [])


async def test_courses_opened_for_a_line_count_its_places_and_carry_its_trade(
    desk: Desk,
) -> None:
    line_id = str(uuid.uuid4())
    assert (await _put(desk, line_id, _line())).status_code == 200
    opened = await _course(desk, trade_code="NTTS", plan_line_id=line_id)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["trade_code"], opened.json()["plan_line_id"]) == ("NTTS", line_id)
    course_id = opened.json()["id"]
    tid = await _trainee(desk)
    enrolled = await desk.client.post(
        f"{desk.url}/trainees/{tid}/enrolments",
        json={"course_id": course_id, "distance_km": "4"},
        headers=_province_trainer(desk),
    )
    assert enrolled.status_code == 201, enrolled.text
    (line,) = [ln for ln in await _plan(desk, desk.headers("labour")) if ln["line_id"] == line_id]
    assert line["places_taken"] == 1
    assert [(c["course_id"], c["places_taken"]) for c in line["courses"]] == [(course_id, 1)]
    event = (await _events(desk, tid))[-1]
    assert event["type"] == "TraineeEnrolled"
    assert (event["trade_code"], event["plan_line_id"]) == ("NTTS", line_id)
    moved = await _put(desk, line_id, _line(trade_code="MAY"))
    assert moved.status_code == 409, moved.text  # courses already rely on its trade


async def test_a_course_must_match_a_live_line_it_names(desk: Desk) -> None:
    line_id = str(uuid.uuid4())
    assert (await _put(desk, line_id, _line())).status_code == 200
    wrong_trade = await _course(desk, trade_code="MAY", plan_line_id=line_id)
    assert wrong_trade.status_code == 422, wrong_trade.text
    assert {f["field"] for f in wrong_trade.json()["error"]["fields"]} == {"trade_code"}
    unknown = await _course(desk, trade_code="NTTS", plan_line_id=str(uuid.uuid4()))
    assert unknown.status_code == 422, unknown.text
    not_vocational = await _course(
        desk, course_type="orientation", trade_code="NTTS", plan_line_id=line_id
    )
    assert not_vocational.status_code == 422, not_vocational.text
    withdrawn = await desk.post("labour", f"/course-plan/lines/{line_id}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    late = await _course(desk, trade_code="NTTS", plan_line_id=line_id)
    assert late.status_code == 409, late.text
    assert late.json()["error"]["message_vi"]
    plain = await _course(desk, trade_code="NTTS")
    assert plain.status_code == 201, plain.text  # a trade without a plan line is fine


async def test_withdrawing_a_line_is_announced_once_and_it_cannot_be_set_again(
    desk: Desk,
) -> None:
    line_id = str(uuid.uuid4())
    assert (await _put(desk, line_id, _line())).status_code == 200
    first = await desk.post("labour", f"/course-plan/lines/{line_id}/withdraw")
    again = await desk.post("labour", f"/course-plan/lines/{line_id}/withdraw")
    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert first.json() == again.json()
    assert first.json()["withdrawn_on"] == days(0)
    kinds = [e["type"] for e in await _events(desk, line_id)]
    assert kinds == ["CoursePlanLineSet", "CoursePlanLineWithdrawn"]
    assert await _audit(desk, line_id) == ["course_plan.line_set", "course_plan.line_withdrawn"]
    revived = await _put(desk, line_id, _line())
    assert revived.status_code == 409, revived.text
    unknown = await desk.post("labour", f"/course-plan/lines/{uuid.uuid4()}/withdraw")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"planned_ends_on": "2027-02-01"}, "planned_ends_on"),
        ({"planned_starts_on": "2026-12-01"}, "planned_starts_on"),
        ({"planned_ends_on": "2029-01-10"}, "planned_ends_on"),
        ({"places": 0}, "places"),
        ({"places": "35"}, "places"),
        ({"budget_vnd": 1.5}, "budget_vnd"),
        ({"budget_vnd": -1}, "budget_vnd"),
        ({"plan_year": "2027"}, "plan_year"),
        ({"planned_starts_on": 0}, "planned_starts_on"),
        ({"trade_title": "Nuôi\x00cá"}, "trade_title"),
        ({"trade_code": "nghề cá"}, "trade_code"),
        ({"commune_code": "99999"}, "commune_code"),
        ({"surprise": True}, "surprise"),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else "-".join(map(str, v)),
)
async def test_bad_plan_lines_get_a_422_in_vietnamese_and_change_nothing(
    desk: Desk, change: dict[str, object], field: str
) -> None:
    line_id = str(uuid.uuid4())
    answer = await _put(desk, line_id, _line(**change))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["message_vi"]
    assert error["message_en"]
    assert any(field in f["field"] for f in error["fields"]), error
    assert await _events(desk, line_id) == []
    assert await _audit(desk, line_id) == []


async def test_plan_lines_are_set_and_seen_only_within_ones_scope(desk: Desk) -> None:
    line_id = str(uuid.uuid4())
    other_province = desk.ns.auth(Role.LABOUR_OFFICER, province="87")
    outside = await desk.client.put(
        f"{desk.url}/course-plan/lines/{line_id}", json=_line(), headers=other_province
    )
    assert outside.status_code == 403, outside.text
    assert outside.json()["error"]["message_vi"]
    commune = await _put(desk, line_id, _line(), role="commune")
    assert commune.status_code == 403
    assert (await _put(desk, line_id, _line())).status_code == 200
    mine = await _plan(desk, officer_of(desk.ns, HOME), commune_code=HOME)
    assert line_id in {ln["line_id"] for ln in mine}
    for stranger in (officer_of(desk.ns, ELSEWHERE), other_province):
        assert line_id not in {ln["line_id"] for ln in await _plan(desk, stranger)}
    foreign_withdraw = await desk.client.post(
        f"{desk.url}/course-plan/lines/{line_id}/withdraw", headers=other_province
    )
    assert foreign_withdraw.status_code == 404
    no_year = await desk.client.get(f"{desk.url}/course-plan", headers=desk.headers("labour"))
    assert no_year.status_code == 422


async def test_a_new_line_sent_several_times_at_once_is_set_and_announced_once(
    desk: Desk,
) -> None:
    line_id = str(uuid.uuid4())
    answers = await asyncio.gather(*(_put(desk, line_id, _line()) for _ in range(4)))
    assert {a.status_code for a in answers} == {200}
    assert [e["type"] for e in await _events(desk, line_id)] == ["CoursePlanLineSet"]
    assert await _audit(desk, line_id) == ["course_plan.line_set"]
