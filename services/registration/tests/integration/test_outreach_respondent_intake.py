"""A file made from a labour-demand survey respondent is made once, however often (and however
concurrently) the conversion is sent, and its event names the respondent for outreach."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import read_all
from xkld_shared.testing.processes import serving
from xkld_shared.testing.system import officer_of, registration_body


async def test_ten_concurrent_intakes_of_one_respondent_make_one_file(
    namespace: Namespace,
) -> None:
    respondent = str(uuid.uuid4())
    body = registration_body(outreach_respondent_id=respondent)
    headers = officer_of(namespace, "29800")
    env = namespace.env("registration", XKLD_HTTP_WORKERS="2")  # two processes race, too
    async with serving("xkld_registration", env) as proc:
        limits = httpx.Limits(max_connections=10)
        async with local_client(base_url=proc.url, limits=limits, timeout=60) as client:
            answers = await asyncio.gather(
                *(client.post("/registrations", json=body, headers=headers) for _ in range(10))
            )
            later = await client.post(
                "/registrations",
                json=body,
                headers=headers | {"Idempotency-Key": "later-conversion-1"},
            )
    assert all(a.status_code in (200, 201) for a in answers), [a.text for a in answers]
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert later.status_code == 200, later.text
    ids = {a.json()["registration_id"] for a in answers} | {later.json()["registration_id"]}
    assert len(ids) == 1
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM registration WHERE outreach_respondent_id = $1",
            uuid.UUID(respondent),
        )
    finally:
        await conn.close()
    assert count == 1
    topic = namespace.topics.of(Stream.REGISTRATION)
    [record] = await read_all(namespace.infra.kafka_bootstrap, topic, 1)
    assert record.value is not None
    event = Envelope.from_bytes(record.value)
    assert event.payload["outreach_respondent_id"] == respondent
    assert str(event.registration_id) in ids


async def test_an_intake_without_a_respondent_is_unchanged(namespace: Namespace) -> None:
    headers = officer_of(namespace, "29800")
    async with (
        serving("xkld_registration", namespace.env("registration")) as proc,
        local_client(base_url=proc.url) as client,
    ):
        first = await client.post("/registrations", json=registration_body(), headers=headers)
        second = await client.post("/registrations", json=registration_body(), headers=headers)
        bad = await client.post(
            "/registrations",
            json=registration_body(outreach_respondent_id="not-a-uuid"),
            headers=headers,
        )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["registration_id"] != second.json()["registration_id"]
    assert bad.status_code == 422
