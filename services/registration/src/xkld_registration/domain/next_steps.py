"""Which steps a file can take next, named as their HTTP paths, so that a screen can offer
exactly those. Pure; kept equal to `journey.decide` by a test that tries every step."""

from __future__ import annotations

from xkld_registration.domain.journey_state import (
    BEFORE_DEPARTURE,
    DEPARTED,
    PREPARING,
    Gate,
    Journey,
    LoanStage,
    Stage,
    departure_blockers,
)

_GATE_STEPS = {
    Gate.HEALTH_CERTIFICATE: "gates/health-certificate",
    Gate.DEPOSIT_OR_GUARANTEE: "gates/deposit-or-guarantee",
    Gate.VISA: "gates/visa",
    Gate.CONTRACT: "contract",
}
_BACK_HOME = frozenset({Stage.RETURNED_COMPLETED, Stage.RETURNED_EARLY, Stage.REINTEGRATION})


def next_steps(journey: Journey) -> list[str]:
    """The steps `decide` would accept now (training results also need an enrolment; erasure
    also needs a file not erased already)."""
    return [
        *_intake_steps(journey),
        *_departure_steps(journey),
        *_abroad_steps(journey),
        *_closing_steps(journey),
    ]


def _intake_steps(journey: Journey) -> list[str]:
    steps = ["eligibility", "rejection"] if journey.stage is Stage.SUBMITTED else []
    if journey.stage in PREPARING:
        steps += _preparing(journey)
    return steps


def _departure_steps(journey: Journey) -> list[str]:
    steps = []
    if journey.stage in {Stage.TRAINED, Stage.DEPARTURE_SCHEDULED} and not departure_blockers(
        journey
    ):
        steps.append("departure-schedule")
    if journey.stage is Stage.DEPARTURE_SCHEDULED:
        steps.append("departure")
    return steps


def _abroad_steps(journey: Journey) -> list[str]:
    steps = ["check-ins", "absconding"] if journey.stage is Stage.ABROAD else []
    if journey.stage in {Stage.ABROAD, Stage.ABSCONDED}:
        steps.append("return")
    if journey.stage in _BACK_HOME:
        steps.append("reintegration-referrals")
    return steps


def _closing_steps(journey: Journey) -> list[str]:
    steps = ["withdrawal"] if journey.stage in BEFORE_DEPARTURE else []
    if journey.stage not in DEPARTED:
        steps.append("erasure")  # once departed, the file is evidence and is kept
    return steps


def _preparing(journey: Journey) -> list[str]:
    steps = ["enrolments", "training-results"]
    if journey.loan in {LoanStage.NONE, LoanStage.REJECTED}:
        steps.append("loan-request")
    if journey.loan not in {LoanStage.DISBURSED, LoanStage.DECLINED}:
        steps.append("no-loan")
    steps += [step for gate, step in sorted(_GATE_STEPS.items()) if gate not in journey.gates]
    return steps
