"""The registration stream after intake: a worker's journey from eligibility to return.

Each event is a fact the registration service recorded through one command. Free text that may
describe a person (reasons, incidents, certificate numbers, flight numbers) stays in the
registration service; events carry dates, codes and amounts that consumers need.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field, model_validator

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.registration import Code, PriorityGroup

CourseType = Literal["vocational", "language", "orientation"]
DepartureGate = Literal["health_certificate", "deposit_or_guarantee", "visa"]
# Law 69/2020 Art. 67: each cause carries its own support.
EarlyReturnCause = Literal[
    "accident_or_illness",
    "employer_bankruptcy_or_force_majeure",
    "terminated_for_abuse",
    "dispute",
    "death_or_missing",
]


class RegistrationFoundEligible(EventPayload):
    EVENT_TYPE = "RegistrationFoundEligible"

    assessed_on: dt.date


class RegistrationRejected(EventPayload):
    """The officer's free-text explanation stays in registration; the code travels."""

    EVENT_TYPE = "RegistrationRejected"

    rejected_on: dt.date
    reason_code: Code


class RegistrationWithdrawn(EventPayload):
    """Withdrawn before departure. `stage` is where the file stood when it was withdrawn."""

    EVENT_TYPE = "RegistrationWithdrawn"

    withdrawn_on: dt.date
    reason_code: Code
    stage: Code


class TrainingEnrolled(EventPayload):
    EVENT_TYPE = "TrainingEnrolled"

    course_id: uuid.UUID
    course_code: Code
    course_type: CourseType
    course_title: str = Field(max_length=200)
    venue: str = Field(max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    enrolled_on: dt.date


class TrainingCompleted(EventPayload):
    """A course ended for this worker: passed (with or without a certificate) or not."""

    EVENT_TYPE = "TrainingCompleted"

    course_id: uuid.UUID
    course_code: Code
    course_type: CourseType
    completed_on: dt.date
    passed: bool
    certificate_issued: bool


class WorkerTrained(EventPayload):
    """The orientation certificate is recorded: the worker may go on to a loan and the gates."""

    EVENT_TYPE = "WorkerTrained"

    trained_on: dt.date


class LoanRequested(EventPayload):
    """Sent only when the worker consented to share their file with the bank."""

    EVENT_TYPE = "LoanRequested"

    loan_request_id: uuid.UUID
    commune_code: str = Field(pattern=r"^\d{5}$")
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    # The bank's lending programme (labour_export, labour_export_poor_district,
    # korea_eps_deposit), which picks the regime; the market's programme (TITP, EPS) is not it.
    programme: Code
    market_code: Code
    requested_on: dt.date
    priority_groups: tuple[PriorityGroup, ...] = ()
    # Bounded like the bank's own API: more than 10 billion VND is a typing mistake.
    requested_vnd: int = Field(gt=0, le=10_000_000_000)
    contract_costs_vnd: int = Field(gt=0, le=10_000_000_000)
    cost_breakdown_vnd: dict[str, int] = Field(default_factory=dict)
    purpose_code: Code
    requested_term_months: int = Field(gt=0, le=240)
    contract_term_months: int = Field(gt=0, le=240)


class NoLoanDeclared(EventPayload):
    EVENT_TYPE = "NoLoanDeclared"

    declared_on: dt.date


class ContractSigned(EventPayload):
    """A contract with a licensed enterprise; one of the departure gates."""

    EVENT_TYPE = "ContractSigned"

    enterprise_code: Code
    market_code: Code
    programme: Code
    term_months: int = Field(gt=0, le=240)
    signed_on: dt.date
    # The fee the worker was charged (integer VND), when the officer entered it; optional so
    # that older events and older consumers stay valid.
    fee_vnd: int | None = Field(None, ge=0)


class DepartureGateCleared(EventPayload):
    EVENT_TYPE = "DepartureGateCleared"

    gate: DepartureGate
    cleared_on: dt.date


class DepartureScheduled(EventPayload):
    """`rescheduled` is true when an earlier date changed: workers must hear of it at once."""

    EVENT_TYPE = "DepartureScheduled"

    departure_on: dt.date
    market_code: Code
    rescheduled: bool = False


class WorkerDeparted(EventPayload):
    EVENT_TYPE = "WorkerDeparted"

    departed_on: dt.date
    market_code: Code
    enterprise_code: Code


class CheckInRecorded(EventPayload):
    EVENT_TYPE = "CheckInRecorded"

    checked_in_on: dt.date
    channel: Literal["phone", "sms", "visit", "enterprise_report", "other"]
    employment_status: Literal["working", "between_jobs", "not_working"]
    incident_reported: bool = False
    # Money the worker sent home since the last check-in, as the family reported it (integer
    # VND; absent when not asked or not known). Optional, so older events still read.
    remittance_vnd: int | None = Field(default=None, ge=0, le=10_000_000_000)


class WorkerReturned(EventPayload):
    """`early_cause` is set exactly when the return was early."""

    EVENT_TYPE = "WorkerReturned"

    returned_on: dt.date
    early: bool
    early_cause: EarlyReturnCause | None = None

    @model_validator(mode="after")
    def _cause_only_when_early(self) -> WorkerReturned:
        if self.early != (self.early_cause is not None):
            raise ValueError("early_cause is required for an early return, and only then")
        return self


class WorkerAbsconded(EventPayload):
    EVENT_TYPE = "WorkerAbsconded"

    reported_on: dt.date


class ReintegrationReferred(EventPayload):
    """A returned worker was referred to a job (at home or through an employment centre)."""

    EVENT_TYPE = "ReintegrationReferred"

    referred_on: dt.date
    referral_code: Code


ReintegrationOutcome = Literal["job_found", "training", "business_loan", "nothing_yet"]


class ReintegrationOutcomeRecorded(EventPayload):
    """How a returned worker is doing 3 or 6 months after the return, as the commune found it.
    The officer's note stays in registration."""

    EVENT_TYPE = "ReintegrationOutcomeRecorded"

    checkpoint_months: Literal[3, 6]
    outcome: ReintegrationOutcome
    observed_on: dt.date


PovertyStatus = Literal["poor", "near_poor", "neither"]


class PovertyStatusRecorded(EventPayload):
    """The household's standing on the commune's official list of poor and near-poor
    households (`list_year`), at intake or for a year after the worker came home."""

    EVENT_TYPE = "PovertyStatusRecorded"

    basis: Literal["intake", "after_return"]
    list_year: int = Field(ge=2000, le=2100)
    status: PovertyStatus
    recorded_on: dt.date
