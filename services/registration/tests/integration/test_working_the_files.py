"""Working the files against the real service and database: lists, search, timeline, markets,
intake details and idempotent submission. One service for the module; each test keeps to its
own hamlet so that tests do not see each other's files."""

from __future__ import annotations

import asyncio
import random
import string
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace, Templates, TestInfra
from xkld_shared.testing.processes import serving_alone
from xkld_shared.testing.system import officer_of, random_cccd, registration_body

HOME, NEIGHBOUR = "29800", "29623"  # Tân Quới and Nhơn Phú, both in Vĩnh Long (86)


@dataclass
class Service:
    url: str
    ns: Namespace

    def officer(self, *communes: str) -> dict[str, str]:
        return officer_of(self.ns, *communes)

    def labour_officer(self, province: str = "86") -> dict[str, str]:
        return self.ns.auth(Role.LABOUR_OFFICER, province=province)


@pytest.fixture(scope="module")
async def service(infra: TestInfra, templates: Templates) -> AsyncIterator[Service]:
    async with serving_alone(infra, templates, "registration") as (url, ns):
        yield Service(url, ns)


def _hamlet() -> str:
    return "Ấp " + "".join(random.choices(string.ascii_uppercase, k=8))


async def _submit(service: Service, **overrides: Any) -> dict[str, Any]:
    body = registration_body(**overrides)
    async with local_client() as client:
        answer = await client.post(
            f"{service.url}/registrations", json=body, headers=service.officer(HOME, NEIGHBOUR)
        )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def _list(service: Service, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    async with local_client() as client:
        answer = await client.get(f"{service.url}/registrations", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def _search(service: Service, headers: dict[str, str], **body: Any) -> list[str]:
    async with local_client() as client:
        answer = await client.post(
            f"{service.url}/registrations/search", json=body, headers=headers
        )
    assert answer.status_code == 200, answer.text
    return [item["full_name"] for item in answer.json()["items"]]


async def test_a_pre_2025_commune_code_opens_the_file_in_the_commune_that_absorbed_it(
    service: Service,
) -> None:
    created = await _submit(service, commune_code="29791")  # Thành Lợi, Bình Tân district
    assert created["commune_code"] == "29800"
    assert created["commune_code_entered"] == "29791"
    conn = await asyncpg.connect(service.ns.dsn("registration"))
    try:
        envelope = await conn.fetchval(
            "SELECT envelope FROM outbox WHERE partition_key = $1", created["registration_id"]
        )
    finally:
        await conn.close()
    assert b'"commune_code":"29800"' in envelope


async def test_the_submitted_event_carries_the_new_intake_dimensions(service: Service) -> None:
    created = await _submit(
        service,
        hamlet="Ấp Tân Thạnh",
        priority_groups=["poor_household", "ethnic_minority"],
        desired_market="JP_TITP",
        loan_wanted=True,
        education="upper_secondary",
        occupation="May công nghiệp",
    )
    conn = await asyncpg.connect(service.ns.dsn("registration"))
    try:
        envelope = await conn.fetchval(
            "SELECT envelope FROM outbox WHERE partition_key = $1", created["registration_id"]
        )
    finally:
        await conn.close()
    async with local_client() as client:
        view = await client.get(
            f"{service.url}/registrations/{created['registration_id']}",
            headers=service.officer(HOME),
        )
    assert view.json()["priority_groups"] == ["ethnic_minority", "poor_household"]
    assert view.json()["occupation"] == "May công nghiệp"
    assert view.json()["education"] == "upper_secondary"
    payload = envelope.decode()
    assert '"priority_groups":["ethnic_minority","poor_household"]' in payload
    assert '"desired_market":"JP_TITP"' in payload
    assert '"loan_wanted":true' in payload
    assert '"hamlet":"Ấp Tân Thạnh"' in payload
    assert "May công nghiệp" not in payload


async def test_lists_show_only_the_readers_scope(service: Service) -> None:
    hamlet = _hamlet()
    await _submit(service, commune_code=HOME, hamlet=hamlet)
    await _submit(service, commune_code=HOME, hamlet=hamlet)
    await _submit(service, commune_code=NEIGHBOUR, hamlet=hamlet)
    home = await _list(service, service.officer(HOME), hamlet=hamlet)
    assert home["total"] == 2
    assert {i["commune_code"] for i in home["items"]} == {HOME}
    both = await _list(service, service.officer(HOME, NEIGHBOUR), hamlet=hamlet)
    assert both["total"] == 3
    province = await _list(service, service.labour_officer("86"), hamlet=hamlet)
    assert province["total"] == 3
    assert (await _list(service, service.labour_officer("87"), hamlet=hamlet))["total"] == 0
    elsewhere = await _list(service, service.officer("29641"), hamlet=hamlet)
    assert elsewhere["total"] == 0
    # Asking for a commune outside one's scope shows nothing rather than widening the scope.
    asked = await _list(service, service.officer(HOME), hamlet=hamlet, commune_code=NEIGHBOUR)
    assert asked["total"] == 0


async def test_lists_filter_by_market_priority_group_stage_and_date_and_sort(
    service: Service,
) -> None:
    hamlet = _hamlet()
    japan = await _submit(
        service,
        hamlet=hamlet,
        full_name="Bùi Văn An",
        desired_market="JP_TITP",
        priority_groups=["poor_household"],
    )
    korea = await _submit(
        service,
        hamlet=hamlet,
        full_name="Cao Thị Bình",
        desired_market="KR_EPS",
        priority_groups=["ethnic_minority", "poor_household"],
    )
    await _submit(service, hamlet=hamlet, full_name="Đào Văn Cường")
    conn = await asyncpg.connect(service.ns.dsn("registration"))
    try:
        await conn.execute(
            "UPDATE registration SET submitted_on = '2026-01-15', status = 'eligible'"
            " WHERE id = $1",
            uuid.UUID(japan["registration_id"]),
        )
    finally:
        await conn.close()
    officer = service.officer(HOME)

    async def names(**params: Any) -> list[str]:
        page = await _list(service, officer, hamlet=hamlet, **params)
        return [i["full_name"] for i in page["items"]]

    assert await names(market="KR_EPS") == ["Cao Thị Bình"]
    assert await names(priority_group="poor_household", sort="full_name") == [
        "Bùi Văn An",
        "Cao Thị Bình",
    ]
    assert await names(priority_group="ethnic_minority") == ["Cao Thị Bình"]
    assert await names(stage="eligible") == ["Bùi Văn An"]
    assert await names(submitted_from="2026-01-01", submitted_to="2026-01-31") == ["Bùi Văn An"]
    assert await names(sort="-full_name") == ["Đào Văn Cường", "Cao Thị Bình", "Bùi Văn An"]
    second = await _list(service, officer, hamlet=hamlet, sort="full_name", page=2, page_size=2)
    assert [i["full_name"] for i in second["items"]] == ["Đào Văn Cường"]
    assert second["total"] == 3
    assert korea["commune_code"] == HOME


async def test_list_filters_are_validated_with_a_bilingual_422(service: Service) -> None:
    async with local_client() as client:
        answer = await client.get(
            f"{service.url}/registrations",
            params={"priority_group": "rich", "page_size": 1000},
            headers=service.officer(HOME),
        )
    assert answer.status_code == 422
    fields = {f["field"] for f in answer.json()["error"]["fields"]}
    assert fields == {"priority_group", "page_size"}


async def test_search_by_name_ignores_accents_and_case(service: Service) -> None:
    hamlet = _hamlet()
    await _submit(service, hamlet=hamlet, full_name="Nguyễn Văn Thành")
    await _submit(service, hamlet=hamlet, full_name="NGUYỄN văn Định")
    await _submit(service, hamlet=hamlet, full_name="Đỗ Thị Ngọc")
    await _submit(service, hamlet=hamlet, full_name="Trần Nguyên")
    officer = service.officer(HOME)
    assert sorted(await _search(service, officer, name="nguyen van", hamlet=hamlet)) == [
        "NGUYỄN văn Định",
        "Nguyễn Văn Thành",
    ]
    assert await _search(service, officer, name="do thi", hamlet=hamlet) == ["Đỗ Thị Ngọc"]
    assert await _search(service, officer, name="Định", hamlet=hamlet) == ["NGUYỄN văn Định"]
    assert await _search(service, officer, name="nguyen", hamlet=hamlet, page_size=10) != []
    assert await _search(service, officer, name="thanh nguyen", hamlet=hamlet) == [
        "Nguyễn Văn Thành"
    ]
    outsider = service.officer("29641")
    assert await _search(service, outsider, name="nguyen van", hamlet=hamlet) == []


async def test_search_by_cccd_finds_exactly_that_person(service: Service) -> None:
    cccd = random_cccd(2000, "male")
    await _submit(service, cccd=cccd, full_name="Lê Văn Tám")
    assert await _search(service, service.officer(HOME), cccd=cccd) == ["Lê Văn Tám"]
    assert await _search(service, service.officer("29641"), cccd=cccd) == []
    other = cccd[:-1] + ("0" if cccd[-1] != "0" else "1")
    assert await _search(service, service.officer(HOME), cccd=other) == []


async def test_the_name_tokens_stored_are_keyed_hashes_not_words(service: Service) -> None:
    created = await _submit(service, full_name="Phan Văn Khải")
    conn = await asyncpg.connect(service.ns.dsn("registration"))
    try:
        tokens = await conn.fetchval(
            "SELECT name_tokens FROM registration WHERE id = $1",
            uuid.UUID(created["registration_id"]),
        )
    finally:
        await conn.close()
    assert len(tokens) == 3
    assert all(len(t) == 16 for t in tokens)
    assert not any(b"khai" in t or b"phan" in t for t in tokens)


async def test_the_timeline_shows_events_and_audit_in_order_without_sealed_data(
    service: Service,
) -> None:
    created = await _submit(service)
    rid = created["registration_id"]
    async with local_client() as client:
        erased = await client.post(
            f"{service.url}/registrations/{rid}/erasure", headers=service.officer(HOME)
        )
        assert erased.status_code == 204
        answer = await client.get(
            f"{service.url}/registrations/{rid}/timeline", headers=service.labour_officer()
        )
        foreign = await client.get(
            f"{service.url}/registrations/{rid}/timeline", headers=service.officer("29641")
        )
    assert answer.status_code == 200, answer.text
    kinds = [(e["kind"], e["type"]) for e in answer.json()]
    assert kinds == [
        ("audit", "registration.submitted"),
        ("event", "RegistrationSubmitted"),
        ("audit", "registration.personal_data_erased"),
        ("event", "RegistrationPersonalDataErased"),
    ]
    assert "phone_ciphertext" not in answer.text
    assert answer.json()[0]["actor"] == "can-bo-xa"
    assert foreign.status_code == 404


async def test_a_retried_submission_with_the_same_idempotency_key_creates_one_file(
    service: Service,
) -> None:
    body = registration_body(priority_groups=["youth_volunteer", "poor_household"])
    headers = service.officer(HOME) | {"Idempotency-Key": f"intake-{uuid.uuid4()}"}
    async with local_client() as client:
        first = await client.post(f"{service.url}/registrations", json=body, headers=headers)
        again = await client.post(f"{service.url}/registrations", json=body, headers=headers)
        changed = await client.post(
            f"{service.url}/registrations", json=body | {"hamlet": "Ấp Khác"}, headers=headers
        )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_submission_sent_several_times_at_once_with_one_key_creates_one_file(
    service: Service,
) -> None:
    """Concurrent copies share a group commit (or race across batches): one file, one event,
    and every copy gets the same answer."""
    body = registration_body()
    headers = service.officer(HOME) | {"Idempotency-Key": f"intake-{uuid.uuid4()}"}
    others = [registration_body() for _ in range(4)]
    async with local_client() as client:
        answers = await asyncio.gather(
            *(
                client.post(f"{service.url}/registrations", json=b, headers=h)
                for b, h in [(body, headers)] * 6 + [(o, service.officer(HOME)) for o in others]
            )
        )
    copies = answers[:6]
    assert [a.status_code for a in answers] == [201] * 10
    ids = {a.json()["registration_id"] for a in copies}
    assert len(ids) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in copies].count("true") == 5
    conn = await asyncpg.connect(service.ns.dsn("registration"))
    try:
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE partition_key = $1", ids.pop()
        )
        keys = await conn.fetchval(
            "SELECT count(*) FROM idempotency_key WHERE key = $1", headers["Idempotency-Key"]
        )
    finally:
        await conn.close()
    assert (events, keys) == (1, 1)


