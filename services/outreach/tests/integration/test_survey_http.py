"""Survey rounds and households through the HTTP API, against real PostgreSQL and Kafka."""

from __future__ import annotations

import json

import asyncpg
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import read_all
from xkld_shared.testing.processes import ServiceProcess

from .conftest import HOME, OTHER, keyed, member, officer, open_round


async def test_a_round_is_opened_once_per_key_and_listed_for_its_commune(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = keyed(officer(namespace), "round-key-1")
    body = {
        "commune_code": HOME,
        "title": "Khảo sát 2026",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
    }
    async with local_client(base_url=outreach.url) as client:
        first = await client.post("/survey-rounds", json=body, headers=headers)
        again = await client.post("/survey-rounds", json=body, headers=headers)
        other_body = await client.post(
            "/survey-rounds", json=body | {"title": "Khác"}, headers=headers
        )
        mine = await client.get("/survey-rounds", headers=officer(namespace))
        theirs = await client.get("/survey-rounds", headers=officer(namespace, OTHER))
        province = await client.get(
            "/survey-rounds", headers=namespace.auth(Role.LABOUR_OFFICER, province="86")
        )
    assert first.status_code == 201, first.text
    assert first.json()["province_code"] == "86"
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other_body.status_code == 422, "the same key for another body is refused"
    assert [r["round_id"] for r in mine.json()] == [first.json()["round_id"]]
    assert theirs.json() == []
    assert [r["round_id"] for r in province.json()] == [first.json()["round_id"]]


async def test_a_household_is_recorded_with_audit_and_anonymous_events(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client() as client:
        round_id = await open_round(client, outreach.url, headers)
        members = [
            member(),
            member(
                full_name="Lê Thị Hoa",
                gender="female",
                wants_abroad=False,
                market_code=None,
                abroad_when=None,
                wants_training=True,
                trade_code="MAY_CN",
                age_band="30-34",
            ),
        ]
        retry = keyed(headers, "household-key-1")
        payload = {"hamlet": "Ấp Tân Phú", "members": members}
        created = await client.post(
            f"{outreach.url}/survey-rounds/{round_id}/households", json=payload, headers=retry
        )
        replay = await client.post(
            f"{outreach.url}/survey-rounds/{round_id}/households", json=payload, headers=retry
        )
        view = await client.get(f"{outreach.url}/survey-rounds/{round_id}", headers=headers)
    assert created.status_code == 201, created.text
    assert replay.json() == created.json()
    [household] = view.json()["households"]
    assert household["hamlet"] == "Ấp Tân Phú"
    assert {m["full_name"] for m in household["members"]} == {"Trần Văn Bình", "Lê Thị Hoa"}
    assert all(m["consent_recorded_by"] == "can-bo-xa" for m in household["members"])
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        actions = await conn.fetch("SELECT action, entity_id FROM audit.audit_log ORDER BY id")
    finally:
        await conn.close()
    assert [a["action"] for a in actions] == ["survey_round.opened", "survey_household.recorded"]
    records = await read_all(
        namespace.infra.kafka_bootstrap, namespace.topics.of(Stream.OUTREACH), 3
    )
    envelopes = [Envelope.from_bytes(r.value) for r in records if r.value is not None]
    assert sorted(e.event_type for e in envelopes) == [
        "SurveyMemberRecorded",
        "SurveyMemberRecorded",
        "SurveyRoundOpened",
    ]
    recorded = [e for e in envelopes if e.event_type == "SurveyMemberRecorded"]
    assert {str(e.registration_id) for e in recorded} == {created.json()["household_id"]}
    dump = json.dumps([e.payload for e in envelopes], ensure_ascii=False)
    assert "Bình" not in dump, "no name travels on the topic"
    assert "Hoa" not in dump


async def test_survey_writes_are_refused_outside_the_officers_communes_and_after_closing(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        elsewhere = await client.post(
            "/survey-rounds",
            json={
                "commune_code": OTHER,
                "title": "x",
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
            },
            headers=keyed(headers),
        )
        stranger = await client.post(
            f"/survey-rounds/{round_id}/households",
            json={"hamlet": "Ấp 1", "members": [member()]},
            headers=keyed(officer(namespace, OTHER)),
        )
        closed = await client.post(f"/survey-rounds/{round_id}/close", headers=headers)
        twice = await client.post(f"/survey-rounds/{round_id}/close", headers=headers)
        late = await client.post(
            f"/survey-rounds/{round_id}/households",
            json={"hamlet": "Ấp 1", "members": [member()]},
            headers=keyed(headers),
        )
    assert elsewhere.status_code == 403, elsewhere.text
    assert stranger.status_code == 404, "another commune's round is not even visible"
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert twice.status_code == 409
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "round_closed"


async def test_contradictory_or_malformed_answers_are_refused_in_vietnamese_first(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    bad_members = [
        member(wants_training=True),  # no trade
        member(wants_abroad=False),  # a market without wanting to go
        member(wants_abroad="yes"),
        member(age_band="70-80"),
        member(priority_groups=["rich"]),
        member(cccd="086200123456"),
        member(full_name="x\x00"),
        member(needs_loan=1),
    ]
    async with local_client(base_url=outreach.url) as client:
        round_id = await open_round(client, outreach.url, headers)
        answers = [
            await client.post(
                f"/survey-rounds/{round_id}/households",
                json={"hamlet": "Ấp 1", "members": [bad]},
                headers=keyed(headers),
            )
            for bad in bad_members
        ]
        no_key = await client.post(
            f"/survey-rounds/{round_id}/households",
            json={"hamlet": "Ấp 1", "members": [member()]},
            headers=headers,
        )
        backwards = await client.post(
            "/survey-rounds",
            json={
                "commune_code": HOME,
                "title": "x",
                "period_start": "2026-02-01",
                "period_end": "2026-01-01",
            },
            headers=keyed(headers),
        )
        old_code = await client.post(
            "/survey-rounds",
            json={
                "commune_code": "29791",
                "title": "x",
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
            },
            headers=keyed(officer(namespace, "29791")),
        )
        view = await client.get(f"/survey-rounds/{round_id}", headers=headers)
    for answer in [*answers, no_key, backwards, old_code]:
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["message_vi"]
        assert error["message_en"]
    assert view.json()["households"] == [], "nothing was written"
