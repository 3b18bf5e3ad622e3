"""Staff endpoints on the real service process: template preview, manual messages to a
course (scoped, idempotent, audited), and the opt-out toggle (audited)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.journey import TrainingEnrolled
from xkld_shared.contracts.loan import LoanRejected
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw
from xkld_shared.testing.processes import ServiceProcess, free_port
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import cipher, e164, random_phone

HOME, ELSEWHERE = "29800", "29641"


@pytest.fixture
async def service(namespace: Namespace, gateway: str) -> AsyncIterator[str]:
    port = free_port()
    env = namespace.env(
        "notifications",
        XKLD_SMS_BASE_URL=gateway,
        XKLD_SMS_CALLBACK_URL=f"http://127.0.0.1:{port}/sms/delivery-reports",
    )
    proc = ServiceProcess("xkld_notifications", env, port=port)
    await proc.start()
    try:
        yield proc.url
    finally:
        assert await proc.terminate() == 0


def _officer(ns: Namespace) -> dict[str, str]:
    return ns.auth(Role.COMMUNE_OFFICER, communes=(HOME,))


async def _worker(
    ns: Namespace, commune: str, course: uuid.UUID | None = None, consent: bool = True
) -> tuple[uuid.UUID, str]:
    phone, registration = random_phone(), uuid.uuid4()
    submitted = RegistrationSubmitted(
        commune_code=commune,
        province_code="86",
        gender="female",
        birth_year=2002,
        submitted_on=dt.date(2026, 11, 26),
        phone_ciphertext=cipher(ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
        sms_consent=consent,
    )
    events: list[Envelope] = [new_envelope(submitted, registration_id=registration, producer="t")]
    if course is not None:
        enrolled = TrainingEnrolled(
            course_id=course,
            course_code="KR-1",
            course_type="language",
            course_title="Tiếng Hàn",
            venue="Bình Tân",
            starts_on=dt.date(2027, 1, 5),
            ends_on=dt.date(2027, 3, 5),
            enrolled_on=dt.date(2026, 11, 26),
        )
        events.append(new_envelope(enrolled, registration_id=registration, producer="t"))
    topic = ns.topics.of(Stream.REGISTRATION)
    await produce_raw(
        ns.infra.kafka_bootstrap, topic, [(e.partition_key, e.to_bytes()) for e in events]
    )
    return registration, phone


async def _enrolled(ns: Namespace, course: uuid.UUID, expected: int) -> bool:
    conn = await asyncpg.connect(ns.dsn("notifications"))
    try:
        found = await conn.fetchval(
            """SELECT count(*) FROM enrolment e JOIN contact c USING (registration_id)
               WHERE e.course_id = $1""",
            course,
        )
    finally:
        await conn.close()
    return int(found) == expected


async def _audit(ns: Namespace, action: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(ns.dsn("notifications"))
    try:
        return list(
            await conn.fetch(
                "SELECT actor_username, entity_id, changes FROM audit.audit_log WHERE action = $1",
                action,
            )
        )
    finally:
        await conn.close()


async def test_preview_shows_the_text_its_encoding_and_its_segments(
    service: str, namespace: Namespace
) -> None:
    url, headers = f"{service}/sms/templates/preview", _officer(namespace)
    async with local_client() as client:
        draft = await client.post(
            url,
            json={
                "text": "Chào {{ name }}, lớp học ngày {{ day }}",
                "variables": {"name": "Đặng Thị Hồng", "day": "05/01/2027"},
            },
            headers=headers,
        )
        saved = await client.post(url, json={"template_code": "loan_rejected"}, headers=headers)
        missing = await client.post(url, json={"text": "Chào {{ name }}"}, headers=headers)
        emoji = await client.post(url, json={"text": "Chúc mừng 🎉"}, headers=headers)
    assert draft.json() | {"template_code": None} == {
        "template_code": None,
        "version": None,
        "text": "Chao Dang Thi Hong, lop hoc ngay 05/01/2027",
        "encoding": "gsm7",
        "characters": 43,
        "segments": 1,
        "max_segments": 3,
    }
    assert (saved.json()["version"], saved.json()["segments"]) == (1, 1)
    assert missing.status_code == emoji.status_code == 422
    assert "name" in missing.json()["error"]["message_en"]
    assert emoji.json()["error"]["message_vi"].startswith("Dữ liệu không hợp lệ")


async def test_a_manual_message_to_a_course_reaches_its_workers_in_scope_once_and_is_audited(
    service: str, namespace: Namespace, gateway: str
) -> None:
    course = uuid.uuid4()
    _, home_phone = await _worker(namespace, HOME, course)
    away, away_phone = await _worker(namespace, ELSEWHERE, course)
    body = {"text": "Lớp nghỉ học ngày mai, học bù thứ Bảy.", "course_id": str(course)}
    headers = _officer(namespace) | {"Idempotency-Key": "manual-course-0001"}
    assert await eventually(lambda: _enrolled(namespace, course, 2))
    async with local_client() as client:

        async def send() -> dict[str, object]:
            answer = await client.post(f"{service}/sms/manual-messages", json=body, headers=headers)
            assert answer.status_code == 202, answer.text
            result: dict[str, object] = answer.json()
            return result

        first = await send()
        again = await send()
    outside = [{"registration_id": str(away), "reason": "outside_scope"}]
    assert first == {
        "queued": 1,
        "suppressed": 0,
        "skipped_outside_scope": 1,
        "already_queued": 0,
        "not_sent": outside,
    }
    assert again == {
        "queued": 0,
        "suppressed": 0,
        "skipped_outside_scope": 1,
        "already_queued": 1,
        "not_sent": outside,
    }

    async def manual_sent() -> list[dict[str, object]]:
        found = await gateway_messages(gateway, home_phone)
        return [m for m in found if "hoc bu" in str(m["content"])]

    [sms] = await eventually(manual_sent)
    assert sms["content"] == "XKLD: Lop nghi hoc ngay mai, hoc bu thu Bay."
    assert [
        m for m in await gateway_messages(gateway, away_phone) if "hoc bu" in str(m["content"])
    ] == []
    audit = await _audit(namespace, "sms_manual_sent")
    assert len(audit) == 2  # one row per request, the retry included
    assert audit[0]["actor_username"] == "tester"


async def test_a_manual_message_names_each_worker_it_will_not_reach_and_why(
    service: str, namespace: Namespace
) -> None:
    course = uuid.uuid4()
    agreed, _ = await _worker(namespace, HOME, course)
    refused, _ = await _worker(namespace, HOME, course, consent=False)
    stopped, _ = await _worker(namespace, HOME, course)
    assert await eventually(lambda: _enrolled(namespace, course, 3))
    async with local_client() as client:
        opt_out = await client.post(
            f"{service}/sms/contacts/{stopped}/opt-out",
            json={"opted_out": True},
            headers=_officer(namespace),
        )
        assert opt_out.status_code == 200, opt_out.text
        body = {"text": "Họp lớp lúc 8 giờ.", "course_id": str(course)}
        headers = _officer(namespace) | {"Idempotency-Key": "manual-reasons-0001"}
        answer = await client.post(f"{service}/sms/manual-messages", json=body, headers=headers)
        again = await client.post(f"{service}/sms/manual-messages", json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    assert (answer.json()["queued"], answer.json()["suppressed"]) == (1, 2)
    reasons = {(r["registration_id"], r["reason"]) for r in answer.json()["not_sent"]}
    assert reasons == {(str(refused), "no_consent"), (str(stopped), "opted_out")}
    assert str(agreed) not in str(answer.json()["not_sent"])
    # a retried request queues nothing new and still says who is left out
    assert {(r["registration_id"], r["reason"]) for r in again.json()["not_sent"]} == reasons


async def test_the_staff_opt_out_toggle_stops_messages_and_is_audited(
    service: str, namespace: Namespace
) -> None:
    registration, _ = await _worker(namespace, HOME)
    url = f"{service}/sms/contacts/{registration}/opt-out"
    async with local_client() as client:

        async def toggle() -> httpx.Response | None:
            answer = await client.post(url, json={"opted_out": True}, headers=_officer(namespace))
            return answer if answer.status_code == 200 else None

        answer = await eventually(toggle)
        foreign = await client.post(
            url,
            json={"opted_out": True},
            headers=namespace.auth(Role.COMMUNE_OFFICER, communes=(ELSEWHERE,)),
        )
    assert answer is not None
    assert answer.json() == {"opted_out": True}
    assert foreign.status_code == 404
    [row] = await _audit(namespace, "sms_opt_out_set")
    assert row["entity_id"] == str(registration)


async def test_a_loan_event_from_the_loan_topic_reaches_the_worker(
    service: str, namespace: Namespace, gateway: str
) -> None:
    registration, phone = await _worker(namespace, HOME)

    async def known() -> bool:
        conn = await asyncpg.connect(namespace.dsn("notifications"))
        try:
            found = await conn.fetchval(
                "SELECT count(*) FROM contact WHERE registration_id = $1", registration
            )
        finally:
            await conn.close()
        return int(found) == 1

    assert await eventually(known)
    rejected = new_envelope(
        LoanRejected(loan_application_id=uuid.uuid4()), registration_id=registration, producer="t"
    )
    topic = namespace.topics.of(Stream.LOAN)
    await produce_raw(
        namespace.infra.kafka_bootstrap, topic, [(rejected.partition_key, rejected.to_bytes())]
    )

    async def loan_sms() -> list[dict[str, object]]:
        found = await gateway_messages(gateway, phone)
        return [m for m in found if "vay von" in str(m["content"])]

    [sms] = await eventually(loan_sms)
    assert str(sms["content"]).startswith("XKLD: De nghi vay von cua ban chua duoc duyet.")


async def test_saving_a_template_refuses_non_gsm7_text_and_lists_the_new_version(
    service: str, namespace: Namespace
) -> None:
    headers = namespace.auth(Role.LABOUR_OFFICER, province="86")
    url = f"{service}/sms/template-versions"
    async with local_client() as client:
        refused = await client.post(
            url, json={"code": "welcome_home", "text": "Chào mừng về nhà ❤"}, headers=headers
        )
        saved = await client.post(
            url,
            json={
                "code": "welcome_home",
                "text": "XKLĐ: Chào mừng về nước ngày {{ returned_on }}!",
            },
            headers=headers,
        )
        listed = await client.get(f"{service}/sms/templates", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "text"
    assert "GSM-7" in refused.json()["error"]["message_vi"]
    assert saved.status_code == 201
    assert saved.json()["version"] == 2
    [welcome] = [t for t in listed.json() if t["code"] == "welcome_home"]
    assert (welcome["version"], welcome["event_types"]) == (2, ["WorkerReturned"])
