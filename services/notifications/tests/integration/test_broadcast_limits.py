"""Campaign broadcasts under the sending rules, with the real database and gateway and a
clock the test moves: `send_from` and quiet hours, the daily limit, the provider's rate, and
the channel report's sums."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from xkld_notifications.adapters import broadcasts as db
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.domain.broadcast import Happened
from xkld_shared.testing.system import gateway_messages
from xkld_testkit.notifications_testing import (
    MORNING,
    Kit,
    e164,
    faults,
    random_phone,
)

TODAY = dt.date(2026, 11, 26)  # MORNING's local day


async def _channels(gateway: str, phone: str) -> list[str]:
    return sorted(str(m["sms_type"]) for m in await gateway_messages(gateway, phone))


async def test_send_from_and_quiet_hours_hold_a_campaign_until_its_morning(
    kit: Kit, new_campaign: Any
) -> None:
    later, night = random_phone(), random_phone()
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        held = await campaign.add(later, route="sms", send_from=TODAY + dt.timedelta(days=2))
        kit.clock.now = MORNING.replace(hour=15)  # 22:00 in Vietnam
        quiet = await campaign.add(night, route="sms")
        await campaign.dispatcher.dispatch_due()
        assert await _channels(kit.gateway, night) == []
        kit.clock.now = MORNING + dt.timedelta(days=1)  # 09:00 the next day
        await campaign.dispatcher.dispatch_due()
        assert await _channels(kit.gateway, night) == ["2"]
        assert await _channels(kit.gateway, later) == []
        kit.clock.now = MORNING + dt.timedelta(days=2)
        await campaign.dispatcher.dispatch_due()
    assert await _channels(kit.gateway, later) == ["2"]
    assert (await campaign.row(held))["state"] == "sms_sent"
    assert (await campaign.row(quiet))["state"] == "sms_sent"


async def test_the_daily_limit_defers_a_campaign_message_to_the_next_morning(
    kit: Kit, new_campaign: Any
) -> None:
    phone, recipient = random_phone(), uuid.uuid4()
    async with JsonPoster() as client:
        first, second = new_campaign(client, daily_limit=1), new_campaign(client, daily_limit=1)
        ids = [
            await first.add(phone, route="sms", recipient_id=recipient),
            await second.add(phone, route="sms", recipient_id=recipient),
        ]
        await first.dispatcher.dispatch_due()
        await first.dispatcher.dispatch_due()
        assert len(await gateway_messages(kit.gateway, phone)) == 1
        states = sorted([(await first.row(i))["state"] for i in ids])
        assert states == ["pending_sms", "sms_sent"]
        kit.clock.advance(days=1)
        await first.dispatcher.dispatch_due()
    assert len(await gateway_messages(kit.gateway, phone)) == 2


async def test_the_provider_rate_caps_the_sends_started_in_one_second(
    kit: Kit, new_campaign: Any
) -> None:
    phones = [random_phone() for _ in range(8)]
    async with JsonPoster() as client:
        campaign = new_campaign(client, sms_rate_per_second=3)
        for phone in phones:
            await campaign.add(phone, route="sms")
        kit.clock.now = MORNING.replace(minute=7, second=3, microsecond=0)
        first = await campaign.dispatcher.dispatch_due()
        same_second = await campaign.dispatcher.dispatch_due()
        assert campaign.dispatcher.rate_limited  # the worker would wait for the next second
        kit.clock.advance(seconds=1)
        next_second = await campaign.dispatcher.dispatch_due()
    assert (first, same_second, next_second) == (3, 0, 3)
    sent = [len(await gateway_messages(kit.gateway, phone)) for phone in phones]
    assert sorted(sent) == [0, 0, 1, 1, 1, 1, 1, 1]


async def test_the_channel_report_counts_and_costs_what_happened(
    kit: Kit, new_campaign: Any
) -> None:
    no_zalo, with_zalo, sms_only, stopped = (random_phone() for _ in range(4))
    await faults(kit.gateway, zalo_no_account_phones=[no_zalo])
    async with JsonPoster() as client:
        campaign = new_campaign(client)
        await campaign.flow.stop_keyword(kit.pool, e164(stopped))
        await campaign.add(no_zalo)
        zalo_id = await campaign.add(with_zalo)
        await campaign.add(sms_only, route="sms")
        await campaign.add(stopped, route="sms")
        await campaign.dispatcher.dispatch_due()
        await campaign.dispatcher.dispatch_due()
        await campaign.flow.report(kit.pool, zalo_id, Happened.ZALO_DELIVERED, "m")
    start = kit.clock() - dt.timedelta(hours=1)
    await kit.pool.execute(
        "UPDATE broadcast_message SET commune_code = '99999' WHERE broadcast_id = $1",
        campaign.broadcast_id,
    )  # alone in its commune, whatever earlier tests queued
    rows = await db.channel_report(kit.pool, ["99999"], None, start, start + dt.timedelta(hours=2))
    report = {r["channel"]: dict(r) for r in rows}
    assert report["zalo"] | {"channel": "zalo"} == {
        "channel": "zalo", "sent": 1, "delivered": 1, "failed": 1, "cost_vnd": 300,
        "fallbacks": 1, "no_account": 1,
    }  # fmt: skip
    assert (report["sms"]["sent"], report["sms"]["cost_vnd"], report["sms"]["fallbacks"]) == (
        2,
        1500,
        1,
    )
    assert report["suppressed"]["sent"] == 1
