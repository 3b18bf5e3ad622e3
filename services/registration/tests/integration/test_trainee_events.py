"""The trainee's steps write their events into the outbox in the step's own transaction,
keyed by the trainee's id, against the real database: one event a step, codes and dates only,
and the phone sealed for notifications alone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.crypto import FieldCipher, parse_keyring
from xkld_shared.testing.infra import Templates, TestInfra
from xkld_shared.testing.system import consents, registration_body

from .journey_desk import HOME, Desk, days, open_desk
from .test_rural_training_http import _course, _fetch, _outcome, _province_trainer, _trainee


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        yield desk


async def _events(desk: Desk, tid: str) -> list[tuple[str, bytes]]:
    rows = await _fetch(
        desk,
        "SELECT event_type, envelope FROM outbox WHERE partition_key = $1 ORDER BY id",
        tid,
    )
    return [(r["event_type"], bytes(r["envelope"])) for r in rows]


def _payload(raw: bytes) -> dict[str, Any]:
    payload: dict[str, Any] = Envelope.from_bytes(raw).payload
    return payload


def _no_secrets(raw: bytes, body: dict[str, object]) -> None:
    for secret in (str(body["cccd"]), str(body["phone"])[1:], str(body["full_name"])):
        assert secret.encode() not in raw
    assert b"Nguy" not in raw  # not even part of the name


async def test_intake_writes_one_trainee_registered_event_with_the_phone_sealed(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME, consents=consents(sms_notifications=False)) | {
        "support_groups": ["woman", "poor_household"],
        "difficult_commune": True,
    }
    tid = await _trainee(desk, body=body)
    ((kind, raw),) = await _events(desk, tid)
    assert kind == "TraineeRegistered"
    envelope = Envelope.from_bytes(raw)
    assert str(envelope.registration_id) == tid
    p = envelope.payload
    assert (p["commune_code"], p["province_code"], p["gender"], p["birth_year"]) == (
        HOME,
        "86",
        "male",
        2000,
    )
    assert p["support_groups"] == ["poor_household", "woman"]
    assert (p["difficult_commune"], p["sms_consent"]) == (True, False)
    assert p["registered_on"] == days(0)
    cipher = FieldCipher(parse_keyring(desk.ns.pii_keys), "k1")
    phone = cipher.decrypt(p["phone_ciphertext"], purpose=PHONE_PURPOSE)
    assert phone.endswith(str(body["phone"])[1:])
    _no_secrets(raw, body)


async def test_enrolment_result_and_each_outcome_record_write_one_event_each(
    desk: Desk,
) -> None:
    body = registration_body(commune_code=HOME)
    tid = await _trainee(desk, body=body)
    course_id, code = await _course(desk)
    trainer, base = _province_trainer(desk), f"{desk.url}/trainees/{tid}"
    enrolled = await desk.client.post(
        f"{base}/enrolments", json={"course_id": course_id, "distance_km": "2"}, headers=trainer
    )
    assert enrolled.status_code == 201, enrolled.text
    attended = await desk.client.post(
        f"{base}/attendance",
        json={"course_id": course_id, "attended_on": days(-9), "present": True},
        headers=trainer,
    )
    assert attended.status_code == 204, attended.text
    result = await desk.client.post(
        f"{base}/training-results",
        json={
            "course_id": course_id,
            "passed": True,
            "certificate_number": f"SC-{tid[:8]}",
            "completed_on": days(-3),
        },
        headers=trainer,
    )
    assert result.status_code == 200, result.text
    for outcome in ("no_work_yet", "work_in_trade"):
        answer = await _outcome(
            desk, tid, {"course_id": course_id, "outcome": outcome, "observed_on": days(-1)}
        )
        assert answer.status_code == 200, answer.text
    events = await _events(desk, tid)
    assert [k for k, _ in events] == [
        "TraineeRegistered",
        "TraineeEnrolled",  # attendance writes none: support is paid from it later
        "TraineeCourseCompleted",
        "TraineeEmploymentRecorded",
        "TraineeEmploymentRecorded",  # the correction travels too
    ]
    for _, raw in events:
        assert str(Envelope.from_bytes(raw).registration_id) == tid
        _no_secrets(raw, body)
    course = {"course_id": course_id, "course_code": code, "commune_code": HOME}
    enrol, done, first, second = (_payload(raw) for _, raw in events[1:])
    assert course.items() <= enrol.items()
    assert (enrol["enrolled_on"], enrol["province_code"], enrol["trade_code"]) == (
        days(0),
        "86",
        None,
    )
    assert (enrol["starts_on"], enrol["ends_on"]) == (days(-10), days(30))
    assert course.items() <= done.items()
    assert (done["completed_on"], done["passed"], done["certificate_issued"]) == (
        days(-3),
        True,
        True,
    )
    assert (first["outcome"], second["outcome"]) == ("no_work_yet", "work_in_trade")
    assert (second["recorded_on"], second["completed_on"]) == (days(-1), days(-3))


async def test_a_refused_step_writes_no_event(desk: Desk) -> None:
    tid = await _trainee(desk)
    course_id, _ = await _course(desk)
    not_enrolled = await _outcome(
        desk, tid, {"course_id": course_id, "outcome": "own_business", "observed_on": days(0)}
    )
    assert not_enrolled.status_code == 409, not_enrolled.text  # not enrolled
    unknown = await desk.client.post(
        f"{desk.url}/trainees/{tid}/enrolments",
        json={"course_id": str(uuid.uuid4()), "distance_km": "1"},
        headers=_province_trainer(desk),
    )
    assert unknown.status_code == 404, unknown.text
    assert [k for k, _ in await _events(desk, tid)] == ["TraineeRegistered"]
