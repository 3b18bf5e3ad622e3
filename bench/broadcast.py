"""Benchmark: a campaign broadcast end to end, events in, gateway out, against the provider's
configured rate.

    uv run python -m bench.broadcast [--recipients 10000] [--rate 100] [--no-zalo-digits 7]
                                     [--route zalo_then_sms] [--latency-ms 20]

Notifications runs as a real process (as `./scripts/run` starts it) against the real Kafka and
PostgreSQL, with the fake gateway (eSMS and ZNS shapes) as its own process. One
CampaignBroadcastRequested per recipient is published to `xkld.outreach` at once, as outreach
publishes a campaign; the service sends Zalo first and SMS to the numbers without Zalo (those
ending in one of `--no-zalo-digits`). Both channels are paced at `--rate` per second
(XKLD_SMS_RATE_PER_SECOND, XKLD_ZALO_RATE_PER_SECOND), across replicas.

Measured in the same run, from the gateway's own `received_at`: messages per second per
channel (count over first-to-last), the busiest single second (which must not pass the rate),
and the whole campaign from the publish to the last message. Prints figures; asserts nothing.
Quiet hours are off and the daily limit is raised, so the figure does not depend on the hour.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
import uuid
from collections import Counter

import httpx
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.outreach import CampaignBroadcastRequested
from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import produce_raw
from xkld_shared.testing.system import System
from xkld_testkit.notifications_testing import cipher

from bench._common import load, namespace, print_table
from bench.notifications import fake_gateway


def requests(ns: Namespace, n: int, route: str) -> tuple[list[Envelope], list[str]]:
    campaign, broadcast = uuid.uuid4(), uuid.uuid4()
    seal = cipher(ns)
    phones = [f"091{i:07d}" for i in range(n)]
    envelopes = [
        new_envelope(
            CampaignBroadcastRequested(
                campaign_id=campaign,
                broadcast_id=broadcast,
                recipient_id=uuid.uuid4(),
                commune_code="29800",
                province_code="86",
                phone_ciphertext=seal.encrypt("+84" + phone[1:], purpose=PHONE_PURPOSE),
                route=route,
                sms_text="XKLD: Chinh sach vay von di lam viec o nuoc ngoai. Hoi can bo xa.",
                zalo_template_id="231456" if route == "zalo_then_sms" else None,
                zalo_params={"chuong_trinh": "Vay von XKLD"},
                send_from=dt.date(2026, 1, 1),
            ),
            registration_id=campaign,
            producer="bench",
        )
        for phone in phones
    ]
    return envelopes, phones


async def wait_for(gateway: str, expected: int, timeout: float) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=60) as client:
        while True:
            stats = (await client.get(f"{gateway}/_admin/stats")).json()
            if stats["recorded_messages"] >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        messages: list[dict[str, object]] = (await client.get(f"{gateway}/_admin/messages")).json()[
            "messages"
        ]
    return messages


def figures(messages: list[dict[str, object]], channel: str) -> tuple[int, float, int]:
    """(count, messages/s from first to last, the busiest single second)."""
    times = sorted(
        dt.datetime.fromisoformat(str(m["received_at"]))
        for m in messages
        if (m["sms_type"] == "zns") == (channel == "zalo")
    )
    if len(times) < 2:
        return len(times), 0.0, len(times)
    span = (times[-1] - times[0]).total_seconds()
    busiest = max(Counter(t.replace(microsecond=0) for t in times).values())
    return len(times), (len(times) - 1) / span if span else 0.0, busiest


async def bench(n: int, rate: int, digits: str, route: str, latency_ms: int) -> None:
    async with namespace() as ns, fake_gateway(latency_ms) as gateway:
        async with httpx.AsyncClient() as client:
            faults = {"latency_ms": latency_ms, "zalo_no_account_last_digits": digits}
            (await client.put(f"{gateway}/_admin/faults", json=faults)).raise_for_status()
        system = System(ns, gateway)
        await system.start(
            ["notifications"],
            XKLD_SMS_QUIET_HOURS_ENABLED="false",
            XKLD_SMS_DAILY_LIMIT="1000",
            XKLD_SMS_BATCH_SIZE="200",
            XKLD_SMS_RATE_PER_SECOND=str(rate),
            XKLD_ZALO_RATE_PER_SECOND=str(rate),
            XKLD_ZALO_BASE_URL=gateway,
            XKLD_ZALO_ACCESS_TOKEN="test-zalo-token",  # noqa: S106 (the fake's test token)
        )
        try:
            envelopes, _ = requests(ns, n, route)
            print(f"publishing {n:,} broadcast requests ({route}); {load()}")
            started = dt.datetime.now(dt.UTC)
            records = [(e.partition_key, e.to_bytes()) for e in envelopes]
            await produce_raw(ns.infra.kafka_bootstrap, ns.topics.of(Stream.OUTREACH), records)
            messages = await wait_for(gateway, n, timeout=max(120.0, 3 * n / rate))
        finally:
            await system.stop_all()
    last = max(
        (dt.datetime.fromisoformat(str(m["received_at"])) for m in messages), default=started
    )
    whole = (last - started).total_seconds()
    rows = []
    for channel in ("zalo", "sms"):
        count, per_second, busiest = figures(messages, channel)
        rows.append([channel, f"{rate}", f"{per_second:,.1f}", f"{busiest}", f"{count:,}"])
    rows.append(["campaign, publish to last message", "", f"{len(messages) / whole:,.1f}", "", ""])
    print_table(
        f"{n:,} recipients, route {route}, no Zalo for numbers ending in {digits!r}, "
        f"gateway latency {latency_ms} ms, {whole:.1f} s in all; {load()}",
        ["channel", "rate /s", "sent /s", "busiest s", "messages"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000, help="recipients (10000)")
    parser.add_argument("--rate", type=int, default=100, help="provider rate per channel (100/s)")
    parser.add_argument("--no-zalo-digits", default="7", help="last digits without Zalo ('7')")
    parser.add_argument("--route", default="zalo_then_sms", choices=["zalo_then_sms", "sms"])
    parser.add_argument("--latency-ms", type=int, default=20, help="gateway latency (20)")
    a = parser.parse_args()
    asyncio.run(bench(a.recipients, a.rate, a.no_zalo_digits, a.route, a.latency_ms))


if __name__ == "__main__":
    main()
