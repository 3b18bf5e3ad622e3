"""What a change of a loan application tells: the view of it its audit rows keep, and the
events it publishes. Pure mappings from the domain's application to those payloads."""

from __future__ import annotations

import datetime as dt
import uuid

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.loan import LoanApplicationReceived, LoanApproved, LoanRejected

from xkld_loans.domain.application import LoanApplication, Status


def audit_view(app: LoanApplication) -> dict[str, object]:
    p = app.proposal
    return {
        "status": app.status.value,
        "proposal.approve": None if p is None else p.approve,
        "proposal.amount_vnd": None if p is None else p.amount_vnd,
        "proposal.term_months": None if p is None else p.term_months,
        "proposal.proposed_by": None if p is None else p.proposed_by,
        "decided_by": app.decided_by,
        "reviewer": app.reviewer,
    }


def received_event(
    app: LoanApplication, loan_request_id: uuid.UUID | None = None
) -> LoanApplicationReceived:
    """`loan_request_id`: the registration's request, when the application came from one."""
    return LoanApplicationReceived(
        loan_application_id=app.id,
        commune_code=app.commune_code,
        branch_code=app.branch_code,
        regime_code=app.evaluation.regime_code,
        requested_vnd=app.requested_vnd,
        eligible=app.evaluation.eligible,
        loan_request_id=loan_request_id,
    )


def decision_event(app: LoanApplication, disbursement_day: dt.date) -> EventPayload | None:
    if app.status is Status.REJECTED:
        return LoanRejected(loan_application_id=app.id)
    if app.status is not Status.APPROVED:
        return None
    p, rate = app.proposal, app.evaluation.monthly_rate
    if p is None or p.amount_vnd is None or p.term_months is None or rate is None:
        raise RuntimeError("an approved application always carries its proposal and rate")
    return LoanApproved(
        loan_application_id=app.id,
        amount_vnd=p.amount_vnd,
        term_months=p.term_months,
        monthly_rate=str(rate),
        regime_code=app.evaluation.regime_code,
        disbursement_due_on=disbursement_day,
    )
