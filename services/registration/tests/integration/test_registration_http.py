"""The registration HTTP edge against its real database: bad input changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.crypto import FieldCipher, parse_keyring
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace, Templates, TestInfra
from xkld_shared.testing.processes import ServiceProcess, serving, serving_alone
from xkld_shared.testing.system import consents, officer_of, random_cccd, registration_body

COMMUNES = ("29800", "29623")


def _officer(namespace: Namespace) -> dict[str, str]:
    return officer_of(namespace, *COMMUNES)


@pytest.fixture
async def registration(namespace: Namespace) -> AsyncIterator[str]:
    async with serving("xkld_registration", namespace.env("registration")) as proc:
        yield proc.url


@dataclass(frozen=True)
class Refusing:
    """One service for every bad-input case: each is refused, so none leaves a row for the
    next to trip on, and a case wrongly accepted fails its own check on the empty tables."""

    url: str
    namespace: Namespace


@pytest.fixture(scope="module")
async def refusing(infra: TestInfra, templates: Templates) -> AsyncIterator[Refusing]:
    async with serving_alone(infra, templates, "registration") as (url, ns):
        yield Refusing(url, ns)


async def _rows(namespace: Namespace) -> tuple[int, int]:
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        registrations = await conn.fetchval("SELECT count(*) FROM registration")
        events = await conn.fetchval("SELECT count(*) FROM outbox")
        return int(registrations), int(events)
    finally:
        await conn.close()


BAD_INPUTS: dict[str, tuple[dict[str, object], str]] = {
    "malformed CCCD": ({"cccd": "08620001234"}, "cccd"),
    "CCCD of another birth year": ({"cccd": random_cccd(1999, "male")}, "cccd"),
    "CCCD of the other gender": ({"cccd": random_cccd(2000, "female")}, "cccd"),
    "landline instead of mobile": ({"phone": "02703822222"}, "phone"),
    "malformed phone": ({"phone": "09123"}, "phone"),
    "under eighteen": (
        {"date_of_birth": "2009-01-01", "cccd": random_cccd(2009, "male")},
        "date_of_birth",
    ),
    "impossible date": ({"date_of_birth": "2000-02-30"}, "date_of_birth"),
    "unknown gender": ({"gender": "x"}, "gender"),
    "missing name": ({"full_name": None}, "full_name"),
    "commune code not 5 digits": ({"commune_code": "29-80"}, "commune_code"),
    "commune code in neither list": ({"commune_code": "99999"}, "commune_code"),
    "pre-2025 commune split between new ones": ({"commune_code": "29764"}, "commune_code"),
    "CCCD with an unknown province code": ({"cccd": "099200123456"}, "cccd"),
    "phone of another country": ({"phone": "+14155552671"}, "phone"),
    "unknown priority group": ({"priority_groups": ["rich"]}, "priority_groups.0"),
    "unknown market": ({"desired_market": "XX_NOWHERE"}, "desired_market"),
    "too old for Korea EPS": (
        {
            "date_of_birth": "1980-01-01",
            "cccd": random_cccd(1980, "male"),
            "desired_market": "KR_EPS",
        },
        "desired_market",
    ),
    "no consent to processing": (
        {"consents": consents(registration_processing=False)},
        "consents.registration_processing",
    ),
    "a consent purpose left unanswered": (
        {"consents": {"registration_processing": True, "sms_notifications": True}},
        "consents.share_with_enterprise",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
async def test_bad_input_gets_a_bilingual_422_and_stores_nothing(
    refusing: Refusing, case: str
) -> None:
    namespace = refusing.namespace
    overrides, field = BAD_INPUTS[case]
    body = registration_body(**overrides)
    body = {k: v for k, v in body.items() if v is not None}
    async with local_client() as client:
        answer = await client.post(
            f"{refusing.url}/registrations", json=body, headers=_officer(namespace)
        )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["fields"][0]["field"] == field
    assert error["fields"][0]["message_vi"]
    assert error["fields"][0]["message_en"]
    assert "Traceback" not in answer.text
    assert await _rows(namespace) == (0, 0)


async def test_body_that_is_not_json_gets_a_clear_422(
    registration: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        answer = await client.post(
            f"{registration}/registrations",
            content=b"{not json",
            headers={"content-type": "application/json", **_officer(namespace)},
        )
    assert answer.status_code == 422
    assert "JSON" in answer.json()["error"]["message_en"]


async def test_rejects_second_registration_with_same_cccd(
    registration: str, namespace: Namespace
) -> None:
    first = registration_body(commune_code="29800")
    again = registration_body(cccd=first["cccd"], commune_code="29623", phone="0987654321")
    async with local_client() as client:
        created = await client.post(
            f"{registration}/registrations", json=first, headers=_officer(namespace)
        )
        duplicate = await client.post(
            f"{registration}/registrations", json=again, headers=_officer(namespace)
        )
    assert created.status_code == 201
    assert duplicate.status_code == 409
    error = duplicate.json()["error"]
    assert error["code"] == "duplicate_active_registration"
    assert "29800" in error["message_vi"], "the officer must learn where the file is"
    assert str(first["cccd"]) not in duplicate.text
    assert await _rows(namespace) == (1, 1)


async def test_the_same_person_submitted_many_times_at_once_gets_one_file(
    registration: str, namespace: Namespace
) -> None:
    """Concurrent submissions share a group commit: the duplicates in one batch, and those
    racing across batches, each get the 409; others in the same batches are not disturbed."""
    person = registration_body(commune_code="29800")
    others = [registration_body() for _ in range(6)]
    bodies = [person] * 10 + others
    async with local_client() as client:
        answers = await asyncio.gather(
            *(
                client.post(f"{registration}/registrations", json=b, headers=_officer(namespace))
                for b in bodies
            )
        )
    codes = [a.status_code for a in answers]
    assert codes[:10].count(201) == 1
    assert codes[:10].count(409) == 9
    assert codes[10:] == [201] * 6
    assert all(
        a.json()["error"]["code"] == "duplicate_active_registration"
        for a in answers
        if a.status_code == 409
    )
    assert await _rows(namespace) == (7, 7)


async def test_cccd_and_phone_are_not_stored_in_clear(
    registration: str, namespace: Namespace
) -> None:
    body = registration_body()
    async with local_client() as client:
        assert (
            await client.post(
                f"{registration}/registrations", json=body, headers=_officer(namespace)
            )
        ).status_code == 201
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        row = await conn.fetchrow("SELECT * FROM registration")
        outbox = await conn.fetchval("SELECT envelope FROM outbox")
    finally:
        await conn.close()
    assert row is not None
    stored = " ".join(str(v) for v in dict(row).values()) + bytes(outbox).decode()
    assert str(body["cccd"]) not in stored
    assert str(body["phone"])[1:] not in stored


async def test_logs_carry_no_cccd_or_phone(namespace: Namespace) -> None:
    proc = ServiceProcess(
        "xkld_registration", namespace.env("registration", XKLD_LOG_LEVEL="DEBUG")
    )
    await proc.start()
    body = registration_body()
    try:
        async with local_client() as client:
            await client.post(f"{proc.url}/registrations", json=body, headers=_officer(namespace))
            await client.post(
                f"{proc.url}/registrations", json=body, headers=_officer(namespace)
            )  # the 409 path too
            await client.post(
                f"{proc.url}/registrations",
                json={**body, "phone": "12"},
                headers=_officer(namespace),
            )
    finally:
        assert await proc.terminate() == 0
    logs = proc.logs()
    assert "registrations" in logs, "the log is empty; this test would prove nothing"
    assert str(body["cccd"]) not in logs
    assert str(body["phone"])[1:] not in logs


async def test_the_requests_correlation_id_reaches_the_event(
    registration: str, namespace: Namespace
) -> None:
    correlation = str(uuid.uuid4())
    async with local_client() as client:
        answer = await client.post(
            f"{registration}/registrations",
            json=registration_body(),
            headers={"X-Correlation-Id": correlation, **_officer(namespace)},
        )
    assert answer.status_code == 201
    assert answer.headers["X-Correlation-Id"] == correlation
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        envelope = Envelope.from_bytes(bytes(await conn.fetchval("SELECT envelope FROM outbox")))
    finally:
        await conn.close()
    assert str(envelope.correlation_id) == correlation
    assert str(envelope.registration_id) == answer.json()["registration_id"]


async def test_consents_are_recorded_per_purpose_with_who_and_which_text(
    registration: str, namespace: Namespace
) -> None:
    body = registration_body(consents=consents(sms_notifications=False, share_with_bank=True))
    async with local_client() as client:
        created = await client.post(
            f"{registration}/registrations", json=body, headers=_officer(namespace)
        )
        registration_id = created.json()["registration_id"]
        history = await client.get(
            f"{registration}/registrations/{registration_id}/consents",
            headers=_officer(namespace),
        )
    assert history.status_code == 200
    answers = {c["purpose"]: c["granted"] for c in history.json()}
    assert answers == {
        "registration_processing": True,
        "sms_notifications": False,
        "share_with_enterprise": True,
        "share_with_bank": True,
    }
    assert {c["text_version"] for c in history.json()} == {"2026-01"}
    assert {c["recorded_by_name"] for c in history.json()} == {"can-bo-xa"}
    assert all(c["purpose_vi"] for c in history.json())


async def test_the_consent_record_prints_as_a_bilingual_page(
    registration: str, namespace: Namespace
) -> None:
    async with local_client() as client:
        created = await client.post(
            f"{registration}/registrations",
            json=registration_body(full_name="Đặng Thị Hoa"),
            headers=_officer(namespace),
        )
        page = await client.get(
            f"{registration}/registrations/{created.json()['registration_id']}/consents/print",
            headers=_officer(namespace),
        )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Phiếu đồng ý xử lý dữ liệu cá nhân" in page.text
    assert "Nhận tin nhắn SMS" in page.text
    assert page.text.count("<tr>") == 5  # the heading and the four purposes
    assert "Đặng Thị Hoa" in page.text


async def test_ethnicity_and_poverty_status_are_sealed_at_rest(
    registration: str, namespace: Namespace
) -> None:
    body = registration_body(ethnicity_code="05", household_poverty="near_poor")
    async with local_client() as client:
        created = await client.post(
            f"{registration}/registrations", json=body, headers=_officer(namespace)
        )
        registration_id = created.json()["registration_id"]
        view = await client.get(
            f"{registration}/registrations/{registration_id}", headers=_officer(namespace)
        )
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        row = await conn.fetchrow(
            "SELECT ethnicity_ciphertext, poverty_ciphertext FROM registration"
        )
    finally:
        await conn.close()
    assert row is not None
    cipher = FieldCipher(parse_keyring(namespace.pii_keys), "k1")
    assert row["ethnicity_ciphertext"].startswith("v1.k1.")
    assert cipher.decrypt(row["ethnicity_ciphertext"], purpose="ethnicity") == "05"
    assert cipher.decrypt(row["poverty_ciphertext"], purpose="household_poverty") == "near_poor"
    assert "near_poor" not in row["poverty_ciphertext"]
    assert view.json()["ethnicity_code"] == "05"
    assert view.json()["household_poverty"] == "near_poor"
