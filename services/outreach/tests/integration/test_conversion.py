"""A respondent who wants to go becomes a registration once, however often (and however
concurrently) the conversion is sent: registration and outreach as real processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import asyncpg
from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, produce_raw, read_to_end
from xkld_shared.testing.processes import ServiceProcess, serving
from xkld_shared.testing.system import consents, random_cccd, random_mobile

from .conftest import add_household, member, officer, open_round


def completed(intake: dict[str, Any]) -> dict[str, Any]:
    """What the officer adds at the desk: what the survey never asks."""
    return intake | {
        "cccd": random_cccd(2003, "male"),
        "date_of_birth": "2003-05-09",
        "phone": random_mobile(),
        "ethnicity_code": "01",
        "household_poverty": "poor",
        "consents": consents(),
        "consent_text_version": "2026-01",
    }


async def test_ten_concurrent_conversions_make_one_registration_and_one_link(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    env = namespace.env("registration", XKLD_HTTP_WORKERS="2")
    async with (
        serving("xkld_registration", env) as registration,
        local_client(timeout=60) as client,
    ):
        round_id = await open_round(client, outreach.url, headers)
        household = await add_household(
            client, outreach.url, round_id, headers, [member(market_code="KR_EPS")]
        )
        [respondent] = household["member_ids"]
        prefill = await client.get(
            f"{outreach.url}/respondents/{respondent}/intake", headers=headers
        )
        assert prefill.status_code == 200, prefill.text
        body = completed(prefill.json()["intake"])
        answers = await asyncio.gather(
            *(
                client.post(f"{registration.url}/registrations", json=body, headers=headers)
                for _ in range(10)
            )
        )

        async def linked() -> str | None:
            answer = await client.get(
                f"{outreach.url}/respondents/{respondent}/intake", headers=headers
            )
            value: str | None = answer.json()["registration_id"]
            return value

        registration_id = await eventually(linked, timeout=60)
    assert prefill.json()["intake"]["full_name"] == "Trần Văn Bình"
    assert prefill.json()["intake"]["outreach_respondent_id"] == respondent
    assert "cccd" in prefill.json()["still_needed"]
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201], [a.text for a in answers]
    assert {a.json()["registration_id"] for a in answers} == {registration_id}
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        files = await conn.fetchval("SELECT count(*) FROM registration")
    finally:
        await conn.close()
    assert files == 1
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        links = await conn.fetch(
            "SELECT registration_id FROM survey_member WHERE registration_id IS NOT NULL"
        )
        audit = await conn.fetchval(
            "SELECT count(*) FROM audit.audit_log WHERE action = 'survey_member.converted'"
        )
    finally:
        await conn.close()
    assert [str(r["registration_id"]) for r in links] == [registration_id]
    assert audit == 1
    records = await read_to_end(
        namespace.infra.kafka_bootstrap, [namespace.topics.of(Stream.OUTREACH)]
    )
    converted = [
        Envelope.from_bytes(r.value)
        for r in records
        if r.value is not None and b"SurveyRespondentConverted" in r.value
    ]
    assert len(converted) == 1
    assert converted[0].payload["registration_id"] == registration_id
    assert str(converted[0].registration_id) == household["household_id"]


async def test_only_a_respondent_who_wants_to_go_and_is_an_adult_is_offered_an_intake(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    stays = member(wants_abroad=False, market_code=None, abroad_when=None)
    young = member(age_band="15-17")
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        household = await add_household(client, outreach.url, round_id, headers, [stays, young])
        answers = [
            await client.get(f"/respondents/{m}/intake", headers=headers)
            for m in household["member_ids"]
        ]
        unknown = await client.get(f"/respondents/{uuid.uuid4()}/intake", headers=headers)
        stranger = await client.get(
            f"/respondents/{household['member_ids'][0]}/intake",
            headers=officer(namespace, "29623"),
        )
    assert [a.status_code for a in answers] == [409, 409]
    assert all(a.json()["error"]["code"] == "not_convertible" for a in answers)
    assert unknown.status_code == 404
    assert stranger.status_code == 404


async def test_an_erased_registration_takes_the_respondents_name_with_it(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        household = await add_household(client, outreach.url, round_id, headers, [member()])
    [respondent] = household["member_ids"]
    registration_id = uuid.uuid4()
    submitted = RegistrationSubmitted(
        commune_code="29800",
        gender="male",
        birth_year=2003,
        submitted_on=dt.date(2026, 3, 1),
        phone_ciphertext="sealed",
        sms_consent=True,
        outreach_respondent_id=uuid.UUID(respondent),
    )
    erased = RegistrationPersonalDataErased(erased_on=dt.date(2026, 3, 2))
    events = [
        new_envelope(e, registration_id=registration_id, producer="registration")
        for e in (submitted, erased)
    ]
    await produce_raw(
        namespace.infra.kafka_bootstrap,
        namespace.topics.of(Stream.REGISTRATION),
        [(e.partition_key, e.to_bytes()) for e in events],
    )

    async def name_left() -> asyncpg.Record | None:
        conn = await asyncpg.connect(namespace.dsn("outreach"))
        try:
            row: asyncpg.Record | None = await conn.fetchrow(
                "SELECT full_name, registration_id, age_band FROM survey_member"
                " WHERE id = $1 AND full_name IS NULL",
                uuid.UUID(respondent),
            )
            return row
        finally:
            await conn.close()

    row = await eventually(name_left, timeout=60)
    assert row is not None, "the name was never erased"
    assert row["registration_id"] == registration_id
    assert row["age_band"] == "18-24", "the anonymous answers stay for the counts"
