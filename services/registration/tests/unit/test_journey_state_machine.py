"""The journey's pure state machine: examples of each rule, and properties over sequences."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xkld_registration.domain.journey import decide
from xkld_registration.domain.journey_commands import (
    ClearGate,
    Command,
    CompleteCourse,
    DeclareNoLoan,
    Depart,
    Enrol,
    FindEligible,
    LoanTerms,
    ReferToJob,
    Reject,
    ReportAbsconded,
    RequestLoan,
    Return,
    ScheduleDeparture,
    SignContract,
    Withdraw,
)
from xkld_registration.domain.journey_commands import RecordCheckIn as CheckIn
from xkld_registration.domain.journey_state import (
    DEPARTED,
    Gate,
    IllegalStep,
    Journey,
    LoanFact,
    LoanStage,
    MissingBankConsent,
    Stage,
    apply_loan_fact,
    invariant_problems,
)
from xkld_registration.domain.reference import Course, Enterprise
from xkld_shared.contracts.journey import CourseType

DAY = dt.date(2026, 3, 1)


def course(kind: CourseType = "orientation") -> Course:
    return Course(
        uuid.uuid4(),
        f"{kind[:3]}-01",
        kind,
        "Khoá học",
        "TT GDNN",
        "Vĩnh Long",
        DAY,
        DAY,
        30,
    )


def enterprise(**changes: object) -> Enterprise:
    base = Enterprise(
        "DN-01", "123/LĐTBXH-GP", dt.date(2024, 1, 1), dt.date(2029, 1, 1), frozenset({"JP"})
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


TERMS = LoanTerms(
    90_000_000,
    {"fees": 60_000_000, "flight": 40_000_000},
    "go_abroad",
    24,
    "JP",
    "labour_export",
    36,
)


def loan(consent: bool = True) -> RequestLoan:
    return RequestLoan(uuid.uuid4(), TERMS, DAY, consent, "29800", "86")


def contract(ent: Enterprise | None = None, market: str = "JP") -> SignContract:
    return SignContract(ent or enterprise(), market, "TITP", 36, DAY)


def run(*commands: Command, start: Journey | None = None) -> Journey:
    journey = start or Journey()
    for cmd in commands:
        journey = decide(journey, cmd).journey
    return journey


READY: list[Command] = [
    FindEligible(DAY),
    Enrol(course(), DAY),
    CompleteCourse(course(), DAY, passed=True, certificate_issued=True),
    DeclareNoLoan(DAY),
    contract(),
    ClearGate(Gate.HEALTH_CERTIFICATE, DAY),
    ClearGate(Gate.DEPOSIT_OR_GUARANTEE, DAY),
    ClearGate(Gate.VISA, DAY),
]


def test_a_worker_goes_from_intake_to_reintegration() -> None:
    journey = run(*READY, ScheduleDeparture(DAY, DAY), Depart(DAY))
    assert journey.stage is Stage.ABROAD
    journey = run(CheckIn(DAY, "phone", "working", False), Return(DAY, "dispute"), start=journey)
    assert journey.stage is Stage.RETURNED_EARLY
    assert run(ReferToJob(DAY, "job-centre"), start=journey).stage is Stage.REINTEGRATION


def test_departure_with_a_gate_missing_is_refused_and_names_it() -> None:
    journey = run(*READY[:-1])
    with pytest.raises(IllegalStep) as refused:
        decide(journey, ScheduleDeparture(DAY, DAY))
    assert "visa" in refused.value.body.message_en
    assert "visa" in refused.value.body.message_vi


def test_departure_with_a_requested_loan_not_disbursed_is_refused() -> None:
    steps = [s for s in READY if not isinstance(s, DeclareNoLoan)]
    journey = run(*steps, loan())
    with pytest.raises(IllegalStep, match="neither disbursed"):
        decide(journey, ScheduleDeparture(DAY, DAY))
    disbursed = apply_loan_fact(journey, LoanFact.DISBURSED)
    assert decide(disbursed, ScheduleDeparture(DAY, DAY)).journey.stage is Stage.DEPARTURE_SCHEDULED


def test_a_loan_request_without_bank_consent_is_refused() -> None:
    with pytest.raises(MissingBankConsent):
        decide(run(FindEligible(DAY)), loan(consent=False))


def test_a_second_orientation_certificate_is_refused() -> None:
    journey = run(*READY[:3])
    with pytest.raises(IllegalStep, match="second"):
        decide(journey, CompleteCourse(course(), DAY, passed=True, certificate_issued=True))


def test_a_failed_orientation_course_does_not_train_the_worker() -> None:
    journey = run(
        READY[0], READY[1], CompleteCourse(course(), DAY, passed=False, certificate_issued=False)
    )
    assert journey.stage is Stage.IN_TRAINING
    assert not journey.orientation_certified


@pytest.mark.parametrize(
    ("ent", "market", "why"),
    [
        (enterprise(revoked=True), "JP", "revoked"),
        (enterprise(licence_valid_to=DAY - dt.timedelta(days=1)), "JP", "not valid"),
        (enterprise(), "KR", "not licensed for the market"),
    ],
)
def test_a_contract_with_an_unlicensed_enterprise_is_refused(
    ent: Enterprise, market: str, why: str
) -> None:
    with pytest.raises(IllegalStep, match=why):
        decide(run(FindEligible(DAY)), contract(ent, market))


def test_a_bank_disbursement_is_not_undone_by_a_late_rejection() -> None:
    journey = apply_loan_fact(run(FindEligible(DAY), loan()), LoanFact.DISBURSED)
    assert apply_loan_fact(journey, LoanFact.REJECTED).loan is LoanStage.DISBURSED


def test_withdrawal_after_departure_is_refused() -> None:
    journey = run(*READY, ScheduleDeparture(DAY, DAY), Depart(DAY))
    with pytest.raises(IllegalStep):
        decide(journey, Withdraw(DAY, "changed_mind"))


def test_rescheduling_a_departure_says_so() -> None:
    journey = run(*READY, ScheduleDeparture(DAY, DAY))
    event = decide(journey, ScheduleDeparture(DAY + dt.timedelta(days=3), DAY)).events[0]
    assert event.model_dump()["rescheduled"] is True


# --- properties ---------------------------------------------------------------------------------

_ENTERPRISES = st.sampled_from(
    [enterprise(), enterprise(revoked=True), enterprise(licence_valid_to=dt.date(2025, 1, 1))]
)
_KINDS: list[CourseType] = ["vocational", "language", "orientation"]
_COMMANDS: st.SearchStrategy[Command] = st.one_of(
    st.just(FindEligible(DAY)),
    st.just(Reject(DAY, "not_voluntary")),
    st.just(Withdraw(DAY, "changed_mind")),
    st.sampled_from(_KINDS).map(lambda k: Enrol(course(k), DAY)),
    st.builds(
        lambda k, passed, cert: CompleteCourse(course(k), DAY, passed, cert),
        st.sampled_from(_KINDS),
        st.booleans(),
        st.booleans(),
    ),
    st.booleans().map(loan),
    st.just(DeclareNoLoan(DAY)),
    st.builds(contract, _ENTERPRISES, st.sampled_from(["JP", "KR"])),
    st.sampled_from([Gate.HEALTH_CERTIFICATE, Gate.DEPOSIT_OR_GUARANTEE, Gate.VISA]).map(
        lambda g: ClearGate(g, DAY)
    ),
    st.just(ScheduleDeparture(DAY, DAY)),
    st.just(Depart(DAY)),
    st.just(CheckIn(DAY, "sms", "working", True)),
    st.just(ReportAbsconded(DAY)),
    st.sampled_from([None, "accident_or_illness", "dispute"]).map(lambda c: Return(DAY, c)),  # type: ignore[arg-type]
    st.just(ReferToJob(DAY, "job-centre")),
)
PATH: list[Command] = [
    *READY,
    ScheduleDeparture(DAY, DAY),
    Depart(DAY),
    Return(DAY, None),
    ReferToJob(DAY, "job-centre"),
]
# Random steps after a random prefix of the happy path, so that deep stages are reached often.
# Each step of the path is kept nine times in ten, so gaps in it are explored too.
_STEPS = st.builds(
    lambda k, keep, rest: [c for c, kept in zip(PATH[:k], keep, strict=False) if kept] + rest,
    st.integers(0, len(PATH)),
    st.lists(st.integers(0, 9).map(bool), min_size=len(PATH), max_size=len(PATH)),
    st.lists(st.one_of(_COMMANDS, st.sampled_from(list(LoanFact))), max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_STEPS)
def test_no_sequence_of_commands_reaches_an_invalid_state(steps: list[Command | LoanFact]) -> None:
    journey = Journey()
    reached: set[Stage] = set()
    for step in steps:
        if isinstance(step, LoanFact):
            journey = apply_loan_fact(journey, step)
        else:
            before = journey
            try:
                journey = decide(journey, step).journey
            except IllegalStep:
                assert journey == before
        assert invariant_problems(journey) == [], (journey, step)
        reached.add(journey.stage)


@settings(max_examples=300, deadline=None)
@given(_STEPS)
def test_a_file_departs_only_through_a_scheduled_departure_with_every_gate(
    steps: list[Command | LoanFact],
) -> None:
    journey = Journey()
    for step in steps:
        if isinstance(step, LoanFact):
            journey = apply_loan_fact(journey, step)
            continue
        try:
            decision = decide(journey, step)
        except IllegalStep:
            continue
        if decision.journey.stage in DEPARTED and journey.stage not in DEPARTED:
            assert journey.stage is Stage.DEPARTURE_SCHEDULED
            assert journey.gates == frozenset(Gate)
            assert journey.orientation_certified
            assert journey.loan in {LoanStage.DISBURSED, LoanStage.DECLINED}
        assert all(type(e).__name__ == e.EVENT_TYPE for e in decision.events)
        journey = decision.journey


def test_the_generated_sequences_reach_every_stage() -> None:
    """Guards the properties above: they prove little if deep stages are never reached."""
    reached: set[Stage] = set()

    @settings(max_examples=1500, deadline=None, database=None, derandomize=True)
    @given(_STEPS)
    def walk(steps: list[Command | LoanFact]) -> None:
        journey = Journey()
        for step in steps:
            if isinstance(step, LoanFact):
                journey = apply_loan_fact(journey, step)
                continue
            try:
                journey = decide(journey, step).journey
            except IllegalStep:
                continue
            reached.add(journey.stage)

    walk()
    assert reached == set(Stage) - {Stage.SUBMITTED}
