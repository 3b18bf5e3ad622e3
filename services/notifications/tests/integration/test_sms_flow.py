"""From events to SMS with the real database and the fake gateway: which events send what,
consent, quiet hours with an injected clock, the daily limit, schedules and the breaker."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.domain.breaker import BreakerState, CircuitBreaker
from xkld_notifications.domain.templates import TemplateProblem
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.journey import (
    DepartureScheduled,
    RegistrationFoundEligible,
    TrainingEnrolled,
    WorkerDeparted,
    WorkerReturned,
)
from xkld_shared.contracts.loan import LoanDisbursed, LoanRejected, LoanRestructured
from xkld_shared.contracts.registration import RegistrationPersonalDataErased
from xkld_shared.contracts.registry import default_registry
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.testing.http import local_client
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import Kit, faults

VN_22_30 = dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC)
VN_07_00 = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)


def _eligible() -> RegistrationFoundEligible:
    return RegistrationFoundEligible(assessed_on=dt.date(2026, 11, 26))


async def _drain(kit: Kit, passes: int = 2, **kw: object) -> None:
    async with JsonPoster() as client:
        dispatcher = kit.dispatcher(client, **kw)  # type: ignore[arg-type]
        for _ in range(passes):
            await dispatcher.dispatch_due()


async def test_a_course_enrolment_tells_the_worker_the_date_and_place(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    course = TrainingEnrolled(
        course_id=uuid.uuid4(),
        course_code="KR-EPS-01",
        course_type="language",
        course_title="Tiếng Hàn sơ cấp",
        venue="Trung tâm GDNN-GDTX Bình Tân",
        starts_on=dt.date(2027, 1, 5),
        ends_on=dt.date(2027, 4, 5),
        enrolled_on=dt.date(2026, 11, 26),
    )
    await kit.publish(registration, course)
    await _drain(kit)
    texts = [m["content"] for m in await gateway_messages(kit.gateway, phone)]
    assert len(texts) == 2
    assert (
        "XKLD: Ban duoc xep lop Tieng Han so cap, khai giang ngay 05/01/2027 tai Trung tam "
        "GDNN-GDTX Binh Tan, ket thuc ngay 05/04/2027. Mang theo CCCD khi den lop."
    ) in texts
    assert await kit.outbox_types(registration) == ["NotificationSent", "NotificationSent"]


async def test_a_redelivered_event_queues_its_message_once(kit: Kit) -> None:
    registration, phone, first = await kit.register()
    event = RegistrationFoundEligible(assessed_on=dt.date(2026, 11, 26))
    envelope = await kit.publish(registration, event)
    await kit.deliver(envelope, event)
    await kit.deliver(first, default_registry().payload_of(first))
    await _drain(kit)
    assert len(await kit.messages(registration)) == 2
    assert len(await gateway_messages(kit.gateway, phone)) == 2


async def test_a_worker_without_consent_gets_nothing_and_it_is_recorded(kit: Kit) -> None:
    registration, phone, _ = await kit.register(consent=False)
    await kit.publish(registration, _eligible())
    await _drain(kit)
    rows = await kit.messages(registration)
    assert [(r["status"], r["suppressed_reason"]) for r in rows] == [
        ("suppressed", "no_consent")
    ] * 2
    assert await gateway_messages(kit.gateway, phone) == []
    assert await kit.outbox_types(registration) == ["NotificationSuppressed"] * 2


async def test_a_worker_who_opts_out_after_queueing_is_not_sent_the_rest(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await kit.publish(registration, _eligible())
    opted = await kit.staff.inbound("+84" + phone[1:], "tu chối")
    await _drain(kit)
    assert opted == 1
    rows = await kit.messages(registration)
    assert {(r["status"], r["suppressed_reason"]) for r in rows} == {("suppressed", "opted_out")}
    assert await gateway_messages(kit.gateway, phone) == []


async def test_a_reply_that_is_not_a_stop_keyword_changes_nothing(kit: Kit) -> None:
    _, phone, _ = await kit.register()
    assert await kit.staff.inbound("+84" + phone[1:], "cam on, toi se den") == 0
    assert await kit.staff.inbound("+84" + phone[1:], "STOP") == 1


async def test_a_message_created_at_night_waits_for_seven_and_survives_a_restart(
    kit: Kit,
) -> None:
    kit.clock.now = VN_22_30
    registration, phone, _ = await kit.register()
    [row] = await kit.messages(registration)
    assert row["next_attempt_at"] == VN_07_00
    await _drain(kit)
    kit.clock.now = VN_07_00 - dt.timedelta(minutes=1)
    await _drain(kit)  # a fresh dispatcher: what a restarted service would run
    assert await gateway_messages(kit.gateway, phone) == [], "sent during quiet hours"
    kit.clock.now = VN_07_00
    await _drain(kit)
    assert len(await gateway_messages(kit.gateway, phone)) == 1


async def test_a_retry_that_falls_into_the_night_waits_for_the_morning(kit: Kit) -> None:
    kit.clock.now = VN_22_30 - dt.timedelta(hours=2)
    registration, phone, _ = await kit.register()
    await faults(kit.gateway, fail_next=1)
    await _drain(kit, passes=1, retry_base_seconds=7200.0)
    kit.clock.now = VN_22_30
    await _drain(kit, passes=1, retry_base_seconds=7200.0)
    [row] = await kit.messages(registration)
    assert (row["status"], row["next_attempt_at"], row["attempts"]) == ("pending", VN_07_00, 1)
    assert await gateway_messages(kit.gateway, phone) == []


async def test_over_the_daily_limit_waits_for_tomorrow_but_urgent_news_does_not(
    kit: Kit,
) -> None:
    registration, phone, _ = await kit.register()
    await kit.publish(registration, _eligible())
    await kit.publish(registration, LoanRejected(loan_application_id=uuid.uuid4()))
    moved = DepartureScheduled(departure_on=dt.date(2027, 5, 2), market_code="KR", rescheduled=True)
    await kit.publish(registration, moved)
    await _drain(kit, daily_limit=2)
    rows = {r["template"]: r for r in await kit.messages(registration)}
    sent = {t for t, r in rows.items() if r["status"] == "sent"}
    assert len(sent) == 3
    assert "departure_scheduled" in sent
    [waiting] = [r for r in rows.values() if r["status"] == "pending"]
    assert waiting["next_attempt_at"] == VN_07_00, "deferred, not dropped"
    kit.clock.now = VN_07_00
    await _drain(kit, daily_limit=2)
    assert len(await gateway_messages(kit.gateway, phone)) == 4


async def test_repayment_reminders_follow_the_schedule_and_a_restructure_replaces_them(
    kit: Kit,
) -> None:
    registration, _, _ = await kit.register()
    loan = uuid.uuid4()
    disbursed = LoanDisbursed(
        loan_application_id=loan,
        amount_vnd=90_000_000,
        disbursed_on=dt.date(2026, 11, 26),
        installments=3,
        first_due_on=dt.date(2026, 12, 26),
    )
    await kit.publish(registration, disbursed)
    due = await _pending(kit, registration, "repayment_due")
    # 08:00 in Vietnam, three days before 26/12, 26/01, 26/02.
    assert [d.isoformat() for d in due] == [
        "2026-12-23T01:00:00+00:00",
        "2027-01-23T01:00:00+00:00",
        "2027-02-23T01:00:00+00:00",
    ]
    restructured = LoanRestructured(
        loan_application_id=loan,
        kind="extended",
        effective_on=dt.date(2026, 12, 1),
        installments=2,
        next_due_on=dt.date(2027, 3, 26),
        outstanding_principal_vnd=90_000_000,
    )
    await kit.publish(registration, restructured)
    assert [d.date().isoformat() for d in await _pending(kit, registration, "repayment_due")] == [
        "2027-03-23",
        "2027-04-23",
    ]


async def test_check_in_reminders_stop_when_the_worker_comes_home(kit: Kit) -> None:
    registration, _, _ = await kit.register()
    departed = WorkerDeparted(
        departed_on=dt.date(2026, 11, 20), market_code="KR", enterprise_code="E1"
    )
    await kit.publish(registration, departed)
    assert len(await _pending(kit, registration, "check_in_reminder")) == 36
    await kit.publish(registration, WorkerReturned(returned_on=dt.date(2027, 2, 1), early=False))
    assert await _pending(kit, registration, "check_in_reminder") == []
    assert len(await _pending(kit, registration, "welcome_home")) == 1


async def _pending(kit: Kit, registration: uuid.UUID, template: str) -> list[dt.datetime]:
    return sorted(
        r["next_attempt_at"]
        for r in await kit.messages(registration)
        if r["template"] == template and r["status"] == "pending"
    )


async def test_erasure_suppresses_what_was_waiting_and_says_so(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await kit.publish(registration, RegistrationPersonalDataErased(erased_on=dt.date(2026, 11, 26)))
    await _drain(kit)
    assert [r["suppressed_reason"] for r in await kit.messages(registration)] == ["erased"]
    assert await kit.outbox_types(registration) == ["NotificationSuppressed"]
    assert await gateway_messages(kit.gateway, phone) == []


async def test_the_breaker_opens_holds_the_backlog_then_closes_when_the_provider_recovers(
    kit: Kit,
) -> None:
    registered = [await kit.register() for _ in range(6)]
    breaker = CircuitBreaker(threshold=3, cooldown_seconds=30)
    await faults(kit.gateway, error_rate=1.0, fail_status=503)
    async with JsonPoster() as client:
        dispatcher = kit.dispatcher(client, breaker=breaker, batch_size=3)
        await dispatcher.dispatch_due()  # three failures in a row open it
        assert breaker.state(kit.clock.now.timestamp()) is BreakerState.OPEN
        stats_before = await _received(kit)
        kit.clock.advance(seconds=10)
        assert await dispatcher.dispatch_due() == 0, "the open breaker still sent"
        assert await _received(kit) == stats_before
        await faults(kit.gateway)  # the provider recovers
        kit.clock.advance(seconds=25)
        assert await dispatcher.dispatch_due() == 1, "half-open lets exactly one probe through"
        assert breaker.state(kit.clock.now.timestamp()) is BreakerState.CLOSED
        for _ in range(3):
            kit.clock.advance(seconds=60)
            await dispatcher.dispatch_due()
    counts = [len(await gateway_messages(kit.gateway, phone)) for _, phone, _ in registered]
    assert counts == [1] * 6


async def _received(kit: Kit) -> int:
    async with local_client() as client:
        stats = (await client.get(f"{kit.gateway}/_admin/stats")).json()
    return int(stats["received_requests"])


async def test_a_saved_template_version_is_checked_then_used_for_the_next_messages(
    kit: Kit,
) -> None:
    editor = Principal("u-9", "tinh", frozenset({Role.LABOUR_OFFICER}), Scope(province="86"))
    context = ChangeContext(editor, None, None)
    with pytest.raises(TemplateProblem, match="GSM-7"):
        await kit.staff.save_template("loan_rejected", "Rất tiếc ☹", 1, False, context)
    saved = await kit.staff.save_template(
        "loan_rejected", "XKLĐ: Khoản vay chưa được duyệt, hẹn gặp tại xã.", 1, False, context
    )
    assert saved.version == 2
    registration, phone, _ = await kit.register()
    await kit.publish(registration, LoanRejected(loan_application_id=uuid.uuid4()))
    await _drain(kit)
    texts = {str(m["content"]) for m in await gateway_messages(kit.gateway, phone)}
    assert "XKLD: Khoan vay chua duoc duyet, hen gap tai xa." in texts
    versions = await kit.pool.fetch(
        "SELECT template_version FROM sms_message WHERE template = 'loan_rejected'"
    )
    assert [r["template_version"] for r in versions] == [2]
    audited = await kit.pool.fetchval(
        "SELECT count(*) FROM audit.audit_log WHERE action = 'sms_template_saved'"
    )
    assert audited == 1
