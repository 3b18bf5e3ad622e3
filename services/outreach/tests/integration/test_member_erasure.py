"""Erasure of a survey member who never registered: the name and sealed phone go, the answers
stay and keep counting, no broadcast and no conversion reach them afterwards. A real outreach
process, PG and Kafka."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import httpx
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.registration import RegistrationSubmitted
from xkld_shared.contracts.topics import Stream
from xkld_shared.contracts.training import CoursePlanLineSet
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import random_mobile

from .conftest import (
    OTHER,
    active_campaign,
    add_household,
    keyed,
    labour_officer,
    member,
    officer,
    open_round,
)

SOLDIER = ["demobilised_soldier"]


async def _member_row(namespace: Namespace, member_id: str) -> asyncpg.Record:
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        row = await conn.fetchrow("SELECT * FROM survey_member WHERE id = $1", uuid.UUID(member_id))
    finally:
        await conn.close()
    assert row is not None
    return row


async def _audit_count(namespace: Namespace, action: str) -> int:
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM audit.audit_log WHERE action = $1", action
        )
    finally:
        await conn.close()
    return count


async def _surveyed(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[str]:
    round_id = await open_round(client, url, headers)
    people = [member(phone=random_mobile(), priority_groups=SOLDIER) for _ in range(2)]
    household = await add_household(client, url, round_id, headers, people)
    ids: list[str] = household["member_ids"]
    return ids


def _erase(
    client: httpx.AsyncClient,
    member_id: str,
    headers: dict[str, str],
    reason: str = "subject_request",
) -> Any:
    return client.post(
        f"/survey-members/{member_id}/erasure", json={"reason": reason}, headers=headers
    )


async def test_erasure_empties_the_name_and_phone_keeps_the_answers_and_a_retry_is_one_erasure(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        erased, kept = await _surveyed(client, outreach.url, headers)
        before = (await client.get("/survey-rollups", headers=headers)).json()
        same = keyed(headers)
        first = await _erase(client, erased, same)
        retry = await _erase(client, erased, same)
        again = await _erase(client, erased, keyed(headers))
        after = (await client.get("/survey-rollups", headers=headers)).json()
    assert first.status_code == 200, first.text
    assert first.json()["reason"] == "subject_request"
    assert retry.json() == first.json()
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "erasure_refused"
    assert again.json()["error"]["message_vi"]
    row = await _member_row(namespace, erased)
    assert (row["full_name"], row["phone_sealed"]) == (None, None)
    assert row["erased_at"] is not None
    assert (row["erased_by"], row["erasure_reason"]) == ("can-bo-xa", "subject_request")
    assert (row["age_band"], row["wants_abroad"], row["market_code"]) == ("18-24", True, "JP_TITP")
    other = await _member_row(namespace, kept)
    assert other["full_name"] == "Trần Văn Bình", "only the person asked for is erased"
    assert other["phone_sealed"] is not None
    assert after == before, "the anonymous answers keep counting"
    assert after["totals"]["members"] == 2
    assert await _audit_count(namespace, "survey_member.erased") == 1
    trail = await _audit_text(namespace, "survey_member.erased")
    assert "«sealed»" in trail
    assert "Trần Văn Bình" not in trail, "the trail never echoes the erased name"


async def _audit_text(namespace: Namespace, action: str) -> str:
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        rows = await conn.fetch("SELECT * FROM audit.audit_log WHERE action = $1", action)
    finally:
        await conn.close()
    return " ".join(str(dict(r)) for r in rows)


async def test_an_erased_member_is_left_out_of_a_later_broadcast(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        erased, kept = await _surveyed(client, outreach.url, headers)
        assert (await _erase(client, erased, keyed(headers))).status_code == 200
        campaign_id = await active_campaign(client, outreach.url, headers)
        sent = await client.post(
            f"/campaigns/{campaign_id}/broadcasts", json={"route": "sms"}, headers=keyed(headers)
        )
        listed = await client.get(f"/campaigns/{campaign_id}/recipients", headers=headers)
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipients"] == 1
    assert kept in listed.text
    assert erased not in listed.text


async def test_an_erased_member_is_refused_conversion_and_never_linked_to_a_late_file(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        erased, _ = await _surveyed(client, outreach.url, headers)
        assert (await _erase(client, erased, keyed(headers))).status_code == 200
        intake = await client.get(f"/respondents/{erased}/intake", headers=headers)
    assert intake.status_code == 409
    assert intake.json()["error"]["code"] == "member_erased"
    assert "xoá" in intake.json()["error"]["message_vi"]
    # A file made from a pre-fill fetched before the erasure arrives afterwards; a plan line
    # on the same partition behind it shows when the consumer has passed it.
    registration_id, line_id = uuid.uuid4(), uuid.uuid4()
    events = [
        new_envelope(_submitted(erased), registration_id=registration_id, producer="registration"),
        new_envelope(_plan_line(line_id), registration_id=registration_id, producer="training"),
    ]
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        namespace.topics.of(Stream.REGISTRATION),
        [(e.partition_key, e.to_bytes()) for e in events],
    )

    async def line_seen() -> bool | None:
        conn = await asyncpg.connect(namespace.dsn("outreach"))
        try:
            seen = await conn.fetchval("SELECT true FROM plan_capacity WHERE line_id = $1", line_id)
        finally:
            await conn.close()
        return True if seen else None

    assert await eventually(line_seen, timeout=60)
    row = await _member_row(namespace, erased)
    assert row["registration_id"] is None, "an erased member is never tied to a named file"


async def test_a_converted_member_is_sent_to_the_registrations_own_erasure(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        converted, _ = await _surveyed(client, outreach.url, headers)
        registration_id = uuid.uuid4()
        event = new_envelope(
            _submitted(converted), registration_id=registration_id, producer="registration"
        )
        await produce_raw(
            namespace.infra.kafka_bootstrap,
            namespace.topics.of(Stream.REGISTRATION),
            [(event.partition_key, event.to_bytes())],
        )

        async def linked() -> str | None:
            answer = await client.get(f"/respondents/{converted}/intake", headers=headers)
            value: str | None = answer.json()["registration_id"]
            return value

        assert await eventually(linked, timeout=60) == str(registration_id)
        refused = await _erase(client, converted, keyed(headers))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "erasure_refused"
    assert f"/registrations/{registration_id}/erasure" in refused.json()["error"]["message_vi"]
    row = await _member_row(namespace, converted)
    assert row["full_name"] == "Trần Văn Bình", "refused, so nothing changed"
    assert row["erased_at"] is None


async def test_only_officers_of_the_members_commune_or_province_may_erase(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        first, second = await _surveyed(client, outreach.url, headers)
        stranger = await _erase(client, first, keyed(officer(namespace, OTHER)))
        far_province = await _erase(client, first, keyed(labour_officer(namespace, "79")))
        unknown = await _erase(client, str(uuid.uuid4()), keyed(headers))
        province = await _erase(
            client, second, keyed(labour_officer(namespace)), "consent_withdrawn"
        )
    assert [stranger.status_code, far_province.status_code, unknown.status_code] == [404] * 3
    assert stranger.json()["error"]["code"] == "respondent_not_found"
    assert province.status_code == 200, province.text
    assert province.json()["erased_by"] == "can-bo-lao-dong"
    assert (await _member_row(namespace, first))["erased_at"] is None
    assert (await _member_row(namespace, second))["erasure_reason"] == "consent_withdrawn"


async def test_a_bad_reason_or_a_missing_key_is_refused_and_changes_nothing(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=60) as client:
        member_id, _ = await _surveyed(client, outreach.url, headers)
        bad_reason = await _erase(client, member_id, keyed(headers), "moved_away")
        no_reason = await client.post(
            f"/survey-members/{member_id}/erasure", json={}, headers=keyed(headers)
        )
        no_key = await _erase(client, member_id, headers)
    assert [bad_reason.status_code, no_reason.status_code, no_key.status_code] == [422] * 3
    assert bad_reason.json()["error"]["message_vi"]
    row = await _member_row(namespace, member_id)
    assert row["full_name"] == "Trần Văn Bình"
    assert row["phone_sealed"] is not None
    assert row["erased_at"] is None
    assert await _audit_count(namespace, "survey_member.erased") == 0


def _submitted(member_id: str) -> RegistrationSubmitted:
    return RegistrationSubmitted(
        commune_code="29800",
        gender="male",
        birth_year=2003,
        submitted_on=dt.date(2026, 3, 1),
        phone_ciphertext="sealed",
        sms_consent=True,
        outreach_respondent_id=uuid.UUID(member_id),
    )


def _plan_line(line_id: uuid.UUID) -> CoursePlanLineSet:
    return CoursePlanLineSet(
        line_id=line_id,
        plan_year=2026,
        province_code="86",
        commune_code="29800",
        trade_code="HAN",
        trade_title="Hàn điện",
        institution="Trường Cao đẳng Vĩnh Long",
        places=25,
        planned_starts_on=dt.date(2026, 5, 1),
        planned_ends_on=dt.date(2026, 7, 31),
        budget_vnd=50_000_000,
        set_on=dt.date(2026, 1, 10),
    )
