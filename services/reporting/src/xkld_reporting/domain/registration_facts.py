"""What each registration-stream event does to the rows of the registrations (and their
courses) a batch touches: pure functions, applied in the events' order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from xkld_shared.contracts import journey as j
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)

from xkld_reporting.domain.dimensions import priority_bits
from xkld_reporting.domain.fact_rows import RegistrationRow, TrainingRow
from xkld_reporting.domain.facts import Deltas


@dataclass
class RegistrationState:
    """The rows one batch of the registration stream reads and writes."""

    current_unit: Callable[[str], str]
    province_of: Callable[[str], str | None]
    registrations: dict[uuid.UUID, RegistrationRow]
    trainings: dict[tuple[uuid.UUID, uuid.UUID], TrainingRow]
    deltas: Deltas = field(default_factory=Deltas)
    touched: set[uuid.UUID] = field(default_factory=set)
    touched_trainings: set[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=set)

    def row(self, registration_id: uuid.UUID) -> RegistrationRow:
        row = self.registrations.get(registration_id)
        if row is None:  # an event whose RegistrationSubmitted never arrived (dead-lettered)
            row = self.registrations[registration_id] = RegistrationRow(registration_id)
        self.touched.add(registration_id)
        return row


def apply_registration_event(state: RegistrationState, env: Envelope, event: EventPayload) -> None:
    # A dict on the exact type, not `match`: class patterns call isinstance through pydantic's
    # ABC metaclass, which was a sixth of the projection's time.
    handler = _REGISTRATION_HANDLERS.get(type(event))
    if handler is not None:
        handler(state, state.row(env.registration_id), env, event)


def _submitted(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: RegistrationSubmitted
) -> None:
    commune = state.current_unit(e.commune_code)
    row.source_commune_code = e.commune_code
    row.commune_code = commune
    row.province_code = state.province_of(commune) or e.province_code
    row.hamlet, row.gender, row.birth_year = e.hamlet, e.gender, e.birth_year
    row.submitted_on = e.submitted_on
    row.priority_bits = priority_bits(e.priority_groups)
    row.desired_market = e.desired_market
    row.stage = "submitted"
    state.deltas.add("registered", commune, e.submitted_on, e.desired_market or "")


def _erased(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: RegistrationPersonalDataErased
) -> None:
    # Hamlet and birth year could narrow a count down to a person: they go; counts stay.
    row.hamlet, row.birth_year = None, None


def _eligible(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.RegistrationFoundEligible
) -> None:
    row.eligible_on, row.stage = e.assessed_on, "eligible"
    state.deltas.add("eligible", row.commune_code, e.assessed_on)


def _rejected(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.RegistrationRejected
) -> None:
    row.rejected_on, row.reject_reason, row.stage = e.rejected_on, e.reason_code, "rejected"
    state.deltas.add("rejected", row.commune_code, e.rejected_on)


def _withdrawn(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.RegistrationWithdrawn
) -> None:
    row.withdrawn_on, row.stage = e.withdrawn_on, "withdrawn"
    state.deltas.add("withdrawn", row.commune_code, e.withdrawn_on)


def _trained(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.WorkerTrained
) -> None:
    first = row.trained_on is None
    row.trained_on, row.stage = e.trained_on, "trained"
    if first:
        state.deltas.add("trained", row.commune_code, e.trained_on)


def _loan_requested(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.LoanRequested
) -> None:
    row.loan_requested_on, row.stage = e.requested_on, "loan_requested"


def _no_loan(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.NoLoanDeclared
) -> None:
    row.stage = "no_loan"


def _contract(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.ContractSigned
) -> None:
    row.contract_signed_on, row.stage = e.signed_on, "contract_signed"
    row.market_code, row.enterprise_code = e.market_code, e.enterprise_code
    state.deltas.add("contract_signed", row.commune_code, e.signed_on, e.market_code)


def _scheduled(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.DepartureScheduled
) -> None:
    row.departure_on, row.stage = e.departure_on, "departure_scheduled"
    row.market_code = e.market_code


def _departed(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.WorkerDeparted
) -> None:
    first = row.departed_on is None
    row.departed_on, row.stage = e.departed_on, "departed"
    row.market_code, row.enterprise_code = e.market_code, e.enterprise_code
    if first:
        state.deltas.add("departed", row.commune_code, e.departed_on, e.market_code)


def _checked_in(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.CheckInRecorded
) -> None:
    row.employment_status = e.employment_status
    if e.remittance_vnd:  # money sent home, counted in the month of the check-in
        market = row.market_code or ""
        state.deltas.add("remittance", row.commune_code, e.checked_in_on, market, e.remittance_vnd)


def _returned(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.WorkerReturned
) -> None:
    row.returned_on, row.return_early, row.return_cause = e.returned_on, e.early, e.early_cause
    row.stage = "returned_early" if e.early else "returned_completed"
    state.deltas.add("returned", row.commune_code, e.returned_on)


def _absconded(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.WorkerAbsconded
) -> None:
    row.absconded_on, row.stage = e.reported_on, "absconded"
    state.deltas.add("absconded", row.commune_code, e.reported_on)


def _referred(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.ReintegrationReferred
) -> None:
    row.referred_on, row.stage = e.referred_on, "reintegration"


def _gate(
    state: RegistrationState, row: RegistrationRow, env: Envelope, e: j.DepartureGateCleared
) -> None:
    """Gates are the registration service's checklist; not reported yet."""


