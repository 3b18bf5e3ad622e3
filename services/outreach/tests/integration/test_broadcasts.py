"""A campaign's broadcast through the API and Kafka: exactly one request event per eligible
person, none more on a retry, nobody twice across broadcasts; outcomes from notifications; and
the funnel of a known scenario, with its exports. A real outreach process, PG and Kafka."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import time
import uuid
from typing import Any

import asyncpg
from openpyxl import load_workbook
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.journey import WorkerDeparted
from xkld_shared.contracts.notification import BroadcastRecipientSettled
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.crypto import FieldCipher, parse_keyring
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw, read_to_end
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import random_mobile

from .conftest import active_campaign, add_household, keyed, member, officer, open_round

SOLDIER = ["demobilised_soldier"]


def stays(**overrides: Any) -> dict[str, Any]:
    return member(wants_abroad=False, market_code=None, abroad_when=None) | overrides


async def requested(namespace: Namespace) -> list[Envelope]:
    records = await read_to_end(
        namespace.infra.kafka_bootstrap, [namespace.topics.of(Stream.OUTREACH)]
    )
    return [
        e
        for e in (Envelope.from_bytes(r.value) for r in records if r.value is not None)
        if e.event_type == "CampaignBroadcastRequested"
    ]


async def produce(namespace: Namespace, stream: Stream, envelopes: list[Envelope]) -> None:
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        namespace.topics.of(stream),
        [(e.partition_key, e.to_bytes()) for e in envelopes],
    )


def settled(campaign_id: str, r: dict[str, Any], outcome: str, **extra: Any) -> Envelope:
    event = BroadcastRecipientSettled(
        campaign_id=uuid.UUID(campaign_id),
        broadcast_id=uuid.UUID(r["broadcast_id"]),
        recipient_id=uuid.UUID(r["recipient_id"]),
        outcome=outcome,
        settled_at=dt.datetime.now(dt.UTC),
        **extra,
    )
    return new_envelope(event, registration_id=uuid.UUID(campaign_id), producer="notifications")


async def test_a_broadcast_asks_once_per_eligible_person_and_never_twice_across_broadcasts(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    phones = [random_mobile() for _ in range(4)]
    async with local_client(base_url=outreach.url, timeout=60) as client:
        round_id = await open_round(client, outreach.url, headers)
        people = [member(phone=p, priority_groups=SOLDIER) for p in phones[:3]]
        others = [
            member(contact_consent=False, priority_groups=SOLDIER),  # no consent
            member(priority_groups=SOLDIER),  # no phone
            member(phone=random_mobile(), priority_groups=["poor_household"]),  # not targeted
        ]
        first_household = await add_household(
            client, outreach.url, round_id, headers, people + others
        )
        campaign_id = await active_campaign(client, outreach.url, headers)
        same = keyed(headers)
        first = await client.post(
            f"/campaigns/{campaign_id}/broadcasts", json={"route": "zalo_then_sms"}, headers=same
        )
        retry = await client.post(
            f"/campaigns/{campaign_id}/broadcasts", json={"route": "zalo_then_sms"}, headers=same
        )
        late = await add_household(
            client,
            outreach.url,
            round_id,
            headers,
            [member(phone=phones[3], priority_groups=SOLDIER)],
        )
        second = await client.post(
            f"/campaigns/{campaign_id}/broadcasts", json={"route": "sms"}, headers=keyed(headers)
        )
        listed = await client.get(f"/campaigns/{campaign_id}/recipients", headers=headers)
    assert first.status_code == 201, first.text
    assert (first.json()["recipients"], first.json()["skipped_already_sent"]) == (3, 0)
    assert retry.json() == first.json()
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert (second.json()["recipients"], second.json()["skipped_already_sent"]) == (1, 3)
    events = await eventually(
        lambda: _when(requested(namespace), lambda e: len(e) >= 4), timeout=60
    )
    assert len(events) == 4, "one event per recipient, none for the retry"
    assert {str(e.registration_id) for e in events} == {campaign_id}, "keyed by the campaign"
    cipher = FieldCipher(parse_keyring(namespace.pii_keys), "k1")
    opened = sorted(
        cipher.decrypt(e.payload["phone_ciphertext"], purpose=PHONE_PURPOSE) for e in events
    )
    assert opened == sorted("+84" + p[1:] for p in phones)
    raw = b"".join(e.to_bytes() for e in events)
    assert not any(p[1:].encode() in raw for p in phones), "no phone in clear on the topic"
    assert {e.payload["zalo_template_id"] for e in events[:3]} == {"vay_von_tinh"}
    recipients = listed.json()["recipients"]
    expected = first_household["member_ids"][:3] + late["member_ids"]
    assert sorted(r["respondent_id"] for r in recipients) == sorted(expected)
    assert all(r["outcome"] == "requested" for r in recipients)
    assert not any(p[1:] in listed.text for p in phones)


async def _when(fetch: Any, ok: Any) -> Any:
    value = await fetch
    return value if ok(value) else None


async def test_settled_outcomes_keep_each_recipients_furthest_and_feed_the_funnel(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        round_id = await open_round(client, outreach.url, headers)
        soldiers = await add_household(
            client,
            outreach.url,
            round_id,
            headers,
            [member(phone=random_mobile(), priority_groups=SOLDIER) for _ in range(3)],
        )
        graduates = await add_household(
            client,
            outreach.url,
            round_id,
            headers,
            [
                stays(priority_groups=["unemployed_graduate", "demobilised_soldier"]),
                stays(priority_groups=["unemployed_graduate"]),
            ],
        )
        campaign_id = await active_campaign(
            client,
            outreach.url,
            headers,
            priority_groups=["demobilised_soldier", "unemployed_graduate"],
        )
        sent = await client.post(
            f"/campaigns/{campaign_id}/broadcasts", json={"route": "sms"}, headers=keyed(headers)
        )
        assert sent.json()["recipients"] == 3
        g1, g2 = graduates["member_ids"]
        meeting = {
            "commune_code": "29800",
            "held_on": "2026-03-12",
            "place": "Nhà văn hóa ấp",
            "attendees": [{"respondent_id": g1, "interested": True}, {"respondent_id": g2}],
            "walk_ins": 5,
        }
        met = await client.post(
            f"/campaigns/{campaign_id}/meetings", json=meeting, headers=keyed(headers)
        )
        assert met.status_code == 201, met.text
        listed = (await client.get(f"/campaigns/{campaign_id}/recipients", headers=headers)).json()
        by_member = {r["respondent_id"]: r for r in listed["recipients"]}
        s1, s2, s3 = (by_member[m] for m in soldiers["member_ids"])
        # s1 delivered then a late `sent`; s2 sent then failed; s3 suppressed (opted out).
        await produce(
            namespace,
            Stream.NOTIFICATION,
            [
                settled(campaign_id, s1, "delivered", channel="sms", cost_vnd=350),
                settled(campaign_id, s1, "sent", channel="sms"),
                settled(campaign_id, s2, "sent", channel="sms"),
                settled(campaign_id, s2, "failed", channel="sms", reason="provider_error"),
                settled(campaign_id, s3, "suppressed", reason="opted_out"),
            ],
        )
        # s1 registers and departs (through the registration stream); so does graduate g1.
        events = []
        for respondent in (s1["respondent_id"], g1):
            registration_id = uuid.uuid4()
            submitted = RegistrationSubmitted(
                commune_code="29800",
                gender="male",
                birth_year=2003,
                submitted_on=dt.date(2026, 3, 20),
                phone_ciphertext="sealed",
                sms_consent=True,
                outreach_respondent_id=uuid.UUID(respondent),
            )
            departed = WorkerDeparted(
                departed_on=dt.date(2026, 9, 1), market_code="KR_EPS", enterprise_code="ENT1"
            )
            events += [
                new_envelope(e, registration_id=registration_id, producer="registration")
                for e in (submitted, departed)
            ]
        await produce(namespace, Stream.REGISTRATION, events)

        async def funnel_settled() -> dict[str, Any] | None:
            body: dict[str, Any] = (
                await client.get(f"/campaigns/{campaign_id}/funnel", headers=headers)
            ).json()
            outcomes = (
                await client.get(f"/campaigns/{campaign_id}/recipients", headers=headers)
            ).json()["by_outcome"]
            done = body["total"]["departed"] == 2 and outcomes.get("requested", 0) == 0
            return body if done else None

        funnel = await eventually(funnel_settled, timeout=90)
        outcomes = (
            await client.get(f"/campaigns/{campaign_id}/recipients", headers=headers)
        ).json()
        as_csv = await client.get(f"/campaigns/{campaign_id}/funnel?format=csv", headers=headers)
        as_xlsx = await client.get(f"/campaigns/{campaign_id}/funnel?format=xlsx", headers=headers)
        rollups = await client.get("/survey-rollups/export?format=xlsx", headers=headers)
    assert funnel is not None, "the outcomes and the departures never all arrived"
    final = {r["respondent_id"]: r for r in outcomes["recipients"]}
    assert final[s1["respondent_id"]]["outcome"] == "delivered"
    assert final[s1["respondent_id"]]["cost_vnd"] == 350
    assert final[s2["respondent_id"]]["outcome"] == "failed"
    assert final[s3["respondent_id"]]["outcome"] == "suppressed"
    # Reached: s1 (delivered), g1 and g2 (attended), and 5 walk-ins. Interested: s1 (wants to
    # go), g1 (marked). Registered and departed: s1 and g1.
    assert funnel["total"] == {"reached": 8, "interested": 2, "registered": 2, "departed": 2}
    assert funnel["by_priority_group"] == {
        "demobilised_soldier": {"reached": 2, "interested": 2, "registered": 2, "departed": 2},
        "unemployed_graduate": {"reached": 2, "interested": 1, "registered": 1, "departed": 1},
    }
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert ["Nhóm ưu tiên", "Được tiếp cận", "Quan tâm", "Đã đăng ký", "Đã xuất cảnh"] in lines
    assert ["Bộ đội, công an xuất ngũ", "2", "2", "2", "2"] in lines
    book = load_workbook(io.BytesIO(as_xlsx.content))
    assert book.sheetnames == ["Phễu theo nhóm ưu tiên"]
    survey_book = load_workbook(io.BytesIO(rollups.content))
    assert "Theo nhóm ưu tiên" in survey_book.sheetnames
    assert survey_book["Tổng hợp"]["A4"].value == 5


async def test_a_broadcast_to_ten_thousand_people_writes_every_row_in_one_request(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    """The rows are seeded in SQL (10,000 through the API would test the survey, not this)."""
    headers = officer(namespace)
    size = 10_000
    async with local_client(base_url=outreach.url, timeout=300) as client:
        round_id = await open_round(client, outreach.url, headers)
        household = await add_household(client, outreach.url, round_id, headers, [member()])
        await _seed_members(namespace, round_id, household["household_id"], size)
        campaign_id = await active_campaign(client, outreach.url, headers)
        started = time.perf_counter()
        sent = await client.post(
            f"/campaigns/{campaign_id}/broadcasts", json={"route": "sms"}, headers=keyed(headers)
        )
        took = time.perf_counter() - started
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipients"] == size
    print(f"broadcast of {size} recipients answered in {took:.2f}s")  # a figure, not a test
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        recipients = await conn.fetchval("SELECT count(*) FROM campaign_recipient")
        outbox = await conn.fetchval(
            "SELECT count(DISTINCT envelope) FROM outbox"
            " WHERE event_type = 'CampaignBroadcastRequested'"
        )
    finally:
        await conn.close()
    assert (recipients, outbox) == (size, size)


async def _seed_members(namespace: Namespace, round_id: str, household_id: str, n: int) -> None:
    cipher = FieldCipher(parse_keyring(namespace.pii_keys), "k1")
    ids = [uuid.uuid4() for _ in range(n)]
    phones = [cipher.encrypt("+84" + random_mobile()[1:], purpose=PHONE_PURPOSE) for _ in ids]
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        await conn.execute(
            """INSERT INTO survey_member (id, household_id, round_id, age_band, gender,
                   education, current_work, wants_training, wants_abroad, needs_loan,
                   priority_groups, contact_consent, consent_recorded_by, phone_sealed)
               SELECT m.id, $1::uuid, $2::uuid, '18-24', 'male', 'none', 'farming', false,
                   false, false, '{demobilised_soldier}', true, 'seed', m.phone
               FROM unnest($3::uuid[], $4::text[]) AS m (id, phone)""",
            household_id,
            round_id,
            ids,
            phones,
        )
    finally:
        await conn.close()


async def test_two_broadcasts_sent_at_once_never_ask_for_the_same_person(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        round_id = await open_round(client, outreach.url, headers)
        people = [member(phone=random_mobile(), priority_groups=SOLDIER) for _ in range(5)]
        await add_household(client, outreach.url, round_id, headers, people)
        campaign_id = await active_campaign(client, outreach.url, headers)
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/campaigns/{campaign_id}/broadcasts",
                    json={"route": "sms"},
                    headers=keyed(headers),
                )
                for _ in range(4)
            )
        )
        listed = await client.get(f"/campaigns/{campaign_id}/recipients", headers=headers)
    assert [a.status_code for a in answers] == [201] * 4
    assert sorted(a.json()["recipients"] for a in answers) == [0, 0, 0, 5]
    respondents = [r["respondent_id"] for r in listed.json()["recipients"]]
    assert len(respondents) == len(set(respondents)) == 5
