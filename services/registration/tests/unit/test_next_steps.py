"""The steps a screen offers are exactly the steps `decide` accepts."""

from __future__ import annotations

import contextlib
import datetime as dt

from hypothesis import given, settings
from xkld_registration.domain.journey import decide
from xkld_registration.domain.journey_commands import (
    ClearGate,
    Command,
    CompleteCourse,
    DeclareNoLoan,
    Depart,
    Enrol,
    FindEligible,
    RecordCheckIn,
    ReferToJob,
    Reject,
    ReportAbsconded,
    Return,
    ScheduleDeparture,
    Withdraw,
)
from xkld_registration.domain.journey_state import (
    Gate,
    IllegalStep,
    Journey,
    LoanFact,
    apply_loan_fact,
)
from xkld_registration.domain.next_steps import next_steps

from .test_journey_state_machine import _STEPS, DAY, contract, course, loan

# One command per step path; training results use a non-certifying course, which any
# preparing file accepts.
SAMPLES: dict[str, Command] = {
    "eligibility": FindEligible(DAY),
    "rejection": Reject(DAY, "not_voluntary"),
    "withdrawal": Withdraw(DAY, "changed_mind"),
    "enrolments": Enrol(course("language"), DAY),
    "training-results": CompleteCourse(
        course("language"), DAY, passed=True, certificate_issued=True
    ),
    "loan-request": loan(),
    "no-loan": DeclareNoLoan(DAY),
    "contract": contract(),
    "gates/health-certificate": ClearGate(Gate.HEALTH_CERTIFICATE, DAY),
    "gates/deposit-or-guarantee": ClearGate(Gate.DEPOSIT_OR_GUARANTEE, DAY),
    "gates/visa": ClearGate(Gate.VISA, DAY),
    "departure-schedule": ScheduleDeparture(DAY + dt.timedelta(days=1), DAY),
    "departure": Depart(DAY),
    "check-ins": RecordCheckIn(DAY, "phone", "working", False),
    "absconding": ReportAbsconded(DAY),
    "return": Return(DAY, None),
    "reintegration-referrals": ReferToJob(DAY, "job-centre"),
}


def accepted(journey: Journey) -> list[str]:
    steps = []
    for step, cmd in SAMPLES.items():
        try:
            decide(journey, cmd)
        except IllegalStep:
            continue
        steps.append(step)
    return steps


def reach(steps: list[Command | LoanFact]) -> Journey:
    journey = Journey()
    for step in steps:
        if isinstance(step, LoanFact):
            journey = apply_loan_fact(journey, step)
            continue
        with contextlib.suppress(IllegalStep):  # a refused step leaves the file as it was
            journey = decide(journey, step).journey
    return journey


@settings(max_examples=400, deadline=None)
@given(_STEPS)
def test_the_offered_steps_are_exactly_those_the_rules_accept(
    steps: list[Command | LoanFact],
) -> None:
    journey = reach(steps)
    offered = [s for s in next_steps(journey) if s != "erasure"]
    assert sorted(offered) == sorted(accepted(journey))


def test_a_new_file_offers_assessment_withdrawal_and_erasure() -> None:
    assert next_steps(Journey()) == ["eligibility", "rejection", "withdrawal", "erasure"]