def _apply_training(
    state: RegistrationState,
    row: RegistrationRow,
    env: Envelope,
    event: j.TrainingEnrolled | j.TrainingCompleted,
) -> None:
    course = _training_row(state, row, env, event)
    if isinstance(event, j.TrainingEnrolled):
        _enrolled(state, row, course, event)
    else:
        _completed(state, row, course, event)


def _training_row(
    state: RegistrationState,
    row: RegistrationRow,
    env: Envelope,
    event: j.TrainingEnrolled | j.TrainingCompleted,
) -> TrainingRow:
    """The registration's row for the event's course, created on its first event."""
    key = (env.registration_id, event.course_id)
    course = state.trainings.get(key)
    if course is None:
        course = state.trainings[key] = TrainingRow(
            env.registration_id,
            event.course_id,
            row.commune_code,
            event.course_code,
            event.course_type,
        )
    state.touched_trainings.add(key)
    return course


def _enrolled(
    state: RegistrationState, row: RegistrationRow, course: TrainingRow, e: j.TrainingEnrolled
) -> None:
    course.enrolled_on = e.enrolled_on
    if row.stage in ("submitted", "eligible"):
        row.stage = "in_training"
    state.deltas.add("training_enrolled", row.commune_code, e.enrolled_on)


def _completed(
    state: RegistrationState, row: RegistrationRow, course: TrainingRow, e: j.TrainingCompleted
) -> None:
    course.completed_on, course.passed = e.completed_on, e.passed
    course.certificate_issued = e.certificate_issued
    state.deltas.add("training_completed", row.commune_code, e.completed_on)


_REGISTRATION_HANDLERS: dict[type[EventPayload], Callable[..., None]] = {
    RegistrationSubmitted: _submitted,
    RegistrationPersonalDataErased: _erased,
    j.RegistrationFoundEligible: _eligible,
    j.RegistrationRejected: _rejected,
    j.RegistrationWithdrawn: _withdrawn,
    j.TrainingEnrolled: _apply_training,
    j.TrainingCompleted: _apply_training,
    j.WorkerTrained: _trained,
    j.LoanRequested: _loan_requested,
    j.NoLoanDeclared: _no_loan,
    j.ContractSigned: _contract,
    j.DepartureGateCleared: _gate,
    j.DepartureScheduled: _scheduled,
    j.WorkerDeparted: _departed,
    j.CheckInRecorded: _checked_in,
    j.WorkerReturned: _returned,
    j.WorkerAbsconded: _absconded,
    j.ReintegrationReferred: _referred,
}
