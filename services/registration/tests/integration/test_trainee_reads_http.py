"""The trainee reads the staff's screens use, through the HTTP API against the real database:
the list of one's trainees, the accent-insensitive search, one trainee's summary and a course's
trainees, each within the reader's communes or province."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of, registration_body

from .journey_desk import HOME, Desk, days, open_desk

ELSEWHERE = "29641"  # another commune of Vĩnh Long (86)


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        yield desk


def _trainer(desk: Desk) -> dict[str, str]:
    return desk.ns.auth(Role.TRAINING_STAFF, province="86", username="tt-gdnn-tinh")


async def _trainee(desk: Desk, full_name: str, commune: str = HOME, **extra: object) -> str:
    body = registration_body(full_name=full_name, commune_code=commune) | extra
    answer = await desk.client.post(
        f"{desk.url}/trainees", json=body, headers=officer_of(desk.ns, commune)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["trainee_id"])


async def _search(desk: Desk, body: dict[str, object], headers: dict[str, str]) -> httpx.Response:
    return await desk.client.post(f"{desk.url}/trainees/search", json=body, headers=headers)


async def test_a_name_typed_without_diacritics_finds_the_trainee_within_ones_communes(
    desk: Desk,
) -> None:
    word = "Thử" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])
    mine = await _trainee(desk, f"Đặng Thị {word} Ánh")
    theirs = await _trainee(desk, f"Đặng Thị {word} Ánh", commune=ELSEWHERE)
    folded = f"dang {word.replace('ử', 'u').lower()} ANH"
    found = await _search(desk, {"name": folded}, officer_of(desk.ns, HOME))
    assert found.status_code == 200, found.text
    assert [i["trainee_id"] for i in found.json()["items"]] == [mine]
    province = await _search(desk, {"name": folded}, desk.headers("labour"))
    assert {i["trainee_id"] for i in province.json()["items"]} == {mine, theirs}
    assert province.json()["total"] == 2
    nobody = await _search(desk, {"name": f"{folded} khong"}, desk.headers("labour"))
    assert nobody.json() == {"items": [], "page": 1, "page_size": 50, "total": 0}


async def test_a_trainee_is_found_by_cccd_and_the_list_pages_through_ones_communes(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    answer = await desk.client.post(
        f"{desk.url}/trainees", json=body, headers=officer_of(desk.ns, HOME)
    )
    tid = answer.json()["trainee_id"]
    found = await _search(desk, {"cccd": f" {body['cccd']} "}, officer_of(desk.ns, HOME))
    assert [i["trainee_id"] for i in found.json()["items"]] == [tid]
    await _trainee(desk, "Lê Văn Tám", commune=ELSEWHERE)
    await _trainee(desk, "Lê Thị Chín")  # a second of one's own, whatever other tests left
    first = await desk.client.get(
        f"{desk.url}/trainees", params={"page_size": 1}, headers=officer_of(desk.ns, HOME)
    )
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 1
    assert page["total"] >= 2
    everyone = await desk.client.get(
        f"{desk.url}/trainees", params={"page_size": 200}, headers=officer_of(desk.ns, HOME)
    )
    assert {i["commune_code"] for i in everyone.json()["items"]} == {HOME}
    past_the_end = await desk.client.get(
        f"{desk.url}/trainees", params={"page": 999}, headers=officer_of(desk.ns, HOME)
    )
    assert past_the_end.json()["items"] == []
    assert past_the_end.json()["total"] == page["total"]


async def test_the_summary_shows_the_support_facts_and_never_the_cccd_or_phone(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    answer = await desk.client.post(
        f"{desk.url}/trainees",
        json=body | {"support_groups": ["disability"], "other_state_support": "QD-12/2020"},
        headers=officer_of(desk.ns, HOME),
    )
    tid = answer.json()["trainee_id"]
    seen = await desk.client.get(f"{desk.url}/trainees/{tid}", headers=officer_of(desk.ns, HOME))
    assert seen.status_code == 200, seen.text
    summary = seen.json()
    assert summary["support_groups"] == ["disability"]
    assert summary["other_state_support"] == "QD-12/2020"
    assert summary["consents"]["registration_processing"] is True
    assert str(body["cccd"]) not in seen.text
    assert str(body["phone"])[-9:] not in seen.text
    elsewhere = await desk.client.get(
        f"{desk.url}/trainees/{tid}", headers=officer_of(desk.ns, ELSEWHERE)
    )
    assert elsewhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == "trainee_not_found"


async def test_an_erased_trainee_leaves_the_list_and_the_summary_says_so_without_failing(
    desk: Desk,
) -> None:
    name = "Quách Thị Xoá"
    tid = await _trainee(desk, name)
    officer = officer_of(desk.ns, HOME)
    erased = await desk.client.post(f"{desk.url}/trainees/{tid}/erasure", headers=officer)
    assert erased.status_code == 204, erased.text
    seen = await desk.client.get(f"{desk.url}/trainees/{tid}", headers=officer)
    assert seen.status_code == 200, seen.text
    summary = seen.json()
    assert summary["personal_data_erased"] is True
    assert summary["full_name"] is None
    assert summary["date_of_birth"] is None
    listed = await desk.client.get(
        f"{desk.url}/trainees", params={"page_size": 200}, headers=officer
    )
    assert tid not in {item["trainee_id"] for item in listed.json()["items"]}
    found = await _search(desk, {"name": name}, officer)
    assert found.status_code == 200, found.text
    assert found.json()["items"] == []


async def test_the_reminders_route_is_still_matched_before_a_trainee_s_id(desk: Desk) -> None:
    due = await desk.client.get(
        f"{desk.url}/trainees/outcomes-due", headers=officer_of(desk.ns, HOME)
    )
    assert due.status_code == 200, due.text
    assert isinstance(due.json(), list)


async def test_a_course_lists_its_trainees_with_attendance_and_result_within_scope(
    desk: Desk,
) -> None:
    course_id = await desk.course("vocational", capacity=10)
    courses = await desk.client.get(f"{desk.url}/courses", headers=desk.headers("labour"))
    code = next(c["code"] for c in courses.json() if c["id"] == course_id)
    home = await _trainee(desk, "Nguyễn Văn Hai")
    away = await _trainee(desk, "Trần Văn Ba", commune=ELSEWHERE)
    for tid in (home, away):
        answer = await desk.client.post(
            f"{desk.url}/trainees/{tid}/enrolments",
            json={"course_id": course_id, "distance_km": "16.5"},
            headers=_trainer(desk),
        )
        assert answer.status_code == 201, answer.text
    for n, present in enumerate((True, True, False)):
        await desk.client.post(
            f"{desk.url}/trainees/{home}/attendance",
            json={"course_id": course_id, "attended_on": days(-5 + n), "present": present},
            headers=_trainer(desk),
        )
    await desk.client.post(
        f"{desk.url}/trainees/{home}/training-results",
        json={"course_id": course_id, "passed": True, "certificate_number": f"SC-{home[:8]}"},
        headers=_trainer(desk),
    )
    listed = await desk.client.get(
        f"{desk.url}/courses/{code}/trainees", headers=desk.headers("labour")
    )
    assert listed.status_code == 200, listed.text
    lines = {ln["trainee_id"]: ln for ln in listed.json()}
    assert set(lines) == {home, away}
    assert lines[home]["days_present"] == 2
    assert lines[home]["days_absent"] == 1
    assert lines[home]["distance_km"] == "16.5"
    assert lines[home]["passed"] is True
    assert lines[home]["certificate_number"] == f"SC-{home[:8]}"
    assert lines[home]["last_attended_on"] == days(-3)
    commune_centre = await desk.client.get(
        f"{desk.url}/courses/{code}/trainees", headers=desk.headers("training")
    )
    assert [ln["trainee_id"] for ln in commune_centre.json()] == [home]
    commune_officer = await desk.client.get(
        f"{desk.url}/courses/{code}/trainees", headers=officer_of(desk.ns, HOME)
    )
    assert commune_officer.status_code == 403
    missing = await desk.client.get(
        f"{desk.url}/courses/KHONG-CO/trainees", headers=desk.headers("labour")
    )
    assert missing.status_code == 404


async def test_bad_search_input_gets_a_422_in_vietnamese_and_english(desk: Desk) -> None:
    blank = await _search(desk, {"name": " - "}, officer_of(desk.ns, HOME))
    assert blank.status_code == 422
    error = blank.json()["error"]
    assert error["fields"][0]["field"] == "name"
    assert error["fields"][0]["message_vi"]
    assert error["fields"][0]["message_en"]
    wrong = await _search(desk, {"cccd": "12"}, officer_of(desk.ns, HOME))
    assert wrong.status_code == 422
    extra = await desk.client.get(
        f"{desk.url}/trainees", params={"commune_code": "abc"}, headers=officer_of(desk.ns, HOME)
    )
    assert extra.status_code == 422
    loan = desk.ns.auth(Role.LOAN_OFFICER, branch="VBSP-86", username="tin-dung")
    assert (await desk.client.get(f"{desk.url}/trainees", headers=loan)).status_code == 403
