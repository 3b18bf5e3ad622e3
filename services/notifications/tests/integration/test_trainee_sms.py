"""A rural trainee's SMS (issue 19) with the real database and the fake gateway: enrolment,
the course-start reminder, the result, and the follow-up about work that a commune's own
record makes moot."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.application.staff import ManualRequest
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.training import (
    TraineeCourseCompleted,
    TraineeEmploymentRecorded,
    TraineeEnrolled,
    TraineePersonalDataErased,
)
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import Kit

OFFICER = Principal("u-1", "canbo", frozenset({Role.COMMUNE_OFFICER}), Scope(frozenset({"29800"})))
FOLLOW_UP_AT = dt.datetime(2027, 2, 28, 1, 0, tzinfo=dt.UTC)  # 08:00, 3 months after 30/11


def _where(course: uuid.UUID) -> dict[str, object]:
    return {"course_id": course, "course_code": "SC-XM-01", "commune_code": "29800",
            "province_code": "86"}  # fmt: skip


def enrolled(course: uuid.UUID) -> TraineeEnrolled:
    return TraineeEnrolled(
        **_where(course),
        course_title="Sửa chữa xe máy",
        venue="Trường Trung cấp nghề Vĩnh Long",
        starts_on=dt.date(2027, 1, 5),
        ends_on=dt.date(2027, 3, 5),
        enrolled_on=dt.date(2026, 11, 26),
    )


def completed(course: uuid.UUID, certificate: bool = True) -> TraineeCourseCompleted:
    return TraineeCourseCompleted(
        **_where(course),
        completed_on=dt.date(2026, 11, 30),
        passed=True,
        certificate_issued=certificate,
    )


def employment(course: uuid.UUID) -> TraineeEmploymentRecorded:
    return TraineeEmploymentRecorded(
        **_where(course),
        outcome="work_in_trade",
        recorded_on=dt.date(2027, 1, 10),
        completed_on=dt.date(2026, 11, 30),
    )


async def _drain(kit: Kit) -> None:
    async with JsonPoster() as client:
        dispatcher = kit.dispatcher(client)
        for _ in range(2):
            await dispatcher.dispatch_due()


async def _states(kit: Kit, trainee: uuid.UUID) -> dict[str, str]:
    return {r["template"]: r["status"] for r in await kit.messages(trainee)}


async def test_an_enrolled_trainee_is_told_at_once_and_reminded_the_morning_before(
    kit: Kit,
) -> None:
    trainee, phone = await kit.register_trainee()
    course = uuid.uuid4()
    await kit.publish(trainee, enrolled(course))
    await _drain(kit)
    texts = [m["content"] for m in await gateway_messages(kit.gateway, phone)]
    assert texts == [
        "Hoc nghe: Ban duoc ghi danh lop Sua chua xe may, hoc tu ngay 05/01/2027 den ngay "
        "05/03/2027 tai Truong Trung cap nghe Vinh Long. Mang theo CCCD khi den lop."
    ]
    kit.clock.now = dt.datetime(2027, 1, 4, 1, 0, tzinfo=dt.UTC)  # 08:00 on 4 January
    await _drain(kit)
    texts = [m["content"] for m in await gateway_messages(kit.gateway, phone)]
    assert len(texts) == 2
    assert "khai giang ngay 05/01/2027" in str(texts[1])


async def test_a_manual_message_to_a_course_reaches_its_trainees(kit: Kit) -> None:
    trainee, phone = await kit.register_trainee()
    course = uuid.uuid4()
    await kit.publish(trainee, enrolled(course))
    request = ManualRequest("Lop doi sang phong 2", (), course, uuid.uuid4())
    result = await kit.staff.manual(request, OFFICER, ChangeContext(OFFICER, None, None))
    assert (result.queued, result.skipped_outside_scope) == (1, 0)
    await _drain(kit)
    contents = [m["content"] for m in await gateway_messages(kit.gateway, phone)]
    assert "XKLD: Lop doi sang phong 2" in contents


async def test_a_certificate_is_announced_and_the_follow_up_waits_three_months(kit: Kit) -> None:
    trainee, phone = await kit.register_trainee()
    course = uuid.uuid4()
    await kit.publish(trainee, completed(course))
    await _drain(kit)
    texts = [m["content"] for m in await gateway_messages(kit.gateway, phone)]
    assert texts == [
        "Hoc nghe: Chuc mung! Ban da hoan thanh khoa hoc nghe ngay 30/11/2026 va duoc cap "
        "chung chi. Lien he can bo xa de nhan chung chi."
    ]
    [follow_up] = await kit.pool.fetch(
        "SELECT status, next_attempt_at, course_id FROM sms_message "
        "WHERE registration_id = $1 AND template = 'trainee_work_followup'",
        trainee,
    )
    assert tuple(follow_up) == ("pending", FOLLOW_UP_AT, course)
    kit.clock.now = FOLLOW_UP_AT
    await _drain(kit)
    assert "VL 1" in str((await gateway_messages(kit.gateway, phone))[-1]["content"])


async def test_the_commune_s_employment_record_cancels_that_course_s_follow_up_only(
    kit: Kit,
) -> None:
    trainee, phone = await kit.register_trainee()
    first, second = uuid.uuid4(), uuid.uuid4()
    await kit.publish(trainee, completed(first))
    await kit.publish(trainee, completed(second, certificate=False))
    await kit.publish(trainee, employment(first))
    rows = await kit.pool.fetch(
        "SELECT course_id, status FROM sms_message "
        "WHERE registration_id = $1 AND template = 'trainee_work_followup'",
        trainee,
    )
    assert {r["course_id"]: r["status"] for r in rows} == {
        first: "cancelled",
        second: "pending",
    }
    kit.clock.now = FOLLOW_UP_AT
    await _drain(kit)
    follow_ups = [m for m in await gateway_messages(kit.gateway, phone) if "VL 1" in str(m)]
    assert len(follow_ups) == 1


async def test_an_erased_trainee_s_follow_up_is_suppressed_and_never_sent(kit: Kit) -> None:
    trainee, phone = await kit.register_trainee()
    await kit.publish(trainee, completed(uuid.uuid4()))
    await _drain(kit)
    await kit.publish(trainee, TraineePersonalDataErased(erased_on=dt.date(2026, 12, 1)))
    kit.clock.now = FOLLOW_UP_AT
    await _drain(kit)
    assert await _states(kit, trainee) == {
        "trainee_course_result": "sent",
        "trainee_work_followup": "suppressed",
    }
    assert len(await gateway_messages(kit.gateway, phone)) == 1


async def test_a_corrected_result_replaces_the_follow_up_and_a_replay_keeps_it(kit: Kit) -> None:
    trainee, _ = await kit.register_trainee()
    course = uuid.uuid4()
    first = await kit.publish(trainee, completed(course, certificate=False))
    corrected = completed(course, certificate=True)
    second = await kit.publish(trainee, corrected)
    await kit.deliver(second, corrected)  # replayed past the inbox: its own plan stays
    rows = await kit.pool.fetch(
        "SELECT event_id, status FROM sms_message "
        "WHERE registration_id = $1 AND template = 'trainee_work_followup'",
        trainee,
    )
    assert {r["event_id"]: r["status"] for r in rows} == {
        first.event_id: "cancelled",
        second.event_id: "pending",
    }
