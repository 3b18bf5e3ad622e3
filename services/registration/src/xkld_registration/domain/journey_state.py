"""The state of a worker's journey, what must always hold of it, and the bank's facts.

The bank's decisions (approved, rejected, disbursed) are applied with `apply_loan_fact`: they
are facts, not requests, so they are never refused, only recorded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from xkld_shared.contracts.journey import EarlyReturnCause
from xkld_shared.errors import Conflict


class Stage(StrEnum):
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    REJECTED = "rejected"
    IN_TRAINING = "in_training"
    TRAINED = "trained"
    DEPARTURE_SCHEDULED = "departure_scheduled"
    ABROAD = "abroad"
    ABSCONDED = "absconded"
    RETURNED_COMPLETED = "returned_completed"
    RETURNED_EARLY = "returned_early"
    REINTEGRATION = "reintegration"
    WITHDRAWN = "withdrawn"


class LoanStage(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"
    DECLINED = "no_loan"  # the worker declared they go without a loan


class Gate(StrEnum):
    HEALTH_CERTIFICATE = "health_certificate"
    CONTRACT = "contract"
    DEPOSIT_OR_GUARANTEE = "deposit_or_guarantee"
    VISA = "visa"


ALL_GATES = frozenset(Gate)
# Between eligibility and a scheduled departure: training, the loan and the gates, any order.
PREPARING = frozenset({Stage.ELIGIBLE, Stage.IN_TRAINING, Stage.TRAINED})
BEFORE_DEPARTURE = PREPARING | {Stage.SUBMITTED, Stage.DEPARTURE_SCHEDULED}
DEPARTED = frozenset(
    {
        Stage.ABROAD,
        Stage.ABSCONDED,
        Stage.RETURNED_COMPLETED,
        Stage.RETURNED_EARLY,
        Stage.REINTEGRATION,
    }
)
LOAN_SETTLED = frozenset({LoanStage.DISBURSED, LoanStage.DECLINED})


@dataclass(frozen=True)
class Journey:
    stage: Stage = Stage.SUBMITTED
    loan: LoanStage = LoanStage.NONE
    gates: frozenset[Gate] = frozenset()
    orientation_certified: bool = False
    market_code: str | None = None  # from the signed contract
    enterprise_code: str | None = None
    programme: str | None = None
    departure_on: dt.date | None = None
    early_cause: EarlyReturnCause | None = None


class IllegalStep(Conflict):
    code = "illegal_journey_step"


def stage_refused(journey: Journey, vi: str, en: str) -> IllegalStep:
    return IllegalStep(
        f"Không thể {vi} khi hồ sơ đang ở bước «{journey.stage.value}»",
        f"Cannot {en} while the file is at stage '{journey.stage.value}'",
    )


class MissingBankConsent(IllegalStep):
    code = "missing_bank_consent"

    def __init__(self) -> None:
        super().__init__(
            "Người lao động chưa đồng ý chia sẻ hồ sơ với Ngân hàng Chính sách xã hội; "
            "cần ghi nhận sự đồng ý này trước khi đề nghị vay vốn",
            "The worker has not consented to share their file with the bank (share_with_bank); "
            "record that consent before requesting a loan",
        )


_GATE_NAMES = {
    Gate.HEALTH_CERTIFICATE: ("giấy khám sức khoẻ", "health certificate"),
    Gate.CONTRACT: ("hợp đồng với doanh nghiệp được cấp phép", "contract"),
    Gate.DEPOSIT_OR_GUARANTEE: ("tiền ký quỹ hoặc bảo lãnh", "deposit or guarantee"),
    Gate.VISA: ("thị thực (visa)", "visa"),
}


def departure_blockers(journey: Journey) -> list[tuple[str, str]]:
    """What still stands between this file and a departure date (Vietnamese, English)."""
    blockers: list[tuple[str, str]] = []
    if not journey.orientation_certified:
        blockers.append(("chưa có chứng chỉ giáo dục định hướng", "no orientation certificate"))
    blockers += [_missing(gate) for gate in sorted(ALL_GATES - journey.gates)]
    return blockers + _loan_blockers(journey)


def _missing(gate: Gate) -> tuple[str, str]:
    vi, en = _GATE_NAMES[gate]
    return f"thiếu {vi}", f"missing {en}"


def _loan_blockers(journey: Journey) -> list[tuple[str, str]]:
    if journey.loan in LOAN_SETTLED:
        return []
    return [
        (
            f"khoản vay «{journey.loan.value}» chưa giải ngân và chưa khai không vay",
            f"loan '{journey.loan.value}' is neither disbursed nor declared not needed",
        )
    ]


# --- facts from the loans service -------------------------------------------------------------


class LoanFact(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"


def apply_loan_fact(journey: Journey, fact: LoanFact) -> Journey:
    """The bank's decisions are facts: recorded whatever the file's stage, never refused.

    A disbursement is final: a late approval or rejection does not undo it. After the worker
    declared they go without a loan, only a disbursement (money did move) changes the file.
    """
    if journey.loan is LoanStage.DISBURSED:
        return journey
    if journey.loan is LoanStage.DECLINED and fact is not LoanFact.DISBURSED:
        return journey
    return dataclasses.replace(journey, loan=LoanStage(fact.value))


def invariant_problems(journey: Journey) -> list[str]:
    """What must hold of any journey reachable through `decide` and `apply_loan_fact`."""
    problems: list[str] = []
    if journey.stage in DEPARTED | {Stage.DEPARTURE_SCHEDULED}:
        problems += _departure_problems(journey)
    if journey.stage is Stage.TRAINED and not journey.orientation_certified:
        problems.append("trained without an orientation certificate")
    if journey.stage is Stage.RETURNED_EARLY and journey.early_cause is None:
        problems.append("an early return without its cause")
    after_return = {Stage.RETURNED_EARLY, Stage.REINTEGRATION}
    if journey.early_cause is not None and journey.stage not in after_return:
        problems.append("an early-return cause on a file that did not return early")
    if (Gate.CONTRACT in journey.gates) != (journey.enterprise_code is not None):
        problems.append("contract gate without an enterprise, or the reverse")
    return problems


def _departure_problems(journey: Journey) -> list[str]:
    # Spelled out rather than reusing departure_blockers, so a slip there shows here.
    problems: list[str] = []
    if journey.gates != ALL_GATES:
        problems.append("scheduled or departed with a gate missing")
    if not journey.orientation_certified:
        problems.append("scheduled or departed without an orientation certificate")
    if journey.loan not in {LoanStage.DISBURSED, LoanStage.DECLINED}:
        problems.append("scheduled or departed with the loan question open")
    if journey.departure_on is None:
        problems.append("scheduled or departed without a departure date")
    return problems
