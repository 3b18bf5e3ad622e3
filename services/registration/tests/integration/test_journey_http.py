"""Every journey step through the HTTP API against the real database: allowed when its rules
hold, refused with a bilingual 409 that changes nothing when they do not."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.identity.principal import Role
from xkld_shared.testing.infra import Templates, TestInfra

from .journey_desk import READY, Desk, days, open_desk


@pytest.fixture(scope="module")
async def shared_desk(infra: TestInfra, templates: Templates) -> AsyncIterator[Desk]:
    """One service for the module: every test works on its own fresh files."""
    async with open_desk(infra, templates) as desk:
        desk.orientation = await desk.course("orientation")
        desk.enterprise_code = await desk.enterprise()
        yield desk


@pytest.fixture
async def desk(shared_desk: Desk) -> Desk:
    return shared_desk


async def _events(desk: Desk, rid: str) -> list[Envelope]:
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        rows = await conn.fetch(
            "SELECT envelope FROM outbox WHERE partition_key = $1 ORDER BY id", rid
        )
    finally:
        await conn.close()
    return [Envelope.from_bytes(bytes(r["envelope"])) for r in rows]


async def test_a_worker_goes_from_intake_through_departure_to_reintegration(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, *READY, "schedule", "depart", "check_in", "return_early", "refer")
    state = await desk.journey(rid)
    assert state["stage"] == "reintegration"
    assert state["early_cause"] == "employer_bankruptcy_or_force_majeure"
    assert [e.event_type for e in await _events(desk, rid)] == [
        "RegistrationSubmitted",
        "RegistrationFoundEligible",
        "TrainingEnrolled",
        "TrainingCompleted",
        "WorkerTrained",
        "NoLoanDeclared",
        "ContractSigned",
        "DepartureGateCleared",
        "DepartureGateCleared",
        "DepartureGateCleared",
        "DepartureScheduled",
        "WorkerDeparted",
        "CheckInRecorded",
        "WorkerReturned",
        "ReintegrationReferred",
    ]


async def test_each_step_answers_the_new_stage(desk: Desk) -> None:
    rid = await desk.register()
    stages = {}
    for name in (*READY, "schedule", "depart", "abscond", "return"):
        answer = await desk.step(rid, name)
        assert answer.status_code == 200, f"{name}: {answer.text}"
        stages[name] = answer.json()["stage"]
    assert stages["eligible"] == "eligible"
    assert stages["enrol"] == "in_training"
    assert stages["certify"] == "trained"
    assert stages["schedule"] == "departure_scheduled"
    assert stages["depart"] == "abroad"
    assert stages["abscond"] == "absconded"
    assert stages["return"] == "returned_completed"


async def test_rejection_and_withdrawal_close_the_file(desk: Desk) -> None:
    rejected, withdrawn = await desk.register(), await desk.register()
    await desk.walk(rejected, "reject")
    await desk.walk(withdrawn, "eligible", "enrol", "withdraw")
    assert (await desk.journey(rejected))["stage"] == "rejected"
    assert (await desk.journey(withdrawn))["stage"] == "withdrawn"
    [event] = [e for e in await _events(desk, withdrawn) if e.event_type == "RegistrationWithdrawn"]
    assert event.payload["stage"] == "in_training"
    assert "Gia đình" not in json.dumps(event.payload), "free text stays in registration"


# (steps that set the file up, the illegal step, the error code, words the English message has)
ILLEGAL = {
    "assessing a file twice": (("eligible",), "eligible", "illegal_journey_step", "stage"),
    "rejecting an eligible file": (("eligible",), "reject", "illegal_journey_step", "assess"),
    "enrolling before eligibility": ((), "enrol", "illegal_journey_step", "training"),
    "a second orientation certificate": (
        ("eligible", "enrol", "certify"),
        "second_orientation",
        "illegal_journey_step",
        "second one is refused",
    ),
    "departing with the visa missing": (
        READY[:-1],
        "schedule",
        "illegal_journey_step",
        "missing visa",
    ),
    "departing with a requested loan not disbursed": (
        ("eligible", "enrol", "certify", "loan", "contract", "health", "deposit", "visa"),
        "schedule",
        "illegal_journey_step",
        "neither disbursed",
    ),
    "a loan without consent to share with the bank": (
        ("eligible",),
        "loan_without_consent",
        "missing_bank_consent",
        "share_with_bank",
    ),
    "a second loan request": (("eligible", "loan"), "loan", "illegal_journey_step", "already"),
    "a contract with an expired licence": (
        ("eligible",),
        "contract_expired",
        "illegal_journey_step",
        "not valid",
    ),
    "a contract with a revoked licence": (
        ("eligible",),
        "contract_revoked",
        "illegal_journey_step",
        "revoked",
    ),
    "a contract for a market the enterprise does not serve": (
        ("eligible",),
        "contract_taiwan",
        "illegal_journey_step",
        "market",
    ),
    "a second contract": (("eligible", "contract"), "contract", "illegal_journey_step", "twice"),
    "departing before a date is scheduled": (READY, "depart", "illegal_journey_step", "stage"),
    "a check-in before departure": (READY, "check_in", "illegal_journey_step", "check-in"),
    "absconding before departure": (("eligible",), "abscond", "illegal_journey_step", "stage"),
    "a return before departure": (READY, "return", "illegal_journey_step", "return"),
    "withdrawing after departure": (
        (*READY, "schedule", "depart"),
        "withdraw",
        "illegal_journey_step",
        "withdraw",
    ),
    "a job referral before the return": (
        (*READY, "schedule", "depart"),
        "refer",
        "illegal_journey_step",
        "refer",
    ),
    "enrolling in a full course": (("eligible",), "enrol_full", "course_refused", "full"),
}


Act = Callable[[], Awaitable[httpx.Response]]


async def _prepare(desk: Desk, rid: str, name: str) -> Act:
    """Reference data or other files an illegal step needs; returns the step itself."""
    base = f"/registrations/{rid}"
    if name == "second_orientation":
        course = await desk.course("orientation")
        await desk.post("training", f"{base}/enrolments", {"course_id": course})
        body = {"course_id": course, "passed": True, "certificate_number": "GDDH-AGAIN"}
        return lambda: desk.post("training", f"{base}/training-results", body)
    if name == "loan_without_consent":
        return lambda: desk.step(rid, "loan")
    if name.startswith("contract_"):
        return await _unlicensed_contract(desk, rid, name)
    if name == "enrol_full":
        course = await desk.course("language", capacity=1)
        other = await desk.register()
        await desk.walk(other, "eligible")
        first = await desk.post(
            "training", f"/registrations/{other}/enrolments", {"course_id": course}
        )
        assert first.status_code == 200, first.text
        return lambda: desk.post("training", f"{base}/enrolments", {"course_id": course})
    return lambda: desk.step(rid, name)


async def _unlicensed_contract(desk: Desk, rid: str, name: str) -> Act:
    changes: dict[str, dict[str, object]] = {
        "contract_expired": {"licence_valid_to": days(-1), "licence_valid_from": days(-400)},
        "contract_revoked": {},
        "contract_taiwan": {"markets": ["TW"]},
    }
    code = await desk.enterprise(**changes[name])
    if name == "contract_revoked":
        revoked = await desk.post(
            "labour",
            f"/enterprises/{code}/revocation",
            {"revoked_on": days(-1), "reason": "Vi phạm quy định"},
        )
        assert revoked.status_code == 204, revoked.text

    async def act() -> httpx.Response:
        saved, desk.enterprise_code = desk.enterprise_code, code
        try:
            return await desk.step(rid, "contract")
        finally:
            desk.enterprise_code = saved

    return act


@pytest.mark.parametrize("case", ILLEGAL, ids=list(ILLEGAL))
async def test_an_illegal_step_gets_a_bilingual_409_and_changes_nothing(
    desk: Desk, case: str
) -> None:
    setup, step, code, words = ILLEGAL[case]
    rid = await desk.register(bank=step != "loan_without_consent")
    await desk.walk(rid, *setup)
    act = await _prepare(desk, rid, step)
    before_state, before = await desk.journey(rid), await desk.counts()
    answer = await act()
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert words in error["message_en"]
    assert error["message_vi"]
    assert await desk.counts() == before, "a refused step wrote an audit row or an event"
    assert await desk.journey(rid) == before_state


async def test_a_loan_request_with_consent_emits_loan_requested_without_free_text(
    desk: Desk,
) -> None:
    rid = await desk.register(bank=True)
    await desk.walk(rid, "eligible", "loan")
    [event] = [e for e in await _events(desk, rid) if e.event_type == "LoanRequested"]
    assert event.payload["requested_vnd"] == 90_000_000
    assert event.payload["contract_costs_vnd"] == 100_000_000
    assert event.payload["cost_breakdown_vnd"] == {"service_fee": 60_000_000, "airfare": 40_000_000}
    assert event.payload["commune_code"] == "29800"
    assert "Vay để" not in json.dumps(event.payload)
    assert (await desk.journey(rid))["loan"] == "requested"


async def test_a_loan_larger_than_the_costs_is_a_422_naming_the_field(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, "eligible")
    body = {
        "requested_vnd": 200_000_000,
        "cost_breakdown_vnd": {"service_fee": 60_000_000},
        "purpose_code": "x",
        "requested_term_months": 36,
        "market_code": "JP",
        "programme": "labour_export",
        "contract_term_months": 36,
    }
    answer = await desk.post("commune", f"/registrations/{rid}/loan-request", body)
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["field"] == "requested_vnd"


async def test_the_health_certificate_is_sealed_at_rest_and_absent_from_events(
    desk: Desk,
) -> None:
    rid = await desk.register()
    await desk.walk(rid, "eligible", "health")
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        stored = await conn.fetchval(
            "SELECT details::text FROM journey_record WHERE registration_id = $1", rid
        )
        audit = await conn.fetchval(
            "SELECT string_agg(changes::text, ' ') FROM audit.audit_log WHERE entity_id = $1", rid
        )
    finally:
        await conn.close()
    events = json.dumps([e.payload for e in await _events(desk, rid)])
    for text in (stored, audit, events):
        assert "viêm gan" not in text
        assert "SK-0001" not in text
    assert "sealed" in stored


async def test_a_file_outside_the_officers_scope_is_not_found(desk: Desk) -> None:
    rid = await desk.register()
    elsewhere = desk.ns.auth(Role.LABOUR_OFFICER, province="87")
    answer = await desk.client.post(
        f"{desk.url}/registrations/{rid}/eligibility", json={}, headers=elsewhere
    )
    assert answer.status_code == 404
    assert (await desk.journey(rid))["stage"] == "submitted"


async def test_attendance_and_results_show_on_the_course_roster(desk: Desk) -> None:
    course = await desk.course("vocational")
    rid = await desk.register()
    await desk.walk(rid, "eligible")
    base = f"/registrations/{rid}"
    assert (
        await desk.post("training", f"{base}/enrolments", {"course_id": course})
    ).status_code == 200
    for day, present in ((-2, True), (-1, False), (0, True)):
        body = {"course_id": course, "attended_on": days(day), "present": present}
        answer = await desk.post("training", f"{base}/attendance", body)
        assert answer.status_code == 204, answer.text
    outside = {"course_id": course, "attended_on": days(90), "present": True}
    assert (await desk.post("training", f"{base}/attendance", outside)).status_code == 422
    result = await desk.post(
        "training", f"{base}/training-results", {"course_id": course, "passed": True}
    )
    assert result.json()["stage"] == "in_training", (
        "a vocational course does not train for departure"
    )
    again = await desk.post(
        "training", f"{base}/training-results", {"course_id": course, "passed": False}
    )
    assert again.status_code == 409
    courses = await desk.client.get(f"{desk.url}/courses", headers=desk.headers("labour"))
    code = next(c["code"] for c in courses.json() if c["id"] == course)
    roster = await desk.client.get(
        f"{desk.url}/courses/{code}/roster", headers=desk.headers("training")
    )
    [row] = roster.json()
    assert row["registration_id"] == rid
    assert (row["days_present"], row["days_absent"], row["passed"]) == (2, 1, True)


async def test_reference_data_refuses_duplicates_and_is_audited(desk: Desk) -> None:
    code = await desk.enterprise()
    again = await desk.post(
        "labour",
        "/enterprises",
        {
            "code": code,
            "name": "X",
            "licence_number": "1",
            "licence_valid_from": days(0),
            "licence_valid_to": days(1),
            "markets": ["JP"],
        },
    )
    assert again.status_code == 409
    backwards = await desk.post(
        "labour",
        "/enterprises",
        {
            "code": "DN-BACK",
            "name": "X",
            "licence_number": "1",
            "licence_valid_from": days(1),
            "licence_valid_to": days(0),
            "markets": ["JP"],
        },
    )
    assert backwards.status_code == 422
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        actions = await conn.fetch(
            "SELECT action, actor_username FROM audit.audit_log WHERE entity_id = $1", code
        )
    finally:
        await conn.close()
    assert [(a["action"], a["actor_username"]) for a in actions] == [
        ("enterprise.listed", "so-lao-dong")
    ]


async def test_a_bank_consent_given_later_opens_the_loan_request(desk: Desk) -> None:
    rid = await desk.register(bank=False)
    await desk.walk(rid, "eligible")
    assert (await desk.step(rid, "loan")).status_code == 409
    consent = {"purpose": "share_with_bank", "granted": True, "consent_text_version": "2026-01"}
    given = await desk.post("commune", f"/registrations/{rid}/consents", consent)
    assert given.status_code == 204, given.text
    assert (await desk.step(rid, "loan")).status_code == 200
    history = await desk.client.get(
        f"{desk.url}/registrations/{rid}/consents", headers=desk.headers("commune")
    )
    bank = [c["granted"] for c in history.json() if c["purpose"] == "share_with_bank"]
    assert bank == [False, True], "the earlier answer stays in the history"


async def test_erasure_removes_the_journeys_free_text_and_health_data(desk: Desk) -> None:
    rid = await desk.register()
    await desk.walk(rid, "eligible", "health", "withdraw")
    erased = await desk.post("commune", f"/registrations/{rid}/erasure")
    assert erased.status_code == 204, erased.text
    conn = await asyncpg.connect(desk.ns.dsn("registration"))
    try:
        details = await conn.fetch(
            "SELECT kind, details FROM journey_record WHERE registration_id = $1", uuid.UUID(rid)
        )
    finally:
        await conn.close()
    assert sorted(d["kind"] for d in details) == ["health_certificate", "withdrawal"]
    assert all(d["details"] == "{}" for d in details)


async def test_two_officers_racing_for_the_last_place_get_one_place(desk: Desk) -> None:
    course = await desk.course("language", capacity=1)
    first, second = await desk.register(), await desk.register()
    await desk.walk(first, "eligible")
    await desk.walk(second, "eligible")
    answers = await asyncio.gather(
        *(
            desk.post("training", f"/registrations/{rid}/enrolments", {"course_id": course})
            for rid in (first, second)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409]


async def test_the_same_step_sent_twice_at_once_applies_once(desk: Desk) -> None:
    rid = await desk.register()
    answers = await asyncio.gather(desk.step(rid, "eligible"), desk.step(rid, "eligible"))
    assert sorted(a.status_code for a in answers) == [200, 409]
    events = [e.event_type for e in await _events(desk, rid)]
    assert events.count("RegistrationFoundEligible") == 1


async def test_a_renewed_licence_lets_an_expired_enterprise_sign_again(desk: Desk) -> None:
    code = await desk.enterprise(licence_valid_from=days(-400), licence_valid_to=days(-1))
    rid = await desk.register()
    await desk.walk(rid, "eligible")
    desk_code, desk.enterprise_code = desk.enterprise_code, code
    try:
        assert (await desk.step(rid, "contract")).status_code == 409
        renewal = {
            "name": "Công ty Cổ phần Nhân lực Quốc tế",
            "licence_number": "99/LĐTBXH-GP",
            "licence_valid_from": days(0),
            "licence_valid_to": days(5 * 365),
            "markets": ["JP"],
        }
        renewed = await desk.post("labour", f"/enterprises/{code}/licence", renewal)
        assert renewed.status_code == 204, renewed.text
        assert (await desk.step(rid, "contract")).status_code == 200
    finally:
        desk.enterprise_code = desk_code
    unknown = await desk.post("labour", "/enterprises/DN-NOWHERE/licence", renewal)
    assert unknown.status_code == 404


async def test_a_course_or_enterprise_sent_again_with_its_key_returns_the_first_answer(
    desk: Desk,
) -> None:
    code = f"KEY-{uuid.uuid4().hex[:8]}"
    course = {
        "code": code,
        "course_type": "language",
        "title": "Tiếng Hàn EPS",
        "provider": "Trung tâm GDNN-GDTX Long Hồ",
        "venue": "Vĩnh Long",
        "starts_on": days(5),
        "ends_on": days(60),
        "capacity": 25,
    }
    key = {"Idempotency-Key": f"course-{code}"}
    labour = desk.headers("labour")
    first = await desk.client.post(f"{desk.url}/courses", json=course, headers=labour | key)
    again = await desk.client.post(f"{desk.url}/courses", json=course, headers=labour | key)
    other = await desk.client.post(
        f"{desk.url}/courses", json=course | {"capacity": 26}, headers=labour | key
    )
    without_key = await desk.client.post(f"{desk.url}/courses", json=course, headers=labour)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()  # the same course id, not a second course
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert without_key.status_code == 409  # the code is taken: no second course either way
    enterprise_key = {"Idempotency-Key": f"enterprise-{code}"}
    body = {
        "code": f"DN-{code}",
        "name": "Công ty TNHH Nhân lực",
        "licence_number": "99/LĐTBXH-GP",
        "licence_valid_from": days(-10),
        "licence_valid_to": days(300),
        "markets": ["KR"],
    }
    listed = [
        await desk.client.post(
            f"{desk.url}/enterprises", json=body, headers=labour | enterprise_key
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in listed] == [201, 201]
    assert listed[1].headers.get("Idempotent-Replayed") == "true"
