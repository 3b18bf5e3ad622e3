"""A loan event handled before the worker's contact (the two streams are consumed
concurrently, so after a restart or with a backlog this happens): its messages wait for the
contact and then go out exactly once, or are suppressed for a real reason only."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from xkld_notifications.adapters import contacts
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_shared.contracts.loan import LoanApproved, LoanDisbursed
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationPersonalDataErased
from xkld_shared.contracts.registry import default_registry
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import Kit, cipher, e164, random_phone


def _approved() -> LoanApproved:
    return LoanApproved(
        loan_application_id=uuid.uuid4(),
        amount_vnd=90_000_000,
        term_months=36,
        monthly_rate="0.0066",
        regime_code="ND338",
    )


def _disbursed() -> LoanDisbursed:
    return LoanDisbursed(
        loan_application_id=uuid.uuid4(),
        amount_vnd=90_000_000,
        disbursed_on=dt.date(2026, 11, 26),
        installments=3,
        first_due_on=dt.date(2026, 12, 26),
    )


async def _drain(kit: Kit, passes: int = 2) -> None:
    async with JsonPoster() as client:
        dispatcher = kit.dispatcher(client)
        for _ in range(passes):
            await dispatcher.dispatch_due()


def _states(rows: list[asyncpg.Record]) -> dict[str, tuple[str, str | None]]:
    return {r["template"]: (r["status"], r["suppressed_reason"]) for r in rows}


async def test_a_loan_event_before_the_registration_event_gives_one_sms_once_the_contact_arrives(
    kit: Kit,
) -> None:
    registration = uuid.uuid4()
    approved = await kit.publish(registration, _approved())
    await _drain(kit)
    assert _states(await kit.messages(registration)) == {
        "loan_approved": ("awaiting_contact", None)
    }
    assert await kit.outbox_types(registration) == [], "waiting is not a suppression"
    _, phone, _ = await kit.register(registration_id=registration)
    await _drain(kit)
    texts = [str(m["content"]) for m in await gateway_messages(kit.gateway, phone)]
    assert len(texts) == 2
    assert sum("vay" in t.lower() for t in texts) == 1, texts
    await kit.deliver(approved, default_registry().payload_of(approved))  # redelivered
    await _drain(kit)
    assert len(await gateway_messages(kit.gateway, phone)) == 2
    assert {s for s, _ in _states(await kit.messages(registration)).values()} == {"sent"}


async def test_repayment_reminders_that_arrived_first_keep_their_schedule_once_released(
    kit: Kit,
) -> None:
    registration = uuid.uuid4()
    await kit.publish(registration, _disbursed())
    await kit.register(registration_id=registration)
    due = sorted(
        r["next_attempt_at"]
        for r in await kit.messages(registration)
        if r["template"] == "repayment_due" and r["status"] == "pending"
    )
    assert [d.isoformat() for d in due] == [
        "2026-12-23T01:00:00+00:00",
        "2027-01-23T01:00:00+00:00",
        "2027-02-23T01:00:00+00:00",
    ]


async def test_a_contact_without_consent_arriving_later_suppresses_what_waited(kit: Kit) -> None:
    registration = uuid.uuid4()
    await kit.publish(registration, _approved())
    _, phone, _ = await kit.register(registration_id=registration, consent=False)
    await _drain(kit)
    assert _states(await kit.messages(registration)) == {
        "loan_approved": ("suppressed", "no_consent"),
        "registration_received": ("suppressed", "no_consent"),
    }
    assert await kit.outbox_types(registration) == ["NotificationSuppressed"] * 2
    assert await gateway_messages(kit.gateway, phone) == []


async def test_after_an_erasure_a_loan_event_is_suppressed_not_left_waiting(kit: Kit) -> None:
    registration, phone, _ = await kit.register()
    await kit.publish(registration, RegistrationPersonalDataErased(erased_on=dt.date(2026, 11, 26)))
    await kit.publish(registration, _approved())
    await _drain(kit)
    states = _states(await kit.messages(registration))
    assert states["loan_approved"] == ("suppressed", "erased")
    assert await gateway_messages(kit.gateway, phone) == []


async def test_a_worker_who_opted_out_is_not_sent_what_waited_for_the_contact(kit: Kit) -> None:
    registration = uuid.uuid4()
    await kit.publish(registration, _approved())
    _, phone, _ = await kit.register(registration_id=registration)
    assert await kit.staff.inbound(e164(phone), "TU CHOI") == 1
    await _drain(kit)
    assert _states(await kit.messages(registration))["loan_approved"] == (
        "suppressed",
        "opted_out",
    )
    assert await gateway_messages(kit.gateway, phone) == []


async def test_a_contact_committed_without_seeing_the_waiting_message_is_caught_by_the_sweep(
    kit: Kit,
) -> None:
    """The race between the two streams' transactions: the contact commits without seeing
    the loan stream's message (still uncommitted then). The dispatcher's sweep releases it."""
    registration, phone = uuid.uuid4(), random_phone()
    await kit.publish(registration, _approved())
    contact = contacts.Contact(
        registration_id=registration,
        phone_ciphertext=cipher(kit.ns).encrypt(e164(phone), purpose=PHONE_PURPOSE),
        sms_consent=True,
        commune_code="29800",
        province_code="86",
    )
    async with kit.pool.acquire() as conn:
        await contacts.upsert_contact(conn, contact)  # as if the other transaction saw nothing
    await _drain(kit)
    assert len(await gateway_messages(kit.gateway, phone)) == 1
    assert _states(await kit.messages(registration)) == {"loan_approved": ("sent", None)}


async def test_a_message_waiting_for_an_erased_worker_is_suppressed_by_the_sweep(kit: Kit) -> None:
    registration = uuid.uuid4()
    await kit.publish(registration, _approved())
    await kit.pool.execute(
        "INSERT INTO erased_contact VALUES ($1, $2)", registration, kit.clock.now
    )
    await _drain(kit)
    assert _states(await kit.messages(registration)) == {"loan_approved": ("suppressed", "erased")}
    assert await kit.outbox_types(registration) == ["NotificationSuppressed"]
