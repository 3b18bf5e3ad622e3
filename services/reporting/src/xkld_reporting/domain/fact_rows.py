"""The read models' rows as a batch holds them in memory: a registration, its courses, a
loan and its overdue instalments. Ids and dimensions only, never personal data."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


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
