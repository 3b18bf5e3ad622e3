"""A campaign broadcast to a thousand recipients, Zalo first and SMS for the numbers without
Zalo, through the real service processes: two replicas consuming `xkld.outreach`, every
request published twice, one replica killed mid-way and restarted, and a gateway that fails
30% of requests. Each recipient is carried once, on one channel; the channel report agrees
with the rows; no phone reaches a log."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import uuid
from collections import Counter

import asyncpg
import pytest
from openpyxl import load_workbook
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.outreach import CampaignBroadcastRequested
from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import produce_raw
from xkld_shared.testing.processes import ServiceProcess, free_port
from xkld_testkit.notifications_testing import cipher, e164, faults, random_phone

# Its own waits run to six minutes: on a busy machine the default 180 s cut it short.
pytestmark = pytest.mark.timeout(900)

RECIPIENTS = 1000
COMMUNE = "29800"
NO_ZALO_DIGITS = "37"  # numbers ending in 3 or 7 have no Zalo account
TOKEN = "test-callback-token"


def _distinct_phones(n: int) -> list[str]:
    """Random numbers, none twice: a thousand draws of seven digits would repeat one now and
    then, and two recipients on one phone rightly get two messages."""
    phones: set[str] = set()
    while len(phones) < n:
        phones.add(random_phone())
    return sorted(phones)


def _replica(ns: Namespace, gateway: str, port: int) -> ServiceProcess:
    env = ns.env(
        "notifications",
        XKLD_SMS_BASE_URL=gateway,
        XKLD_ZALO_BASE_URL=gateway,
        XKLD_ZALO_ACCESS_TOKEN="test-zalo-token",
        XKLD_SMS_CALLBACK_URL=f"http://127.0.0.1:{port}/sms/delivery-reports",
        XKLD_SMS_MAX_ATTEMPTS="15",  # 0.3^15: a message never runs out of retries by chance
        XKLD_SMS_RETRY_BASE_SECONDS="0.05",
        XKLD_SMS_RETRY_CAP_SECONDS="0.5",
        XKLD_SMS_BREAKER_COOLDOWN_SECONDS="0.5",
        XKLD_SMS_BATCH_SIZE="100",
        XKLD_SMS_RATE_PER_SECOND="400",
        XKLD_ZALO_RATE_PER_SECOND="400",
        XKLD_ZALO_CALLBACK_TIMEOUT_SECONDS="120",
    )
    return ServiceProcess("xkld_notifications", env, port=port)


def _requests(ns: Namespace, phones: list[str]) -> list[Envelope]:
    campaign, broadcast = uuid.uuid4(), uuid.uuid4()
    seal = cipher(ns)
    return [
        new_envelope(
            CampaignBroadcastRequested(
                campaign_id=campaign,
                broadcast_id=broadcast,
                recipient_id=uuid.uuid4(),
                commune_code=COMMUNE,
                province_code="86",
                phone_ciphertext=seal.encrypt(e164(phone), purpose=PHONE_PURPOSE),
                route="zalo_then_sms",
                sms_text="XKLD: Chinh sach vay von di lam viec o nuoc ngoai. Hoi can bo xa.",
                zalo_template_id="231456",
                zalo_params={"chuong_trinh": "Vay von XKLD"},
                send_from=dt.date(2026, 1, 1),
            ),
            registration_id=campaign,
            producer="test",
        )
        for phone in phones
    ]


async def _publish(ns: Namespace, envelopes: list[Envelope]) -> None:
    records = [(e.partition_key, e.to_bytes()) for e in envelopes]
    await produce_raw(ns.infra.kafka_bootstrap, ns.topics.of(Stream.OUTREACH), records)


async def _carried(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        done = await conn.fetchval(
            "SELECT count(*) FROM broadcast_message WHERE state IN ('delivered', 'sms_sent')"
        )
    finally:
        await conn.close()
    return int(done)


async def _until_carried(dsn: str, expected: int, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await _carried(dsn) >= expected:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{await _carried(dsn)} of {expected} carried")


async def _gateway_channels(gateway: str, phones: set[str]) -> dict[str, list[str]]:
    async with local_client(timeout=30) as client:
        answer = await client.get(f"{gateway}/_admin/messages")
    by_phone: dict[str, list[str]] = {}
    for m in answer.json()["messages"]:
        national = "0" + str(m["phone_normalized"])[2:]
        if national in phones:
            by_phone.setdefault(national, []).append(str(m["sms_type"]))
    return by_phone


async def _settled(dsn: str) -> list[dict[str, object]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT envelope FROM outbox WHERE event_type = 'BroadcastRecipientSettled'"
        )
    finally:
        await conn.close()
    return [json.loads(r["envelope"])["payload"] for r in rows]


@pytest.mark.cost(120)
async def test_a_thousand_recipients_are_each_carried_once_through_a_crash_and_30_percent_errors(
    namespace: Namespace, gateway: str
) -> None:
    phones = _distinct_phones(RECIPIENTS)
    requests = _requests(namespace, phones)
    first_port, second_port = free_port(), free_port()
    first = _replica(namespace, gateway, first_port)
    second = _replica(namespace, gateway, second_port)
    zalo_hook = f"http://127.0.0.1:{second_port}/sms/zalo-callbacks?token={TOKEN}"
    await faults(
        gateway,
        error_rate=0.3,
        fail_status=503,
        seed=11,
        zalo_callback_url=zalo_hook,
        zalo_no_account_last_digits=NO_ZALO_DIGITS,
    )
    dsn = namespace.dsn("notifications")
    await first.start()
    await second.start()
    try:
        await _publish(namespace, requests)
        await _publish(namespace, requests[: RECIPIENTS // 2])  # redelivered
        await _until_carried(dsn, RECIPIENTS // 5, 120)
        await first.kill()  # mid-broadcast: leases and uncommitted offsets are left behind
        await _publish(namespace, requests[RECIPIENTS // 2 :])  # redelivered
        await first.start()
        await _until_carried(dsn, RECIPIENTS, 240)
        # A process's first XLSX imports openpyxl: seconds on a loaded machine, over httpx's 5.
        async with local_client(timeout=60) as client:
            officer = namespace.auth(Role.COMMUNE_OFFICER, communes=(COMMUNE,))
            url = f"{second.url}/sms/channel-report"  # the last 30 days, today's included
            report = await client.get(url, headers=officer)
            as_csv = await client.get(url, params={"format": "csv"}, headers=officer)
            as_xlsx = await client.get(url, params={"format": "xlsx"}, headers=officer)
            elsewhere = await client.get(
                url, headers=namespace.auth(Role.COMMUNE_OFFICER, communes=("29641",))
            )
            bad_range = await client.get(
                url, params={"from": "2026-12-01", "to": "2026-11-01"}, headers=officer
            )
            forged = await client.post(
                f"{second.url}/sms/zalo-callbacks",
                params={"token": "wrong"},
                json={"event_name": "user_received_message"},
            )
    finally:
        await first.terminate()
        await second.terminate()
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM broadcast_message") == RECIPIENTS
        rows = await conn.fetch(
            "SELECT channel, zalo_cost_vnd, sms_cost_vnd FROM broadcast_message"
        )
    finally:
        await conn.close()

    carried = await _gateway_channels(gateway, set(phones))
    for phone in phones:
        expected = ["2"] if phone[-1] in NO_ZALO_DIGITS else ["zns"]
        assert carried.get(phone) == expected, phone  # one channel, once
    # What outreach hears: per recipient, each (outcome, channel) once, on one channel. A
    # delivery report that beats the send's own answer publishes `delivered` without `sent`.
    heard: dict[str, list[tuple[object, object]]] = {}
    for s in await _settled(dsn):
        heard.setdefault(str(s["recipient_id"]), []).append((s["outcome"], s["channel"]))
    assert len(heard) == RECIPIENTS
    for outcomes in heard.values():
        assert len(outcomes) == len(set(outcomes)), outcomes
        assert len({channel for _, channel in outcomes}) == 1, outcomes
    assert Counter(o for outcomes in heard.values() for o, _ in outcomes)["failed"] == 0

    assert report.status_code == 200, report.text
    lines = {line["channel"]: line for line in report.json()["channels"]}
    no_zalo = sum(1 for p in phones if p[-1] in NO_ZALO_DIGITS)
    assert lines["zalo"]["sent"] == RECIPIENTS - no_zalo
    assert lines["zalo"]["no_account"] == lines["zalo"]["fallbacks"] == no_zalo
    assert lines["sms"]["sent"] == lines["sms"]["fallbacks"] == no_zalo
    assert lines["zalo"]["cost_vnd"] == sum(r["zalo_cost_vnd"] for r in rows)
    assert lines["zalo"]["cost_vnd"] == 300 * (RECIPIENTS - no_zalo)
    assert lines["sms"]["cost_vnd"] == sum(r["sms_cost_vnd"] for r in rows) == 750 * no_zalo

    # The exports carry the same figures under Vietnamese headings; other communes see none.
    csv_lines = as_csv.content.decode("utf-8-sig").splitlines()
    assert csv_lines[1].startswith("Kênh,Đã gửi,Đã nhận")
    assert f"Zalo ZNS,{lines['zalo']['sent']}," in as_csv.text
    book = load_workbook(io.BytesIO(as_xlsx.content))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[3]][:2] == ["Zalo ZNS", lines["zalo"]["sent"]]
    assert all(line["sent"] == 0 for line in elsewhere.json()["channels"])
    assert bad_range.status_code == 422
    assert bad_range.json()["error"]["message_vi"]
    assert forged.status_code == 401

    logs = first.logs() + second.logs()
    for phone in phones[:50]:
        for form in (phone, e164(phone), e164(phone)[1:]):
            assert form not in logs, "a phone number reached a log line"
    assert "test-zalo-token" not in logs
