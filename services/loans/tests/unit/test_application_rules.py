import dataclasses
import datetime as dt
import uuid

import pytest
from xkld_loans.domain.application import (
    IllegalMove,
    LoanApplication,
    MakerCheckerViolation,
    Status,
    confirm,
    propose_approval,
    propose_rejection,
    send_back,
)
from xkld_loans.domain.regime_evaluation import LoanAsk, evaluate
from xkld_loans.domain.regime_loading import load_regimes
from xkld_loans.domain.regime_model import regime_in_force
from xkld_shared.errors import InvalidInput

ASK = LoanAsk(
    programme="labour_export",
    application_date=dt.date(2026, 2, 10),
    priority_groups=frozenset({"poor_household"}),
    contract_costs_vnd=180_000_000,
    requested_vnd=150_000_000,
    requested_term_months=36,
    contract_term_months=36,
)


def _received() -> LoanApplication:
    regime = regime_in_force(load_regimes(), ASK.programme, ASK.application_date)
    return LoanApplication(
        id=uuid.uuid4(),
        registration_id=uuid.uuid4(),
        branch_code="B",
        commune_code="29800",
        requested_vnd=ASK.requested_vnd,
        requested_term_months=ASK.requested_term_months,
        evaluation=evaluate(regime, ASK),
        status=Status.RECEIVED,
    )


def test_another_person_confirms_an_approval() -> None:
    proposed = propose_approval(_received(), by="officer", amount_vnd=150_000_000, term_months=36)
    approved = confirm(proposed, by="manager")
    assert approved.status is Status.APPROVED
    assert approved.decided_by == "manager"


def test_the_proposer_cannot_confirm_their_own_proposal() -> None:
    proposed = propose_rejection(_received(), by="officer", reason="thiếu hồ sơ")
    with pytest.raises(MakerCheckerViolation):
        confirm(proposed, by="officer")
    with pytest.raises(MakerCheckerViolation):
        send_back(proposed, by="officer")


def test_a_confirmed_rejection_is_final() -> None:
    rejected = confirm(propose_rejection(_received(), by="o", reason="r"), by="m")
    assert rejected.status is Status.REJECTED
    with pytest.raises(IllegalMove):
        propose_approval(rejected, by="o", amount_vnd=1, term_months=1)


def test_sent_back_returns_to_the_officers_without_the_old_proposal() -> None:
    back = send_back(propose_rejection(_received(), by="o", reason="r"), by="m")
    assert back.status is Status.RECEIVED
    assert back.proposal is None


def test_approving_twice_is_an_illegal_move() -> None:
    approved = confirm(
        propose_approval(_received(), by="o", amount_vnd=1_000_000, term_months=12), by="m"
    )
    with pytest.raises(IllegalMove):
        confirm(approved, by="m2")


@pytest.mark.parametrize(
    ("amount", "term", "field"),
    [(180_000_001, 36, "amount_vnd"), (0, 36, "amount_vnd"), (1_000_000, 37, "term_months")],
)
def test_a_proposal_beyond_the_evaluation_is_refused(amount: int, term: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        propose_approval(_received(), by="o", amount_vnd=amount, term_months=term)
    assert caught.value.body.fields[0].field == field


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidInput):
        propose_rejection(_received(), by="o", reason="  ")


def test_an_officer_takes_an_application_for_review_once_and_then_proposes() -> None:
    from xkld_loans.domain.application import start_review, withdraw

    reviewing = start_review(_received(), by="officer-a")
    assert (reviewing.status, reviewing.reviewer) == (Status.UNDER_REVIEW, "officer-a")
    with pytest.raises(IllegalMove):
        start_review(reviewing, by="officer-b")
    proposed = propose_approval(reviewing, by="officer-a", amount_vnd=150_000_000, term_months=36)
    assert proposed.status is Status.PROPOSED
    assert withdraw(reviewing).status is Status.WITHDRAWN
    with pytest.raises(IllegalMove):
        withdraw(dataclasses.replace(reviewing, status=Status.DISBURSED))
