"""Campaign broadcasts with the real database and the real fake gateway (eSMS and ZNS
shapes), the service's own flow and dispatcher, and a clock the test moves: one message per
recipient, opt-out, Zalo's fallback to SMS, and the rule for a late Zalo report."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from xkld_notifications.adapters import broadcasts as db
from xkld_notifications.adapters import contacts
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.application.broadcasts import (
    Evidence,
)
from xkld_notifications.domain.broadcast import Happened
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import (
    Kit,
    e164,
    faults,
    random_phone,
)

TODAY = dt.date(2026, 11, 26)  # MORNING's local day


async def _channels(gateway: str, phone: str) -> list[str]:
    return sorted(str(m["sms_type"]) for m in await gateway_messages(gateway, phone))


async def test_a_redelivered_or_repeated_request_queues_one_message_per_recipient(
    kit: Kit, new_campaign: Any
) -> None:
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        phone, recipient = random_phone(), uuid.uuid4()
        envelope, event = campaign.request(phone, recipient_id=recipient)
        await campaign.deliver(envelope, event)
        await campaign.deliver(envelope, event)  # redelivered past the inbox
        again = new_envelope(event, registration_id=campaign.id, producer="test")
        await campaign.deliver(again, event)  # outreach published it twice
        await campaign.dispatcher.dispatch_due()
        await campaign.dispatcher.dispatch_due()
    count = await kit.pool.fetchval(
        "SELECT count(*) FROM broadcast_message WHERE broadcast_id = $1", campaign.broadcast_id
    )
    assert count == 1
    assert await _channels(kit.gateway, phone) == ["zns"]
    assert [(s["outcome"], s["channel"], s["cost_vnd"]) for s in await campaign.settled()] == [
        ("sent", "zalo", 300)
    ]


async def test_a_phone_that_texted_stop_and_a_contact_opted_out_are_suppressed(
    kit: Kit, new_campaign: Any
) -> None:
    stopped, opted, fine = random_phone(), random_phone(), random_phone()
    registration_id, _, _ = await kit.register(opted)
    async with kit.pool.acquire() as conn:  # as the staff toggle does, without its audit
        await contacts.set_opted_out(conn, registration_id, True, kit.clock())
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        await campaign.flow.stop_keyword(kit.pool, e164(stopped))
        ids = [await campaign.add(p, route="sms") for p in (stopped, opted, fine)]
        await campaign.dispatcher.dispatch_due()
    states = [(await campaign.row(i))["state"] for i in ids]
    assert states == ["suppressed", "suppressed", "sms_sent"]
    assert await _channels(kit.gateway, stopped) == []
    assert await _channels(kit.gateway, opted) == []
    outcomes = sorted((s["outcome"], s["channel"], s["reason"]) for s in await campaign.settled())
    assert outcomes == [
        ("sent", "sms", None),
        ("suppressed", None, "opted_out"),
        ("suppressed", None, "opted_out"),
    ]


async def test_a_phone_without_zalo_gets_the_sms_instead_and_only_the_sms(
    kit: Kit, new_campaign: Any
) -> None:
    no_zalo, with_zalo = random_phone(), random_phone()
    await faults(kit.gateway, zalo_no_account_phones=[no_zalo])
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        fallback = await campaign.add(no_zalo)
        await campaign.add(with_zalo)
        await campaign.dispatcher.dispatch_due()  # Zalo: one accepted, one -118
        await campaign.dispatcher.dispatch_due()  # the SMS for the one without Zalo
    assert await _channels(kit.gateway, no_zalo) == ["2"]  # an eSMS customer-care SMS
    assert await _channels(kit.gateway, with_zalo) == ["zns"]
    row = await campaign.row(fallback)
    assert (row["state"], row["fell_back"], row["reason"]) == ("sms_sent", True, "zalo_no_account")
    sent = [(s["channel"], s["fell_back"], s["cost_vnd"]) for s in await campaign.settled()]
    assert sorted(sent) == [("sms", True, 750), ("zalo", False, 300)]


async def test_no_zalo_callback_in_time_sends_the_sms_and_a_late_report_changes_nothing(
    kit: Kit, new_campaign: Any
) -> None:
    phone = random_phone()
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        message_id = await campaign.add(phone)
        await campaign.dispatcher.dispatch_due()
        assert (await campaign.row(message_id))["state"] == "zalo_sent"
        kit.clock.advance(seconds=campaign.deadline_seconds - 1)
        await campaign.dispatcher.dispatch_due()
        assert (await campaign.row(message_id))["state"] == "zalo_sent"  # still in time
        kit.clock.advance(seconds=2)
        await campaign.dispatcher.dispatch_due()  # past the deadline: the SMS goes
        late = await campaign.flow.report(kit.pool, message_id, Happened.ZALO_DELIVERED, "m")
    row = await campaign.row(message_id)
    assert late is True  # noted, and nothing else
    assert (row["state"], row["channel"], row["reason"]) == (
        "sms_sent",
        "sms",
        "zalo_not_delivered",
    )
    assert row["zalo_late_delivered_at"] is not None
    assert await _channels(kit.gateway, phone) == ["2", "zns"]
    outcomes = [(s["outcome"], s["channel"]) for s in await campaign.settled()]
    assert outcomes == [("sent", "zalo"), ("sent", "sms")]


async def test_a_late_zalo_report_before_the_sms_is_taken_up_cancels_the_sms(
    kit: Kit, new_campaign: Any
) -> None:
    phone = random_phone()
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        message_id = await campaign.add(phone)
        await campaign.dispatcher.dispatch_due()
        kit.clock.advance(seconds=campaign.deadline_seconds + 1)
        async with kit.pool.acquire() as conn, conn.transaction():
            [expired] = await db.expired_zalo(conn, kit.clock(), 10)
            await campaign.flow.apply(conn, expired, Happened.ZALO_DEADLINE, Evidence())
        assert (await campaign.row(message_id))["state"] == "pending_sms"
        await campaign.flow.report(kit.pool, message_id, Happened.ZALO_DELIVERED, "m")
        await campaign.dispatcher.dispatch_due()
    row = await campaign.row(message_id)
    assert (row["state"], row["channel"], row["fell_back"]) == ("delivered", "zalo", False)
    assert await _channels(kit.gateway, phone) == ["zns"]
