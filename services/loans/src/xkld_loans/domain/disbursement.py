"""Paying out an approved loan: once, for the approved amount, with its schedule fixed then."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from xkld_shared.errors import FieldProblem, InvalidInput

from xkld_loans.domain.application import IllegalMove, LoanApplication, Status
from xkld_loans.domain.schedule import Installment, add_months, equal_principal_schedule

Channel = Literal["commune_transaction_point", "bank_transfer"]


@dataclass(frozen=True)
class Disbursement:
    loan_application_id: uuid.UUID
    amount_vnd: int
    disbursed_on: dt.date
    channel: Channel
    schedule: tuple[Installment, ...]


def disburse(
    app: LoanApplication, *, amount_vnd: int, disbursed_on: dt.date, channel: Channel
) -> tuple[LoanApplication, Disbursement]:
    _check_disbursable(app)
    amount, term_months, rate = _approved_terms(app)
    _check_amount(amount_vnd, amount)
    schedule = equal_principal_schedule(amount_vnd, rate, term_months, add_months(disbursed_on, 1))
    disbursement = Disbursement(app.id, amount_vnd, disbursed_on, channel, schedule)
    return dataclasses.replace(app, status=Status.DISBURSED), disbursement


def _check_disbursable(app: LoanApplication) -> None:
    if app.status is Status.DISBURSED:
        raise IllegalMove(
            "Khoản vay này đã được giải ngân; không giải ngân lần hai",
            "This loan has been disbursed already; it cannot be disbursed twice",
        )
    if app.status is not Status.APPROVED:
        raise IllegalMove(
            f"Chỉ giải ngân khoản vay đã được duyệt (hiện: «{app.status.value}»)",
            f"Only an approved loan can be disbursed (it is {app.status.value})",
        )


def _approved_terms(app: LoanApplication) -> tuple[int, int, Decimal]:
    """The approved amount and term, and the monthly rate."""
    proposal, rate = app.proposal, app.evaluation.monthly_rate
    if proposal is None or proposal.amount_vnd is None or proposal.term_months is None:
        raise RuntimeError("an approved application always carries its proposal")
    if rate is None:
        raise RuntimeError("an approval requires a known rate")
    return proposal.amount_vnd, proposal.term_months, rate


def _check_amount(amount_vnd: int, approved_vnd: int) -> None:
    if amount_vnd != approved_vnd:
        raise InvalidInput.of([_not_the_approved_amount(approved_vnd)])


def _not_the_approved_amount(approved_vnd: int) -> FieldProblem:
    return FieldProblem(
        "amount_vnd",
        f"Số tiền giải ngân phải đúng số đã duyệt: {approved_vnd} đồng",
        f"The amount must be exactly the approved {approved_vnd} VND",
    )
