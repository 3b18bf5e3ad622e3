"""Complaints about an enterprise and the fee recorded with a contract (issue 17): audited,
idempotent, refused with a clear 4xx that changes nothing, and on the registration topic with
codes, dates and amounts only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.testing.infra import Templates, TestInfra

from .journey_desk import STEPS, Desk, days, open_desk

DETAILS = "Người lao động Nguyễn Văn A báo bị nợ lương 3 tháng"


@pytest.fixture(scope="module")
async def desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


async def _fetch(desk: Desk, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def _events(desk: Desk, event_type: str) -> list[Envelope]:
    rows = await _fetch(desk, "SELECT envelope FROM outbox ORDER BY id")
    envelopes = [Envelope.from_bytes(bytes(r["envelope"])) for r in rows]
    return [e for e in envelopes if e.event_type == event_type]


def _complaint(**changes: object) -> dict[str, object]:
    return {"category": "wage_arrears", "complained_on": days(-2), "details": DETAILS} | changes


async def test_a_complaint_is_audited_and_published_without_its_text_and_a_retry_records_once(
    desk: Desk,
) -> None:
    code = await desk.enterprise()
    path = f"{desk.url}/enterprises/{code}/complaints"
    headers = desk.headers("labour") | {"Idempotency-Key": f"complaint-{uuid.uuid4()}"}
    first = await desk.client.post(path, json=_complaint(), headers=headers)
    again = await desk.client.post(path, json=_complaint(), headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    complaint_id = first.json()["id"]

    rows = await _fetch(desk, "SELECT * FROM enterprise_complaint WHERE enterprise_code = $1", code)
    assert [(str(r["id"]), r["category"], r["details"]) for r in rows] == [
        (complaint_id, "wage_arrears", DETAILS)
    ]
    audit = await _fetch(
        desk,
        "SELECT action, actor_username FROM audit.audit_log WHERE entity_id = $1 AND action = $2",
        code,
        "enterprise.complaint_recorded",
    )
    assert [(a["action"], a["actor_username"]) for a in audit] == [
        ("enterprise.complaint_recorded", "so-lao-dong")
    ]
    events = [
        e
        for e in await _events(desk, "EnterpriseComplaintRecorded")
        if e.payload["enterprise_code"] == code
    ]
    assert len(events) == 1
    assert str(events[0].registration_id) == complaint_id
    assert events[0].payload == {
        "enterprise_code": code,
        "category": "wage_arrears",
        "complained_on": days(-2),
    }
    listed = await desk.client.get(path, headers=desk.headers("labour"))
    assert [c["id"] for c in listed.json()] == [complaint_id]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"category": "rumour"}, 422, "category"),
        ({"complained_on": days(3)}, 422, "complained_on"),
        ({"details": ""}, 422, "details"),
        ({"fee_vnd": 5}, 422, "fee_vnd"),
    ],
)
async def test_a_bad_complaint_is_a_clear_422_and_records_nothing(
    desk: Desk, changes: dict[str, object], status: int, field: str
) -> None:
    code = await desk.enterprise()
    answer = await desk.post("labour", f"/enterprises/{code}/complaints", _complaint(**changes))
    assert answer.status_code == status, answer.text
    assert field in answer.text
    error = answer.json()["error"]
    assert error["message_vi"]
    assert error["message_en"]
    rows = await _fetch(desk, "SELECT 1 FROM enterprise_complaint WHERE enterprise_code = $1", code)
    assert rows == []


async def test_only_a_labour_officer_complains_and_only_about_a_listed_enterprise(
    desk: Desk,
) -> None:
    code = await desk.enterprise()
    by_commune = await desk.post("commune", f"/enterprises/{code}/complaints", _complaint())
    unknown = await desk.post("labour", "/enterprises/DN-NOWHERE/complaints", _complaint())
    assert by_commune.status_code == 403
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "enterprise_not_found"
    rows = await _fetch(desk, "SELECT 1 FROM enterprise_complaint WHERE enterprise_code = $1", code)
    assert rows == []


async def test_the_fee_entered_with_the_contract_travels_on_contract_signed(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, "eligible", "enrol", "certify", "no_loan")
    _, path, step_body = STEPS["contract"](desk)
    body = dict(step_body or {})
    negative = await desk.post("labour", f"/registrations/{rid}{path}", body | {"fee_vnd": -1})
    assert negative.status_code == 422
    assert "fee_vnd" in negative.text
    signed = await desk.post(
        "labour", f"/registrations/{rid}{path}", body | {"fee_vnd": 95_000_000}
    )
    assert signed.status_code == 200, signed.text
    events = [e for e in await _events(desk, "ContractSigned") if str(e.registration_id) == rid]
    assert [e.payload["fee_vnd"] for e in events] == [95_000_000]
    stored = await _fetch(
        desk, "SELECT fee_vnd FROM employment_contract WHERE registration_id = $1", uuid.UUID(rid)
    )
    assert [r["fee_vnd"] for r in stored] == [95_000_000]


async def test_a_contract_without_a_fee_says_none_rather_than_zero(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, "eligible", "enrol", "certify", "no_loan", "contract")
    events = [e for e in await _events(desk, "ContractSigned") if str(e.registration_id) == rid]
    assert [e.payload["fee_vnd"] for e in events] == [None]
