"""The commands of a worker's journey, one per step (imperative, as staff give them)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from xkld_shared.contracts.journey import EarlyReturnCause
from xkld_shared.contracts.registration import PriorityGroup

from xkld_registration.domain.journey_state import Gate
from xkld_registration.domain.reference import Course, Enterprise


@dataclass(frozen=True)
class FindEligible:
    assessed_on: dt.date


@dataclass(frozen=True)
class Reject:
    rejected_on: dt.date
    reason_code: str


@dataclass(frozen=True)
class Withdraw:
    withdrawn_on: dt.date
    reason_code: str


@dataclass(frozen=True)
class Enrol:
    course: Course
    enrolled_on: dt.date


@dataclass(frozen=True)
class CompleteCourse:
    course: Course
    completed_on: dt.date
    passed: bool
    certificate_issued: bool


@dataclass(frozen=True)
class LoanTerms:
    requested_vnd: int
    cost_breakdown_vnd: dict[str, int]
    purpose_code: str
    requested_term_months: int
    market_code: str
    programme: str
    contract_term_months: int


@dataclass(frozen=True)
class RequestLoan:
    loan_request_id: uuid.UUID
    terms: LoanTerms
    requested_on: dt.date
    bank_consent: bool
    commune_code: str
    province_code: str | None
    priority_groups: tuple[PriorityGroup, ...] = ()


@dataclass(frozen=True)
class DeclareNoLoan:
    declared_on: dt.date


@dataclass(frozen=True)
class SignContract:
    enterprise: Enterprise
    market_code: str
    programme: str
    term_months: int
    signed_on: dt.date
    fee_vnd: int | None = None  # integer VND, when the officer entered it


@dataclass(frozen=True)
class ClearGate:
    gate: Gate  # not CONTRACT: a contract is signed with SignContract
    cleared_on: dt.date


@dataclass(frozen=True)
class ScheduleDeparture:
    departure_on: dt.date
    today: dt.date


@dataclass(frozen=True)
class Depart:
    departed_on: dt.date


@dataclass(frozen=True)
class RecordCheckIn:
    checked_in_on: dt.date
    channel: str
    employment_status: str
    incident_reported: bool
    remittance_vnd: int | None = None


@dataclass(frozen=True)
class ReportAbsconded:
    reported_on: dt.date


@dataclass(frozen=True)
class Return:
    returned_on: dt.date
    early_cause: EarlyReturnCause | None


@dataclass(frozen=True)
class ReferToJob:
    referred_on: dt.date
    referral_code: str


Command = (
    FindEligible
    | Reject
    | Withdraw
    | Enrol
    | CompleteCourse
    | RequestLoan
    | DeclareNoLoan
    | SignContract
    | ClearGate
    | ScheduleDeparture
    | Depart
    | RecordCheckIn
    | ReportAbsconded
    | Return
    | ReferToJob
)
