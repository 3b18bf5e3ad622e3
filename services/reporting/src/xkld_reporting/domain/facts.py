"""What each event does to the read models: pure functions over rows held in memory.

A batch of events is applied in order to the rows of the registrations (and loans) it touches;
each change that the progress report counts also adds to a counter delta. Rows hold ids and
dimensions only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from xkld_shared.clock import VIETNAM
from xkld_shared.contracts import journey as j
from xkld_shared.contracts import loan as ln
from xkld_shared.contracts import notification as nt
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registration import (
    RegistrationPersonalDataErased,
    RegistrationSubmitted,
)

from xkld_reporting.domain.dimensions import priority_bits
from xkld_reporting.domain.periods import month_of

LOCAL = VIETNAM
CounterKey = tuple[str, str, dt.date, str]  # indicator, commune, month, market


@dataclass
class Deltas:
    """Counter increments of one batch: (n, amount) per key."""

    counts: Counter[CounterKey] = field(default_factory=Counter)
    amounts: Counter[CounterKey] = field(default_factory=Counter)
    sms: Counter[tuple[str, dt.date, str]] = field(default_factory=Counter)
    unattributed: int = 0

    def add(
        self, indicator: str, commune: str | None, day: dt.date, market: str = "", vnd: int = 0
    ) -> None:
        if commune is None:
            self.unattributed += 1
            return
        key = (indicator, commune, month_of(day), market)
        self.counts[key] += 1
        self.amounts[key] += vnd


@dataclass
class RegistrationRow:
    registration_id: uuid.UUID
    commune_code: str | None = None
    source_commune_code: str | None = None
    province_code: str | None = None
    hamlet: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    submitted_on: dt.date | None = None
    priority_bits: int = 0
    desired_market: str | None = None
    market_code: str | None = None
    enterprise_code: str | None = None
    stage: str = "unknown"
    eligible_on: dt.date | None = None
    rejected_on: dt.date | None = None
    reject_reason: str | None = None
    withdrawn_on: dt.date | None = None
    trained_on: dt.date | None = None
    loan_requested_on: dt.date | None = None
    contract_signed_on: dt.date | None = None
    departure_on: dt.date | None = None
    departed_on: dt.date | None = None
    returned_on: dt.date | None = None
    return_early: bool | None = None
    return_cause: str | None = None
    absconded_on: dt.date | None = None
    referred_on: dt.date | None = None
    employment_status: str | None = None


@dataclass
class TrainingRow:
    registration_id: uuid.UUID
    course_id: uuid.UUID
    commune_code: str | None
    course_code: str
    course_type: str
    enrolled_on: dt.date | None = None
    completed_on: dt.date | None = None
    passed: bool | None = None
    certificate_issued: bool | None = None


@dataclass
class LoanRow:
    loan_application_id: uuid.UUID
    registration_id: uuid.UUID
    commune_code: str | None = None
    source_commune_code: str | None = None
    applied_on: dt.date | None = None
    requested_vnd: int = 0
    approved_on: dt.date | None = None
    approved_vnd: int = 0
    rejected_on: dt.date | None = None
    disbursed_on: dt.date | None = None
    disbursed_vnd: int = 0
    installments: int | None = None
    repaid_vnd: int = 0
    principal_repaid_vnd: int = 0
    outstanding_vnd: int = 0
    written_off_vnd: int = 0
    settled_on: dt.date | None = None
    restructured_on: dt.date | None = None
    restructured_kind: str | None = None
    flagged_on: dt.date | None = None


@dataclass(frozen=True)
class OverdueRow:
    loan_application_id: uuid.UUID
    installment_no: int
    due_on: dt.date
    principal_due_vnd: int


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


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


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
    if isinstance(event, j.TrainingEnrolled):
        course.enrolled_on = event.enrolled_on
        if row.stage in ("submitted", "eligible"):
            row.stage = "in_training"
        state.deltas.add("training_enrolled", row.commune_code, event.enrolled_on)
    else:
        course.completed_on, course.passed = event.completed_on, event.passed
        course.certificate_issued = event.certificate_issued
        state.deltas.add("training_completed", row.commune_code, event.completed_on)


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


@dataclass
class LoanState:
    current_unit: Callable[[str], str]
    loans: dict[uuid.UUID, LoanRow]
    overdue: list[OverdueRow] = field(default_factory=list)
    deltas: Deltas = field(default_factory=Deltas)
    touched: set[uuid.UUID] = field(default_factory=set)

    def row(self, loan_id: uuid.UUID, registration_id: uuid.UUID) -> LoanRow:
        row = self.loans.get(loan_id)
        if row is None:
            row = self.loans[loan_id] = LoanRow(loan_id, registration_id)
        self.touched.add(loan_id)
        return row


def apply_loan_event(state: LoanState, env: Envelope, event: EventPayload) -> None:
    loan_id = getattr(event, "loan_application_id", None)
    if not isinstance(loan_id, uuid.UUID):
        return
    row = state.row(loan_id, env.registration_id)
    d, day = state.deltas, local_day(env.occurred_at)
    # Exact types, not isinstance: that goes through pydantic's ABC metaclass, which is slow.
    if type(event) is ln.LoanApplicationReceived:
        # The loan carries its own commune: it is attributed even before (or without) the
        # registration, whose stream is another topic.
        row.source_commune_code = event.commune_code
        row.commune_code = state.current_unit(event.commune_code)
        row.applied_on, row.requested_vnd = day, event.requested_vnd
        d.add("loans_applied", row.commune_code, day, vnd=event.requested_vnd)
    elif type(event) is ln.LoanApproved:
        row.approved_on, row.approved_vnd = day, event.amount_vnd
        d.add("loans_approved", row.commune_code, day, vnd=event.amount_vnd)
    elif type(event) is ln.LoanRejected:
        row.rejected_on = day
        d.add("loans_rejected", row.commune_code, day)
    elif type(event) is ln.LoanDisbursed:
        first = row.disbursed_on is None
        row.disbursed_on, row.disbursed_vnd = event.disbursed_on, event.amount_vnd
        row.installments = event.installments
        row.outstanding_vnd = event.amount_vnd - row.principal_repaid_vnd - row.written_off_vnd
        if first:
            d.add("loans_disbursed", row.commune_code, event.disbursed_on, vnd=event.amount_vnd)
    elif type(event) is ln.RepaymentRecorded:
        row.repaid_vnd += event.amount_vnd
        row.principal_repaid_vnd += event.principal_vnd + event.early_principal_vnd
        row.outstanding_vnd = event.outstanding_principal_vnd
        d.add("loans_repaid", row.commune_code, event.paid_on, vnd=event.amount_vnd)
    elif type(event) is ln.InstallmentOverdue:
        state.overdue.append(
            OverdueRow(loan_id, event.installment_no, event.due_on, event.principal_due_vnd)
        )
    elif type(event) is ln.LoanSettled:
        row.settled_on, row.outstanding_vnd = event.settled_on, 0
        d.add("loans_settled", row.commune_code, event.settled_on)
    elif type(event) is ln.LoanRestructured:
        row.restructured_on, row.restructured_kind = event.effective_on, event.kind
        row.outstanding_vnd = event.outstanding_principal_vnd
        row.written_off_vnd += event.written_off_principal_vnd
        row.installments = event.installments or row.installments
    elif type(event) is ln.LoanFlaggedForReview:
        row.flagged_on = event.flagged_on


SMS_OUTCOMES: dict[type[EventPayload], str] = {
    nt.NotificationSent: "sent",
    nt.NotificationDelivered: "delivered",
    nt.NotificationFailed: "failed",
    nt.NotificationSuppressed: "suppressed",
}


def apply_notification_event(deltas: Deltas, env: Envelope, event: EventPayload) -> None:
    outcome = SMS_OUTCOMES.get(type(event))
    if outcome is None:
        return
    moment = getattr(event, "sent_at", None) or getattr(event, "delivered_at", None)
    moment = moment or getattr(event, "failed_at", None) or getattr(event, "suppressed_at", None)
    day = local_day(moment if isinstance(moment, dt.datetime) else env.occurred_at)
    deltas.sms[(getattr(event, "template_code", "?"), day, outcome)] += 1
