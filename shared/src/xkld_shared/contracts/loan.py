"""Events of the loan stream, keyed by the registration id like every stream."""

from __future__ import annotations

import datetime as dt
import uuid

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


class LoanApproved(EventPayload):
    """Confirmed by a bank manager who did not propose it. The rate is a decimal string."""

    EVENT_TYPE = "LoanApproved"
    SCHEMA_VERSION = 1

    loan_application_id: uuid.UUID
    amount_vnd: int = Field(gt=0)
    term_months: int = Field(gt=0)
    monthly_rate: str = Field(pattern=r"^\d+(\.\d+)?$")
    regime_code: str


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
