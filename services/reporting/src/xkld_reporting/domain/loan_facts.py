"""What each loan-stream event does to the loans a batch touches and to the counters: pure
functions, applied in the events' order."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from xkld_shared.contracts import loan as ln
from xkld_shared.contracts.envelope import Envelope, EventPayload

from xkld_reporting.domain.fact_rows import LoanRow, OverdueRow
from xkld_reporting.domain.facts import Deltas, local_day


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
    # Looked up by exact type, not isinstance: that goes through pydantic's ABC metaclass,
    # which is slow.
    handler = _LOAN_HANDLERS.get(type(event))
    if handler is not None:
        handler(state, row, local_day(env.occurred_at), event)


def _received(
    state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanApplicationReceived
) -> None:
    # The loan carries its own commune: it is attributed even before (or without) the
    # registration, whose stream is another topic.
    row.source_commune_code = event.commune_code
    row.commune_code = state.current_unit(event.commune_code)
    row.applied_on, row.requested_vnd = day, event.requested_vnd
    state.deltas.add("loans_applied", row.commune_code, day, vnd=event.requested_vnd)


def _approved(state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanApproved) -> None:
    row.approved_on, row.approved_vnd = day, event.amount_vnd
    state.deltas.add("loans_approved", row.commune_code, day, vnd=event.amount_vnd)


def _rejected(state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanRejected) -> None:
    row.rejected_on = day
    state.deltas.add("loans_rejected", row.commune_code, day)


def _disbursed(state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanDisbursed) -> None:
    first = row.disbursed_on is None
    row.disbursed_on, row.disbursed_vnd = event.disbursed_on, event.amount_vnd
    row.installments = event.installments
    row.outstanding_vnd = event.amount_vnd - row.principal_repaid_vnd - row.written_off_vnd
    if first:
        state.deltas.add(
            "loans_disbursed", row.commune_code, event.disbursed_on, vnd=event.amount_vnd
        )


def _repaid(state: LoanState, row: LoanRow, day: dt.date, event: ln.RepaymentRecorded) -> None:
    row.repaid_vnd += event.amount_vnd
    row.principal_repaid_vnd += event.principal_vnd + event.early_principal_vnd
    row.outstanding_vnd = event.outstanding_principal_vnd
    state.deltas.add("loans_repaid", row.commune_code, event.paid_on, vnd=event.amount_vnd)


def _overdue(state: LoanState, row: LoanRow, day: dt.date, event: ln.InstallmentOverdue) -> None:
    state.overdue.append(
        OverdueRow(
            row.loan_application_id, event.installment_no, event.due_on, event.principal_due_vnd
        )
    )


def _settled(state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanSettled) -> None:
    row.settled_on, row.outstanding_vnd = event.settled_on, 0
    state.deltas.add("loans_settled", row.commune_code, event.settled_on)


def _restructured(state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanRestructured) -> None:
    row.restructured_on, row.restructured_kind = event.effective_on, event.kind
    row.outstanding_vnd = event.outstanding_principal_vnd
    row.written_off_vnd += event.written_off_principal_vnd
    row.installments = event.installments or row.installments


def _flagged(state: LoanState, row: LoanRow, day: dt.date, event: ln.LoanFlaggedForReview) -> None:
    row.flagged_on = event.flagged_on


_LOAN_HANDLERS: dict[type[EventPayload], Callable[..., None]] = {
    ln.LoanApplicationReceived: _received,
    ln.LoanApproved: _approved,
    ln.LoanRejected: _rejected,
    ln.LoanDisbursed: _disbursed,
    ln.RepaymentRecorded: _repaid,
    ln.InstallmentOverdue: _overdue,
    ln.LoanSettled: _settled,
    ln.LoanRestructured: _restructured,
    ln.LoanFlaggedForReview: _flagged,
}