async def test_labour_officers_keep_markets_and_intake_follows_their_age_limits(
    service: Service,
) -> None:
    staff = service.labour_officer()
    market = {
        "code": "QA_TEST",
        "country_vi": "Qatar",
        "programme": "Lao động hợp đồng",
        "min_age": 25,
        "max_age": 30,
        "typical_cost_vnd": 25_000_000,
    }
    async with local_client() as client:
        saved = await client.post(f"{service.url}/markets", json=market, headers=staff)
        listed = await client.get(f"{service.url}/markets", headers=service.officer(HOME))
        young = await client.post(
            f"{service.url}/registrations",
            json=registration_body(desired_market="QA_TEST"),  # born 2000: 26 in 2026
            headers=service.officer(HOME),
        )
        tightened = await client.post(
            f"{service.url}/markets", json=market | {"min_age": 27}, headers=staff
        )
        refused = await client.post(
            f"{service.url}/registrations",
            json=registration_body(desired_market="QA_TEST"),
            headers=service.officer(HOME),
        )
    assert saved.status_code == 201
    assert tightened.status_code == 200
    assert {"JP_TITP", "KR_EPS", "TW", "QA_TEST"} <= {m["code"] for m in listed.json()}
    assert young.status_code == 201, young.text
    assert refused.status_code == 422
    problem = refused.json()["error"]["fields"][0]
    assert problem["field"] == "desired_market"
    assert "27–30" in problem["message_vi"]
