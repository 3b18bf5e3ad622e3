"""Erasing a trainee's personal data on request, against the real database: the person goes,
the legal record of support paid (and the once-per-person mark) stays, and the erasure is
announced in the outbox with its audit row."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import officer_of, registration_body

from .journey_desk import HOME, Desk, days, open_desk
from .test_rural_training_http import (
    ELSEWHERE,
    _course,
    _fetch,
    _line,
    _pay,
    _province_trainer,
    _sheet,
    _train,
    _trainee,
)


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        yield desk


async def _erase(desk: Desk, tid: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await desk.client.post(
        f"{desk.url}/trainees/{tid}/erasure", headers=headers or officer_of(desk.ns, HOME)
    )


async def _result(desk: Desk, tid: str, course_id: str, certificate: str | None) -> None:
    answer = await desk.client.post(
        f"{desk.url}/trainees/{tid}/training-results",
        json={
            "course_id": course_id,
            "passed": True,
            "certificate_number": certificate,
            "completed_on": days(-1),
        },
        headers=_province_trainer(desk),
    )
    assert answer.status_code == 200, answer.text


async def test_erasure_removes_the_person_and_keeps_the_support_paid_and_the_once_mark(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME, hamlet="Ấp Phước Yên")
    tid = await _trainee(desk, body=body)
    course_id, code = await _course(desk)
    await _train(desk, tid, course_id, present=2)
    await _result(desk, tid, course_id, f"SC-{tid[:8]}")
    assert (await _pay(desk, code)).status_code == 201
    erased = await _erase(desk, tid)
    assert erased.status_code == 204, erased.text
    (row,) = await _fetch(desk, "SELECT * FROM trainee WHERE id = $1", uuid.UUID(tid))
    personal = (
        "full_name",
        "cccd_ciphertext",
        "cccd_blind_index",
        "date_of_birth",
        "gender",
        "phone_ciphertext",
        "ethnicity_ciphertext",
        "poverty_ciphertext",
        "hamlet",
    )
    assert {k: row[k] for k in personal} == dict.fromkeys(personal)
    assert row["erased_at"] is not None
    certificates = await _fetch(
        desk, "SELECT certificate_number FROM trainee_enrolment WHERE trainee_id = $1", row["id"]
    )
    assert [c["certificate_number"] for c in certificates] == [None]
    kept = await _fetch(
        desk,
        """SELECT s.person_index, l.cost_vnd + l.meals_vnd + l.travel_vnd AS total
           FROM training_support_once s JOIN support_payment_line l
             ON l.payment_id = s.payment_id AND l.trainee_id = s.trainee_id
           WHERE s.trainee_id = $1""",
        row["id"],
    )
    assert [bool(k["person_index"]) for k in kept] == [True]
    assert [k["total"] for k in kept] == [2_060_000]
    line = _line(await _sheet(desk, code), tid)
    assert (line["status"], line["total_vnd"]) == ("paid", 2_060_000)
    assert str(body["full_name"]) not in str(line["full_name"])
    history = await desk.client.get(
        f"{desk.url}/trainees/{tid}/history", headers=officer_of(desk.ns, HOME)
    )
    assert history.status_code == 200, history.text
    assert history.json()["personal_data_erased"] is True
    assert history.json()["full_name"] is None
    assert history.json()["support"]["kind"] == "paid"


async def test_erasure_is_announced_once_and_audited_without_the_persons_data(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    assert (await _erase(desk, tid)).status_code == 204
    again = await _erase(desk, tid)
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "erasure_refused"
    rows = await _fetch(
        desk,
        "SELECT event_type, envelope FROM outbox WHERE partition_key = $1 ORDER BY id",
        tid,
    )
    assert [r["event_type"] for r in rows] == ["TraineeRegistered", "TraineePersonalDataErased"]
    envelope = Envelope.from_bytes(bytes(rows[-1]["envelope"]))
    assert str(envelope.registration_id) == tid
    assert envelope.payload["erased_on"] == days(0)
    trail = await _fetch(
        desk,
        """SELECT changes::text AS changes FROM audit.audit_log
           WHERE entity_id = $1 AND action = 'trainee.personal_data_erased'""",
        tid,
    )
    assert len(trail) == 1
    for secret in (str(body["cccd"]), str(body["phone"])[1:], str(body["full_name"])):
        assert secret not in trail[0]["changes"]


async def test_an_erased_trainee_takes_no_further_step_and_leaves_sheets_and_reminders(
    desk: Desk,
) -> None:
    tid = await _trainee(desk)
    course_id, code = await _course(desk)
    await _train(desk, tid, course_id, present=2)
    await _result(desk, tid, course_id, None)
    assert (await _erase(desk, tid)).status_code == 204
    attended = await desk.client.post(
        f"{desk.url}/trainees/{tid}/attendance",
        json={"course_id": course_id, "attended_on": days(-2), "present": True},
        headers=_province_trainer(desk),
    )
    assert attended.status_code == 409, attended.text
    assert attended.json()["error"]["code"] == "trainee_erased"
    assert attended.json()["error"]["message_vi"]
    outcome = await desk.client.post(
        f"{desk.url}/trainees/{tid}/employment-outcomes",
        json={"course_id": course_id, "outcome": "own_business", "observed_on": days(0)},
        headers=officer_of(desk.ns, HOME),
    )
    assert outcome.status_code == 409, outcome.text
    sheet = await _sheet(desk, code)
    lines = sheet["lines"]
    assert isinstance(lines, list)
    assert tid not in {ln["trainee_id"] for ln in lines}  # nobody is paid whose identity is gone
    due = await desk.client.get(
        f"{desk.url}/trainees/outcomes-due", headers=officer_of(desk.ns, HOME)
    )
    assert tid not in {d["trainee_id"] for d in due.json()}


async def test_the_same_person_taken_in_again_after_erasure_is_not_supported_twice(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    first_id, first = await _course(desk)
    await _train(desk, tid, first_id, present=2)
    assert (await _pay(desk, first)).status_code == 201
    assert (await _erase(desk, tid)).status_code == 204
    back = await _trainee(desk, body=body)  # a new trainee: nothing of the old one is left
    assert back != tid
    second_id, second = await _course(desk)
    await _train(desk, back, second_id, present=3)
    assert _line(await _sheet(desk, second), back)["status"] == "already_supported"


async def test_erasure_is_for_officers_of_the_trainees_commune_or_province(desk: Desk) -> None:
    tid = await _trainee(desk)
    foreign = await _erase(desk, tid, officer_of(desk.ns, ELSEWHERE))
    unknown = await _erase(desk, str(uuid.uuid4()), officer_of(desk.ns, ELSEWHERE))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
    trainer = await _erase(desk, tid, _province_trainer(desk))
    assert trainer.status_code == 403
    other_province = desk.ns.auth(Role.LABOUR_OFFICER, province="87")
    assert (await _erase(desk, tid, other_province)).status_code == 404
    assert (await _erase(desk, tid, desk.headers("labour"))).status_code == 204
