"""Rural trainees as SMS contacts (issue 19): TraineeRegistered stores the phone as a worker's
registration does, with the trainee's id in the registration id's place; an erasure forgets it
and stops what was still to be sent."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_notifications.adapters import contacts
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.application.staff import ManualRequest
from xkld_notifications.domain.outbound import ContactState
from xkld_shared.audit import ChangeContext
from xkld_shared.contracts.topics import Stream
from xkld_shared.contracts.training import TraineePersonalDataErased
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import Kit, e164, phone_index

OFFICER = Principal("u-1", "canbo", frozenset({Role.COMMUNE_OFFICER}), Scope(frozenset({"29800"})))


async def _manual(kit: Kit, trainee: uuid.UUID, text: str = "Hop lop 8h") -> None:
    request = ManualRequest(text, (trainee,), None, uuid.uuid4())
    await kit.staff.manual(request, OFFICER, ChangeContext(OFFICER, None, None))


async def _contact(kit: Kit, trainee: uuid.UUID) -> dict[str, object] | None:
    row = await kit.pool.fetchrow(
        """SELECT phone_ciphertext, phone_index, sms_consent, commune_code, province_code
           FROM contact WHERE registration_id = $1""",
        trainee,
    )
    return None if row is None else dict(row)


def test_the_registration_stream_consumer_takes_the_trainee_contact_events(kit: Kit) -> None:
    handled = set(kit.notifier.handlers(Stream.REGISTRATION))
    assert {"TraineeRegistered", "TraineePersonalDataErased"} <= handled
    assert not {"TraineeRegistered"} & set(kit.notifier.handlers(Stream.LOAN))


async def test_a_registered_trainee_is_a_contact_with_a_sealed_phone_and_the_commune(
    kit: Kit,
) -> None:
    trainee, phone = await kit.register_trainee()
    contact = await _contact(kit, trainee)
    assert contact is not None
    assert (contact["sms_consent"], contact["commune_code"], contact["province_code"]) == (
        True,
        "29800",
        "86",
    )
    assert contact["phone_index"] == phone_index(kit.ns).of(e164(phone))
    assert phone[1:] not in str(contact["phone_ciphertext"])
    async with kit.pool.acquire() as conn:
        assert await contacts.contact_state(conn, trainee) == ContactState(True, False)


async def test_a_trainee_without_sms_consent_gets_nothing_and_it_is_recorded(kit: Kit) -> None:
    trainee, phone = await kit.register_trainee(consent=False)
    await _manual(kit, trainee)
    async with JsonPoster() as client:
        await kit.dispatcher(client).dispatch_due()
    assert [(m["status"], m["suppressed_reason"]) for m in await kit.messages(trainee)] == [
        ("suppressed", "no_consent")
    ]
    assert await gateway_messages(kit.gateway, phone) == []


async def test_a_trainee_erasure_forgets_the_phone_and_suppresses_what_was_waiting(
    kit: Kit,
) -> None:
    trainee, phone = await kit.register_trainee()
    kit.clock.now = dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC)  # 22:30: it has to wait
    await _manual(kit, trainee)
    await kit.publish(trainee, TraineePersonalDataErased(erased_on=dt.date(2026, 11, 26)))
    kit.clock.advance(hours=12)
    async with JsonPoster() as client:
        await kit.dispatcher(client).dispatch_due()
    assert [(m["status"], m["suppressed_reason"]) for m in await kit.messages(trainee)] == [
        ("suppressed", "erased")
    ]
    assert await _contact(kit, trainee) is None
    assert await kit.outbox_types(trainee) == ["NotificationSuppressed"]
    assert await gateway_messages(kit.gateway, phone) == []
    async with kit.pool.acquire() as conn:
        state = await contacts.contact_state(conn, trainee)
    assert state == ContactState(False, False, erased=True), "later events are not left waiting"
