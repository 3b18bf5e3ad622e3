"""A worker's journey after intake, as a pure state machine.

`decide(journey, command)` either returns the next journey and the past-tense events that
describe the step, or raises `IllegalStep` (a 409) and nothing changes. The loans service's
facts (approved, rejected, disbursed) are applied with `apply_loan_fact`: they are facts, not
requests, so they are never refused, only recorded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.journey import (
    CheckInRecorded,
    ContractSigned,
    DepartureGateCleared,
    DepartureScheduled,
    EarlyReturnCause,
    LoanRequested,
    NoLoanDeclared,
    RegistrationFoundEligible,
    RegistrationRejected,
    RegistrationWithdrawn,
    ReintegrationReferred,
    TrainingCompleted,
    TrainingEnrolled,
    WorkerAbsconded,
    WorkerDeparted,
    WorkerReturned,
    WorkerTrained,
)
from xkld_shared.contracts.registration import PriorityGroup
from xkld_shared.errors import Conflict

from xkld_registration.domain.reference import Course, Enterprise, licence_problem


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


def _stage_refused(journey: Journey, vi: str, en: str) -> IllegalStep:
    return IllegalStep(
        f"Không thể {vi} khi hồ sơ đang ở bước «{journey.stage.value}»",
        f"Cannot {en} while the file is at stage '{journey.stage.value}'",
    )


# --- commands (imperative) ------------------------------------------------------------------


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


@dataclass(frozen=True)
class Decision:
    journey: Journey
    events: tuple[EventPayload, ...]


def _moved(journey: Journey, *events: EventPayload, **changes: Any) -> Decision:
    return Decision(dataclasses.replace(journey, **changes), events)


def decide(journey: Journey, cmd: Command) -> Decision:
    """The one entry point: route the command to its rule."""
    match cmd:
        case FindEligible() | Reject():
            return _assess(journey, cmd)
        case Withdraw():
            return _withdraw(journey, cmd)
        case Enrol() | CompleteCourse():
            return _training(journey, cmd)
        case RequestLoan() | DeclareNoLoan():
            return _loan(journey, cmd)
        case SignContract() | ClearGate():
            return _gate(journey, cmd)
        case ScheduleDeparture() | Depart():
            return _departure(journey, cmd)
        case RecordCheckIn() | ReportAbsconded() | Return() | ReferToJob():
            return _abroad(journey, cmd)


def _assess(journey: Journey, cmd: FindEligible | Reject) -> Decision:
    if journey.stage is not Stage.SUBMITTED:
        raise _stage_refused(journey, "xét duyệt hồ sơ", "assess the file")
    if isinstance(cmd, FindEligible):
        event: EventPayload = RegistrationFoundEligible(assessed_on=cmd.assessed_on)
        return _moved(journey, event, stage=Stage.ELIGIBLE)
    rejected = RegistrationRejected(rejected_on=cmd.rejected_on, reason_code=cmd.reason_code)
    return _moved(journey, rejected, stage=Stage.REJECTED)


def _withdraw(journey: Journey, cmd: Withdraw) -> Decision:
    if journey.stage not in BEFORE_DEPARTURE:
        raise _stage_refused(journey, "rút hồ sơ", "withdraw the file")
    event = RegistrationWithdrawn(
        withdrawn_on=cmd.withdrawn_on, reason_code=cmd.reason_code, stage=journey.stage.value
    )
    return _moved(journey, event, stage=Stage.WITHDRAWN)


def _training(journey: Journey, cmd: Enrol | CompleteCourse) -> Decision:
    if journey.stage not in PREPARING:
        raise _stage_refused(journey, "ghi nhận đào tạo", "record training")
    c = cmd.course
    if isinstance(cmd, Enrol):
        enrolled = TrainingEnrolled(
            course_id=c.id,
            course_code=c.code,
            course_type=c.course_type,
            course_title=c.title,
            venue=c.venue,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            enrolled_on=cmd.enrolled_on,
        )
        stage = Stage.IN_TRAINING if journey.stage is Stage.ELIGIBLE else journey.stage
        return _moved(journey, enrolled, stage=stage)
    certifies = c.course_type == "orientation" and cmd.passed and cmd.certificate_issued
    if certifies and journey.orientation_certified:
        raise IllegalStep(
            "Người lao động đã có chứng chỉ giáo dục định hướng; không ghi nhận chứng chỉ thứ hai",
            "The worker already holds an orientation certificate; a second one is refused",
        )
    completed = TrainingCompleted(
        course_id=c.id,
        course_code=c.code,
        course_type=c.course_type,
        completed_on=cmd.completed_on,
        passed=cmd.passed,
        certificate_issued=cmd.certificate_issued,
    )
    if not certifies:
        return _moved(journey, completed)
    trained = WorkerTrained(trained_on=cmd.completed_on)
    return _moved(journey, completed, trained, stage=Stage.TRAINED, orientation_certified=True)


class MissingBankConsent(IllegalStep):
    code = "missing_bank_consent"

    def __init__(self) -> None:
        super().__init__(
            "Người lao động chưa đồng ý chia sẻ hồ sơ với Ngân hàng Chính sách xã hội; "
            "cần ghi nhận sự đồng ý này trước khi đề nghị vay vốn",
            "The worker has not consented to share their file with the bank (share_with_bank); "
            "record that consent before requesting a loan",
        )


def _loan(journey: Journey, cmd: RequestLoan | DeclareNoLoan) -> Decision:
    if journey.stage not in PREPARING:
        raise _stage_refused(journey, "ghi nhận vay vốn", "record a loan decision")
    if isinstance(cmd, DeclareNoLoan):
        if journey.loan in {LoanStage.DISBURSED, LoanStage.DECLINED}:
            raise IllegalStep(
                f"Khoản vay đã ở trạng thái «{journey.loan.value}»; không thể khai không vay",
                f"The loan is already '{journey.loan.value}'; cannot declare no loan",
            )
        declared = NoLoanDeclared(declared_on=cmd.declared_on)
        return _moved(journey, declared, loan=LoanStage.DECLINED)
    if journey.loan not in {LoanStage.NONE, LoanStage.REJECTED}:
        raise IllegalStep(
            f"Đã có đề nghị vay vốn (trạng thái «{journey.loan.value}»)",
            f"A loan was already requested (status '{journey.loan.value}')",
        )
    if not cmd.bank_consent:
        raise MissingBankConsent
    return _moved(journey, _loan_requested(cmd), loan=LoanStage.REQUESTED)


def _loan_requested(cmd: RequestLoan) -> LoanRequested:
    t = cmd.terms
    return LoanRequested(
        loan_request_id=cmd.loan_request_id,
        commune_code=cmd.commune_code,
        province_code=cmd.province_code,
        programme=t.programme,
        market_code=t.market_code,
        requested_on=cmd.requested_on,
        priority_groups=cmd.priority_groups,
        requested_vnd=t.requested_vnd,
        contract_costs_vnd=sum(t.cost_breakdown_vnd.values()),
        cost_breakdown_vnd=t.cost_breakdown_vnd,
        purpose_code=t.purpose_code,
        requested_term_months=t.requested_term_months,
        contract_term_months=t.contract_term_months,
    )


def _gate(journey: Journey, cmd: SignContract | ClearGate) -> Decision:
    if journey.stage not in PREPARING:
        raise _stage_refused(journey, "ghi nhận điều kiện xuất cảnh", "record a departure gate")
    gate = Gate.CONTRACT if isinstance(cmd, SignContract) else cmd.gate
    if gate in journey.gates:
        raise IllegalStep(
            f"Điều kiện «{gate.value}» đã được ghi nhận; không ghi nhận lần hai",
            f"The gate '{gate.value}' is already cleared; it is not recorded twice",
        )
    gates = journey.gates | {gate}
    if isinstance(cmd, ClearGate):
        if cmd.gate is Gate.CONTRACT:
            raise ValueError("a contract gate is cleared by signing a contract")
        cleared = DepartureGateCleared(gate=cmd.gate.value, cleared_on=cmd.cleared_on)
        return _moved(journey, cleared, gates=gates)
    if (problem := licence_problem(cmd.enterprise, cmd.market_code, cmd.signed_on)) is not None:
        raise IllegalStep(*problem)
    signed = ContractSigned(
        enterprise_code=cmd.enterprise.code,
        market_code=cmd.market_code,
        programme=cmd.programme,
        term_months=cmd.term_months,
        signed_on=cmd.signed_on,
    )
    return _moved(
        journey,
        signed,
        gates=gates,
        market_code=cmd.market_code,
        enterprise_code=cmd.enterprise.code,
        programme=cmd.programme,
    )


def departure_blockers(journey: Journey) -> list[tuple[str, str]]:
    """What still stands between this file and a departure date (Vietnamese, English)."""
    blockers: list[tuple[str, str]] = []
    if not journey.orientation_certified:
        blockers.append(("chưa có chứng chỉ giáo dục định hướng", "no orientation certificate"))
    names = {
        Gate.HEALTH_CERTIFICATE: ("giấy khám sức khoẻ", "health certificate"),
        Gate.CONTRACT: ("hợp đồng với doanh nghiệp được cấp phép", "contract"),
        Gate.DEPOSIT_OR_GUARANTEE: ("tiền ký quỹ hoặc bảo lãnh", "deposit or guarantee"),
        Gate.VISA: ("thị thực (visa)", "visa"),
    }
    for gate in sorted(ALL_GATES - journey.gates):
        vi, en = names[gate]
        blockers.append((f"thiếu {vi}", f"missing {en}"))
    if journey.loan not in LOAN_SETTLED:
        blockers.append(
            (
                f"khoản vay «{journey.loan.value}» chưa giải ngân và chưa khai không vay",
                f"loan '{journey.loan.value}' is neither disbursed nor declared not needed",
            )
        )
    return blockers


def _departure(journey: Journey, cmd: ScheduleDeparture | Depart) -> Decision:
    if isinstance(cmd, Depart):
        if journey.stage is not Stage.DEPARTURE_SCHEDULED:
            raise _stage_refused(journey, "ghi nhận xuất cảnh", "record the departure")
        departed = WorkerDeparted(
            departed_on=cmd.departed_on,
            market_code=journey.market_code or "",
            enterprise_code=journey.enterprise_code or "",
        )
        return _moved(journey, departed, stage=Stage.ABROAD)
    if journey.stage not in {Stage.TRAINED, Stage.DEPARTURE_SCHEDULED}:
        raise _stage_refused(journey, "xếp lịch xuất cảnh", "schedule the departure")
    if blockers := departure_blockers(journey):
        raise IllegalStep(
            "Chưa đủ điều kiện xuất cảnh: " + "; ".join(vi for vi, _ in blockers),
            "Departure gates are not met: " + "; ".join(en for _, en in blockers),
        )
    if cmd.departure_on < cmd.today:
        raise IllegalStep(
            "Ngày xuất cảnh dự kiến đã qua", "The planned departure date is in the past"
        )
    rescheduled = journey.stage is Stage.DEPARTURE_SCHEDULED
    scheduled = DepartureScheduled(
        departure_on=cmd.departure_on,
        market_code=journey.market_code or "",
        rescheduled=rescheduled,
    )
    return _moved(
        journey, scheduled, stage=Stage.DEPARTURE_SCHEDULED, departure_on=cmd.departure_on
    )


def _abroad(
    journey: Journey, cmd: RecordCheckIn | ReportAbsconded | Return | ReferToJob
) -> Decision:
    match cmd:
        case RecordCheckIn():
            _require(journey, {Stage.ABROAD}, "ghi nhận liên lạc định kỳ", "record a check-in")
            event: EventPayload = CheckInRecorded(
                checked_in_on=cmd.checked_in_on,
                channel=cmd.channel,
                employment_status=cmd.employment_status,
                incident_reported=cmd.incident_reported,
            )
            return _moved(journey, event)
        case ReportAbsconded():
            _require(journey, {Stage.ABROAD}, "báo cáo bỏ trốn", "report absconding")
            return _moved(
                journey, WorkerAbsconded(reported_on=cmd.reported_on), stage=Stage.ABSCONDED
            )
        case Return():
            _require(
                journey, {Stage.ABROAD, Stage.ABSCONDED}, "ghi nhận về nước", "record the return"
            )
            early = cmd.early_cause is not None
            returned = WorkerReturned(
                returned_on=cmd.returned_on, early=early, early_cause=cmd.early_cause
            )
            stage = Stage.RETURNED_EARLY if early else Stage.RETURNED_COMPLETED
            return _moved(journey, returned, stage=stage, early_cause=cmd.early_cause)
        case ReferToJob():
            back = {Stage.RETURNED_COMPLETED, Stage.RETURNED_EARLY, Stage.REINTEGRATION}
            _require(journey, back, "giới thiệu việc làm", "refer to a job")
            referred = ReintegrationReferred(
                referred_on=cmd.referred_on, referral_code=cmd.referral_code
            )
            return _moved(journey, referred, stage=Stage.REINTEGRATION)


def _require(journey: Journey, stages: set[Stage], vi: str, en: str) -> None:
    if journey.stage not in stages:
        raise _stage_refused(journey, vi, en)


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
        # Spelled out rather than reusing departure_blockers, so a slip there shows here.
        if journey.gates != ALL_GATES:
            problems.append("scheduled or departed with a gate missing")
        if not journey.orientation_certified:
            problems.append("scheduled or departed without an orientation certificate")
        if journey.loan not in {LoanStage.DISBURSED, LoanStage.DECLINED}:
            problems.append("scheduled or departed with the loan question open")
        if journey.departure_on is None:
            problems.append("scheduled or departed without a departure date")
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
