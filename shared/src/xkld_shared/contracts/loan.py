"""Events of the loan stream, keyed by the registration id like every stream."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field

from xkld_shared.contracts.envelope import EventPayload


class LoanApplicationReceived(EventPayload):
    EVENT_TYPE = "LoanApplicationReceived"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    commune_code: str = Field(pattern=r"^\d{5}$")
    branch_code: str
    regime_code: str
    requested_vnd: int = Field(gt=0)
    eligible: bool
    # Added after v1: set when the application came from registration's LoanRequested.
    loan_request_id: uuid.UUID | None = None


class LoanApproved(EventPayload):
    """Confirmed by a bank manager who did not propose it. The rate is a decimal string."""

    EVENT_TYPE = "LoanApproved"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    amount_vnd: int = Field(gt=0)
    term_months: int = Field(gt=0)
    monthly_rate: str = Field(pattern=r"^\d+(\.\d+)?$")
    regime_code: str
    # Added after v1: the commune transaction day planned for disbursement, when known.
    disbursement_due_on: dt.date | None = None


class LoanRejected(EventPayload):
    """The officer's free-text reason stays in the loans service: it may name people."""

    EVENT_TYPE = "LoanRejected"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID


class LoanDisbursed(EventPayload):
    EVENT_TYPE = "LoanDisbursed"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    amount_vnd: int = Field(gt=0)
    disbursed_on: dt.date
    installments: int = Field(gt=0)
    first_due_on: dt.date


class RepaymentRecorded(EventPayload):
    EVENT_TYPE = "RepaymentRecorded"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    amount_vnd: int = Field(gt=0)
    paid_on: dt.date
    overdue_interest_vnd: int = Field(ge=0)
    interest_vnd: int = Field(ge=0)
    principal_vnd: int = Field(ge=0)
    early_principal_vnd: int = Field(ge=0)
    outstanding_principal_vnd: int = Field(ge=0)


class LoanSettled(EventPayload):
    EVENT_TYPE = "LoanSettled"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    settled_on: dt.date


class InstallmentOverdue(EventPayload):
    """Emitted once per instalment, the first day the daily job finds it past due."""

    EVENT_TYPE = "InstallmentOverdue"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    installment_no: int = Field(ge=1)
    due_on: dt.date
    detected_on: dt.date
    principal_due_vnd: int = Field(ge=0)
    interest_due_vnd: int = Field(ge=0)


class LoanRestructured(EventPayload):
    """Extended (longer term), frozen (no interest while frozen) or written off.

    `written_off_principal_vnd` is the principal removed from the outstanding balance.
    """

    EVENT_TYPE = "LoanRestructured"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    kind: Literal["extended", "frozen", "written_off"]
    effective_on: dt.date
    installments: int = Field(ge=0)
    next_due_on: dt.date | None = None
    outstanding_principal_vnd: int = Field(ge=0)
    written_off_principal_vnd: int = Field(default=0, ge=0)


class LoanFlaggedForReview(EventPayload):
    """The worker came home early: Art. 67 support may change what they owe."""

    EVENT_TYPE = "LoanFlaggedForReview"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    flagged_on: dt.date
    reason_code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,80}$")


class CapitalPoolAllocated(EventPayload):
    """A province's yearly budget allocation entrusted to VBSP for a provincial loan regime.

    It belongs to no registration: its envelope is keyed by the province's pool key."""

    EVENT_TYPE = "CapitalPoolAllocated"
    SCHEMA_VERSION = 1

    allocation_id: uuid.UUID
    province_code: str = Field(pattern=r"^\d{2}$")
    year: int = Field(ge=2000, le=2100)
    amount_vnd: int = Field(gt=0)
    allocated_on: dt.date
    available_vnd: int = Field(ge=0)


class CapitalPoolDrawn(EventPayload):
    """An approved loan of a pool-funded regime took its amount from the year's pool."""

    EVENT_TYPE = "CapitalPoolDrawn"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    province_code: str = Field(pattern=r"^\d{2}$")
    year: int = Field(ge=2000, le=2100)
    amount_vnd: int = Field(gt=0)
    available_vnd: int = Field(ge=0)


class CapitalPoolReturned(EventPayload):
    """Money back into a year's pool: principal repaid, or the draw of a withdrawn loan."""

    EVENT_TYPE = "CapitalPoolReturned"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    province_code: str = Field(pattern=r"^\d{2}$")
    year: int = Field(ge=2000, le=2100)
    amount_vnd: int = Field(gt=0)
    reason: Literal["repayment", "withdrawal"]
    available_vnd: int = Field(ge=0)
