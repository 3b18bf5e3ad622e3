"""Rural vocational training for people who stay, through the HTTP API against the real
database: trainees without a labour-export file, Decision 46/2015 support paid once per person,
and one history per person."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of, registration_body

from .journey_desk import HOME, Desk, days, open_desk

ELSEWHERE = "29641"  # another commune of Vĩnh Long (86)


@pytest.fixture(scope="module")
async def shared_desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        yield desk


@pytest.fixture
async def desk(shared_desk: Desk) -> Desk:
    return shared_desk


def _province_trainer(desk: Desk) -> dict[str, str]:
    return desk.ns.auth(Role.TRAINING_STAFF, province="86", username="tt-gdnn-tinh")


async def _trainee(
    desk: Desk, commune: str = HOME, body: dict[str, object] | None = None, **extra: object
) -> str:
    body = (body or registration_body(commune_code=commune)) | extra
    answer = await desk.client.post(
        f"{desk.url}/trainees", json=body, headers=officer_of(desk.ns, commune)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["trainee_id"])


async def _course(desk: Desk, tuition: int = 8_000_000, **terms: object) -> tuple[str, str]:
    course_id = await desk.course("vocational", capacity=40)
    courses = await desk.client.get(f"{desk.url}/courses", headers=desk.headers("labour"))
    code = next(c["code"] for c in courses.json() if c["id"] == course_id)
    answer = await desk.client.put(
        f"{desk.url}/courses/{code}/support-terms",
        json={"tuition_vnd": tuition, **terms},
        headers=desk.headers("labour"),
    )
    assert answer.status_code == 200, answer.text
    return course_id, code


async def _train(
    desk: Desk, tid: str, course_id: str, *, km: str = "0", present: int = 3, absent: int = 0
) -> None:
    trainer = _province_trainer(desk)
    base = f"{desk.url}/trainees/{tid}"
    enrolled = await desk.client.post(
        f"{base}/enrolments", json={"course_id": course_id, "distance_km": km}, headers=trainer
    )
    assert enrolled.status_code == 201, enrolled.text
    for n in range(present + absent):
        answer = await desk.client.post(
            f"{base}/attendance",
            json={"course_id": course_id, "attended_on": days(-9 + n), "present": n < present},
            headers=trainer,
        )
        assert answer.status_code == 204, answer.text


async def _sheet(desk: Desk, code: str) -> dict[str, object]:
    answer = await desk.client.get(
        f"{desk.url}/courses/{code}/support-sheet", headers=desk.headers("labour")
    )
    assert answer.status_code == 200, answer.text
    sheet: dict[str, object] = answer.json()
    return sheet


def _line(sheet: dict[str, object], tid: str) -> dict[str, object]:
    lines = sheet["lines"]
    assert isinstance(lines, list)
    return next(ln for ln in lines if ln["trainee_id"] == tid)


async def _pay(desk: Desk, code: str, key: str | None = None) -> httpx.Response:
    headers = desk.headers("labour") | {"Idempotency-Key": key or f"pay-{uuid.uuid4()}"}
    return await desk.client.post(
        f"{desk.url}/courses/{code}/support-payments",
        json={"paid_on": days(0)},
        headers=headers,
    )


async def _fetch(desk: Desk, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def test_a_trainee_with_no_labour_export_file_is_enrolled_attends_and_passes(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    course_id, _ = await _course(desk)
    await _train(desk, tid, course_id, present=2, absent=1)
    result = await desk.client.post(
        f"{desk.url}/trainees/{tid}/training-results",
        json={"course_id": course_id, "passed": True, "certificate_number": f"SC-{tid[:8]}"},
        headers=_province_trainer(desk),
    )
    assert result.status_code == 200, result.text
    history = await desk.client.get(
        f"{desk.url}/trainees/{tid}/history", headers=officer_of(desk.ns, HOME)
    )
    assert history.status_code == 200, history.text
    (course,) = history.json()["courses"]
    assert (course["course_id"], course["days_present"], course["passed"]) == (course_id, 2, True)
    assert history.json()["labour_export_files"] == []
    files = await _fetch(
        desk,
        """SELECT r.id FROM registration r JOIN trainee t
             ON t.cccd_blind_index = r.cccd_blind_index WHERE t.id = $1""",
        uuid.UUID(tid),
    )
    assert files == []  # no labour-export file was needed, and none was opened
    actions = await _fetch(
        desk,
        "SELECT action FROM audit.audit_log WHERE entity_type = 'trainee' AND entity_id = $1",
        tid,
    )
    assert {a["action"] for a in actions} == {
        "trainee.registered",
        "trainee.enrolled",
        "trainee.attendance_recorded",
        "trainee.course_completed",
    }


async def test_the_support_for_a_person_in_two_groups_is_the_higher_level(desk: Desk) -> None:
    tid = await _trainee(desk, support_groups=["near_poor_household", "disability"])
    course_id, code = await _course(desk, tuition=8_000_000)
    await _train(desk, tid, course_id, km="6", present=3)
    line = _line(await _sheet(desk, code), tid)
    # 6 million (disability, not 2.5 + 6), 3 days of meals, disability travel from 5 km.
    assert (line["cost_vnd"], line["meals_vnd"], line["travel_vnd"]) == (6_000_000, 90_000, 300_000)
    assert line["total_vnd"] == 6_390_000
    assert line["status"] == "due"


async def test_meals_follow_attendance_days_and_travel_follows_the_distance_thresholds(
    desk: Desk,
) -> None:
    near, far = await _trainee(desk), await _trainee(desk)
    difficult = await _trainee(desk, difficult_commune=True)
    course_id, code = await _course(desk, tuition=1_500_000)
    await _train(desk, near, course_id, km="14.9", present=4, absent=2)
    await _train(desk, far, course_id, km="15", present=1, absent=5)
    await _train(desk, difficult, course_id, km="5", present=6)
    sheet = await _sheet(desk, code)
    got = {
        t: (_line(sheet, t)["meals_vnd"], _line(sheet, t)["travel_vnd"])
        for t in (near, far, difficult)
    }
    assert got == {near: (120_000, 0), far: (30_000, 200_000), difficult: (180_000, 300_000)}
    assert _line(sheet, near)["cost_vnd"] == 1_500_000  # the course costs less than the maximum


async def test_recording_the_payment_twice_with_one_key_pays_once(desk: Desk) -> None:
    tid = await _trainee(desk)
    course_id, code = await _course(desk)
    await _train(desk, tid, course_id, present=2)
    first, again = (
        await _pay(desk, code, key="bang-ke-001"),
        await _pay(desk, code, key="bang-ke-001"),
    )
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert first.json()["total_vnd"] == 2_000_000 + 60_000
    assert _line(await _sheet(desk, code), tid)["status"] == "paid"
    payments = await _fetch(
        desk, "SELECT id FROM support_payment WHERE course_id = $1", uuid.UUID(course_id)
    )
    assert len(payments) == 1
    without_key = await desk.client.post(
        f"{desk.url}/courses/{code}/support-payments",
        json={"paid_on": days(0)},
        headers=desk.headers("labour"),
    )
    assert without_key.status_code == 422
    error = without_key.json()["error"]
    assert error["message_vi"]
    assert error["message_en"]


async def test_a_second_course_for_the_same_person_gets_no_second_support_across_communes(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    first_id, first = await _course(desk)
    second_id, second = await _course(desk)
    await _train(desk, tid, first_id, present=2)
    assert (await _pay(desk, first)).status_code == 201
    # The same person, taken in again by another commune's officer, is the same trainee.
    again = await desk.client.post(
        f"{desk.url}/trainees",
        json=body | {"commune_code": ELSEWHERE},
        headers=officer_of(desk.ns, ELSEWHERE),
    )
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "duplicate_trainee"
    await _train(desk, tid, second_id, present=5)
    assert _line(await _sheet(desk, second), tid)["status"] == "already_supported"
    other = await _trainee(desk, commune=ELSEWHERE)
    await _train(desk, other, second_id, present=1)
    paid = await _pay(desk, second)
    assert paid.status_code == 201, paid.text
    assert [ln["trainee_id"] for ln in paid.json()["lines"]] == [other]
    assert (
        len(
            await _fetch(
                desk, "SELECT 1 FROM support_payment_line WHERE trainee_id = $1", uuid.UUID(tid)
            )
        )
        == 1
    )


async def test_a_person_another_state_policy_already_paid_for_gets_no_support(desk: Desk) -> None:
    tid = await _trainee(desk, other_state_support="DE-AN-1956-TINH")
    course_id, code = await _course(desk)
    await _train(desk, tid, course_id, present=3)
    assert _line(await _sheet(desk, code), tid)["status"] == "already_supported"
    refused = await _pay(desk, code)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "nothing_to_pay"


async def test_a_second_course_gets_no_second_support_under_concurrent_requests(
    desk: Desk,
) -> None:
    people = [await _trainee(desk) for _ in range(4)]
    courses = [await _course(desk) for _ in range(3)]
    for tid in people:
        for course_id, _ in courses:
            await _train(desk, tid, course_id, present=2)
    answers = await asyncio.gather(*(_pay(desk, code) for _, code in courses for _ in range(2)))
    assert {a.status_code for a in answers} <= {201, 409}
    paid = [ln["trainee_id"] for a in answers if a.status_code == 201 for ln in a.json()["lines"]]
    assert sorted(paid) == sorted(people)  # each person exactly once
    rows = await _fetch(
        desk,
        "SELECT trainee_id FROM support_payment_line WHERE trainee_id = ANY($1::uuid[])",
        [uuid.UUID(p) for p in people],
    )
    assert sorted(str(r["trainee_id"]) for r in rows) == sorted(people)
    events = await _fetch(
        desk,
        "SELECT envelope FROM outbox WHERE event_type = 'TrainingSupportPaid' "
        "AND partition_key = ANY($1::text[])",
        people,
    )
    assert sorted(
        str(Envelope.from_bytes(bytes(e["envelope"])).registration_id) for e in events
    ) == sorted(people)


async def test_the_support_paid_event_carries_no_cccd_or_phone(desk: Desk) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    course_id, code = await _course(desk)
    await _train(desk, tid, course_id, present=1)
    assert (await _pay(desk, code)).status_code == 201
    (row,) = await _fetch(
        desk,
        "SELECT envelope FROM outbox WHERE partition_key = $1 "
        "AND event_type = 'TrainingSupportPaid'",
        tid,
    )
    raw = bytes(row["envelope"])
    envelope = Envelope.from_bytes(raw)
    assert envelope.event_type == "TrainingSupportPaid"
    assert envelope.payload["total_vnd"] == 2_030_000
    for secret in (str(body["cccd"]), str(body["phone"])[1:], str(body["full_name"])):
        assert secret.encode() not in raw


async def test_the_support_sheet_is_exported_to_xlsx_for_printing(desk: Desk) -> None:
    tid = await _trainee(desk, full_name="Trần Thị Bông")
    course_id, code = await _course(desk, tuition=3_000_000)
    await _train(desk, tid, course_id, present=2, km="20")
    answer = await desk.client.get(
        f"{desk.url}/courses/{code}/support-sheet",
        params={"format": "xlsx"},
        headers=desk.headers("training"),
    )
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    line = next(r for r in rows if r[2] == tid)
    assert line[1] == "Trần Thị Bông"
    assert line[6:10] == [2_000_000, 60_000, 200_000, 2_260_000]
    assert rows[-1][9] == 2_260_000


async def test_a_trainee_who_later_registers_to_go_abroad_keeps_one_history(desk: Desk) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    course_id, _ = await _course(desk)
    await _train(desk, tid, course_id, present=2)
    registered = await desk.client.post(
        f"{desk.url}/registrations", json=body, headers=officer_of(desk.ns, HOME)
    )
    assert registered.status_code == 201, registered.text
    rid = registered.json()["registration_id"]
    history = await desk.client.get(
        f"{desk.url}/trainees/{tid}/history", headers=desk.headers("labour")
    )
    assert [f["registration_id"] for f in history.json()["labour_export_files"]] == [rid]
    at_home = await desk.client.get(
        f"{desk.url}/registrations/{rid}/rural-training", headers=officer_of(desk.ns, HOME)
    )
    assert at_home.status_code == 200, at_home.text
    assert at_home.json()["trainee_id"] == tid
    assert [c["course_id"] for c in at_home.json()["courses"]] == [course_id]


async def test_bad_trainee_input_gets_a_422_in_vietnamese_and_english(desk: Desk) -> None:
    bad = registration_body(commune_code=HOME, cccd="123", support_groups=["astronaut"])
    answer = await desk.client.post(
        f"{desk.url}/trainees", json=bad, headers=officer_of(desk.ns, HOME)
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["message_vi"]
    assert error["message_en"]
    invalid_cccd = registration_body(
        commune_code=HOME, cccd="086300123456"
    )  # a woman's century digit
    answer = await desk.client.post(
        f"{desk.url}/trainees", json=invalid_cccd, headers=officer_of(desk.ns, HOME)
    )
    assert answer.status_code == 422, answer.text
    assert {f["field"] for f in answer.json()["error"]["fields"]} == {"cccd"}
    tid = await _trainee(desk)
    course_id, _ = await _course(desk)
    far = await desk.client.post(
        f"{desk.url}/trainees/{tid}/enrolments",
        json={"course_id": course_id, "distance_km": -1},
        headers=_province_trainer(desk),
    )
    assert far.status_code == 422
    assert far.json()["error"]["message_en"]


async def test_trainees_are_seen_and_taken_in_only_within_ones_communes(desk: Desk) -> None:
    elsewhere = officer_of(desk.ns, ELSEWHERE)
    outside = await desk.client.post(
        f"{desk.url}/trainees", json=registration_body(commune_code=HOME), headers=elsewhere
    )
    assert outside.status_code == 403
    tid = await _trainee(desk)
    history = await desk.client.get(f"{desk.url}/trainees/{tid}/history", headers=elsewhere)
    unknown = await desk.client.get(
        f"{desk.url}/trainees/{uuid.uuid4()}/history", headers=elsewhere
    )
    assert history.status_code == unknown.status_code == 404
    assert history.json() == unknown.json()
    course_id, _ = await _course(desk)
    foreign_trainer = desk.ns.auth(Role.TRAINING_STAFF, communes=(ELSEWHERE,))
    refused = await desk.client.post(
        f"{desk.url}/trainees/{tid}/enrolments",
        json={"course_id": course_id, "distance_km": "1"},
        headers=foreign_trainer,
    )
    assert refused.status_code == 404


async def test_trainees_who_stay_and_workers_going_abroad_share_a_courses_places(
    desk: Desk,
) -> None:
    course_id = await desk.course("vocational", capacity=1)
    await _train(desk, await _trainee(desk), course_id, present=0)
    rid = await desk.register()
    await desk.walk(rid, "eligible")
    full = await desk.post("training", f"/registrations/{rid}/enrolments", {"course_id": course_id})
    assert full.status_code == 409, full.text
    assert full.json()["error"]["code"] == "course_refused"


async def _outcome(desk: Desk, tid: str, body: dict[str, object]) -> httpx.Response:
    return await desk.client.post(
        f"{desk.url}/trainees/{tid}/employment-outcomes",
        json=body,
        headers=officer_of(desk.ns, HOME),
    )


async def test_the_commune_records_employment_after_training_and_went_abroad_names_the_file(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    course_id, _ = await _course(desk)
    await _train(desk, tid, course_id, present=2)
    too_soon = await _outcome(
        desk, tid, {"course_id": course_id, "outcome": "own_business", "observed_on": days(0)}
    )
    assert too_soon.status_code == 422, too_soon.text
    result = await desk.client.post(
        f"{desk.url}/trainees/{tid}/training-results",
        json={"course_id": course_id, "passed": True, "completed_on": days(-2)},
        headers=_province_trainer(desk),
    )
    assert result.status_code == 200, result.text
    first = await _outcome(
        desk, tid, {"course_id": course_id, "outcome": "no_work_yet", "observed_on": days(-1)}
    )
    assert first.status_code == 200, first.text
    someone_else = await desk.register()
    wrong_file = await _outcome(
        desk,
        tid,
        {
            "course_id": course_id,
            "outcome": "went_abroad",
            "observed_on": days(0),
            "registration_id": someone_else,
        },
    )
    assert wrong_file.status_code == 422
    assert {f["field"] for f in wrong_file.json()["error"]["fields"]} == {"registration_id"}
    own = await desk.client.post(
        f"{desk.url}/registrations", json=body, headers=officer_of(desk.ns, HOME)
    )
    rid = own.json()["registration_id"]
    abroad = await _outcome(
        desk,
        tid,
        {
            "course_id": course_id,
            "outcome": "went_abroad",
            "observed_on": days(0),
            "registration_id": rid,
        },
    )
    assert abroad.status_code == 200, abroad.text
    history = await desk.client.get(
        f"{desk.url}/trainees/{tid}/history", headers=officer_of(desk.ns, HOME)
    )
    (course,) = history.json()["courses"]
    assert course["employment_outcome"] == "went_abroad"
    trail = await _fetch(
        desk,
        """SELECT changes FROM audit.audit_log WHERE entity_id = $1
           AND action = 'trainee.outcome_recorded' ORDER BY id""",
        tid,
    )
    assert len(trail) == 2  # the correction keeps what it was in the trail


async def test_the_officer_is_reminded_of_outcomes_that_are_due_and_not_of_recorded_ones(
    desk: Desk,
) -> None:
    waiting, recorded, unfinished = await _trainee(desk), await _trainee(desk), await _trainee(desk)
    course_id, code = await _course(desk)
    for tid in (waiting, recorded, unfinished):
        await _train(desk, tid, course_id, present=1)
    for tid in (waiting, recorded):
        done = await desk.client.post(
            f"{desk.url}/trainees/{tid}/training-results",
            json={"course_id": course_id, "passed": True, "completed_on": days(-1)},
            headers=_province_trainer(desk),
        )
        assert done.status_code == 200, done.text
    answer = await _outcome(
        desk, recorded, {"course_id": course_id, "outcome": "work_in_trade", "observed_on": days(0)}
    )
    assert answer.status_code == 200, answer.text
    due = await desk.client.get(
        f"{desk.url}/trainees/outcomes-due", headers=officer_of(desk.ns, HOME)
    )
    assert due.status_code == 200, due.text
    mine = [d for d in due.json() if d["course_code"] == code]
    assert [d["trainee_id"] for d in mine] == [waiting]
    elsewhere = await desk.client.get(
        f"{desk.url}/trainees/outcomes-due", headers=officer_of(desk.ns, ELSEWHERE)
    )
    assert [d for d in elsewhere.json() if d["course_code"] == code] == []
