"""A loan application's life up to the bank's decision, with maker-checker. Pure."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from enum import StrEnum

from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

from xkld_loans.domain.problems import invalid
from xkld_loans.domain.regime_evaluation import Evaluation


class Status(StrEnum):
    RECEIVED = "application_received"
    UNDER_REVIEW = "under_review"
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    SETTLED = "settled"
    WITHDRAWN = "withdrawn"  # the worker withdrew before any money moved
    FROZEN = "frozen"  # khoanh nợ: repayment and interest suspended
    WRITTEN_OFF = "written_off"


# Still to be decided or paid out: a withdrawal from registration simply ends these.
BEFORE_MONEY = frozenset({Status.RECEIVED, Status.UNDER_REVIEW, Status.PROPOSED, Status.APPROVED})
# A proposal may follow an explicit review step or come straight from the received queue.
PROPOSABLE = frozenset({Status.RECEIVED, Status.UNDER_REVIEW})


@dataclass(frozen=True)
class Proposal:
    """What a loan officer proposes; a bank manager who is not them confirms or refuses it."""

    approve: bool
    proposed_by: str
    amount_vnd: int | None = None
    term_months: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class LoanApplication:
    id: uuid.UUID
    registration_id: uuid.UUID
    branch_code: str
    commune_code: str
    requested_vnd: int
    requested_term_months: int
    evaluation: Evaluation
    status: Status
    proposal: Proposal | None = None
    decided_by: str | None = None
    reviewer: str | None = None


class IllegalMove(Conflict):
    code = "illegal_transition"


class MakerCheckerViolation(Conflict):
    code = "maker_checker_violation"

    def __init__(self) -> None:
        super().__init__(
            "Người đề xuất không được tự phê duyệt đề xuất của mình (nguyên tắc hai người)",
            "The person who proposed a decision cannot confirm it (maker-checker)",
        )


def propose_approval(
    app: LoanApplication, *, by: str, amount_vnd: int, term_months: int
) -> LoanApplication:
    _require_one_of(app, PROPOSABLE, "đề xuất", "propose")
    problems = _approval_problems(app.evaluation, amount_vnd, term_months)
    if problems:
        raise InvalidInput.of(problems)
    proposal = Proposal(True, by, amount_vnd=amount_vnd, term_months=term_months)
    return dataclasses.replace(app, status=Status.PROPOSED, proposal=proposal)


def _approval_problems(e: Evaluation, amount_vnd: int, term_months: int) -> list[FieldProblem]:
    """Why the evaluation does not allow approving this amount and term, if it does not."""
    problems = []
    if not e.eligible:
        problems.append(FieldProblem("decision", "Hồ sơ không đủ điều kiện vay", "Not eligible"))
    if not 0 < amount_vnd <= e.max_amount_vnd:
        problems.append(_amount_problem(e.max_amount_vnd))
    if not 0 < term_months <= e.max_term_months:
        problems.append(_term_problem(e.max_term_months))
    if e.monthly_rate is None:
        problems.append(_unknown_rate_problem())
    return problems


def _amount_problem(max_amount_vnd: int) -> FieldProblem:
    return FieldProblem(
        "amount_vnd",
        f"Số tiền phải từ 1 đến {max_amount_vnd:,} đồng".replace(",", "."),
        f"The amount must be between 1 and {max_amount_vnd:,} VND",
    )


def _term_problem(max_term_months: int) -> FieldProblem:
    return FieldProblem(
        "term_months",
        f"Thời hạn phải từ 1 đến {max_term_months} tháng",
        f"The term must be between 1 and {max_term_months} months",
    )


def _unknown_rate_problem() -> FieldProblem:
    return FieldProblem(
        "decision",
        "Chưa có lãi suất cho chế độ vay này; cần cập nhật chính sách",
        "This regime's rate is unknown; the policy data needs it first",
    )


def propose_rejection(app: LoanApplication, *, by: str, reason: str) -> LoanApplication:
    _require_one_of(app, PROPOSABLE, "đề xuất", "propose")
    if not reason.strip():
        raise invalid("reason", "Cần ghi rõ lý do từ chối", "A reason is required")
    proposal = Proposal(False, by, reason=reason.strip())
    return dataclasses.replace(app, status=Status.PROPOSED, proposal=proposal)


def confirm(app: LoanApplication, *, by: str) -> LoanApplication:
    """The manager agrees with the proposal: the loan is approved, or rejected, for good."""
    proposal = _proposal_to_decide(app, by)
    status = Status.APPROVED if proposal.approve else Status.REJECTED
    return dataclasses.replace(app, status=status, decided_by=by)


def send_back(app: LoanApplication, *, by: str) -> LoanApplication:
    """The manager disagrees: the application returns to the officers for a new proposal."""
    _proposal_to_decide(app, by)
    return dataclasses.replace(app, status=Status.RECEIVED, proposal=None)


def _proposal_to_decide(app: LoanApplication, by: str) -> Proposal:
    _require(app, Status.PROPOSED, "phê duyệt", "decide on")
    assert app.proposal is not None
    if app.proposal.proposed_by == by:
        raise MakerCheckerViolation
    return app.proposal


def start_review(app: LoanApplication, *, by: str) -> LoanApplication:
    """A loan officer takes the application: the queue shows who is reviewing it."""
    _require(app, Status.RECEIVED, "nhận thẩm định", "start reviewing")
    return dataclasses.replace(app, status=Status.UNDER_REVIEW, reviewer=by)


def _require(app: LoanApplication, status: Status, verb_vi: str, verb_en: str) -> None:
    _require_one_of(app, frozenset({status}), verb_vi, verb_en)


def _require_one_of(
    app: LoanApplication, statuses: frozenset[Status], verb_vi: str, verb_en: str
) -> None:
    if app.status not in statuses:
        raise IllegalMove(
            f"Không thể {verb_vi}: hồ sơ vay đang ở trạng thái «{app.status.value}»",
            f"Cannot {verb_en} an application that is {app.status.value}",
        )


def withdraw(app: LoanApplication) -> LoanApplication:
    """The worker withdrew their file; only an application no money has moved for ends."""
    if app.status not in BEFORE_MONEY:
        raise IllegalMove(
            f"Không thể hủy hồ sơ vay đang ở trạng thái «{app.status.value}»",
            f"Cannot withdraw an application that is {app.status.value}",
        )
    return dataclasses.replace(app, status=Status.WITHDRAWN, proposal=None)
