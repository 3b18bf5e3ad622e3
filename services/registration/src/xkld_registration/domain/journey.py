"""A worker's journey after intake, as a pure state machine.

`decide(journey, command)` either returns the next journey and the past-tense events that
describe the step, or raises `IllegalStep` (a 409) and nothing changes. The state and its
invariants are in `journey_state`, the commands in `journey_commands`; the steps from the
contract on are in `journey_departure`.
"""

from __future__ import annotations

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.journey import (
    LoanRequested,
    NoLoanDeclared,
    RegistrationFoundEligible,
    RegistrationRejected,
    RegistrationWithdrawn,
    TrainingCompleted,
    TrainingEnrolled,
    WorkerTrained,
)

from xkld_registration.domain.journey_commands import (
    ClearGate,
    Command,
    CompleteCourse,
    DeclareNoLoan,
    Depart,
    Enrol,
    FindEligible,
    RecordCheckIn,
    ReferToJob,
    Reject,
    ReportAbsconded,
    RequestLoan,
    Return,
    ScheduleDeparture,
    SignContract,
    Withdraw,
)
from xkld_registration.domain.journey_decision import Decision, moved
from xkld_registration.domain.journey_departure import abroad, departure, gate
from xkld_registration.domain.journey_state import (
    BEFORE_DEPARTURE,
    PREPARING,
    IllegalStep,
    Journey,
    LoanStage,
    MissingBankConsent,
    Stage,
    stage_refused,
)

__all__ = ["Decision", "decide"]


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
            return gate(journey, cmd)
        case ScheduleDeparture() | Depart():
            return departure(journey, cmd)
        case RecordCheckIn() | ReportAbsconded() | Return() | ReferToJob():
            return abroad(journey, cmd)


def _assess(journey: Journey, cmd: FindEligible | Reject) -> Decision:
    if journey.stage is not Stage.SUBMITTED:
        raise stage_refused(journey, "xét duyệt hồ sơ", "assess the file")
    if isinstance(cmd, FindEligible):
        event: EventPayload = RegistrationFoundEligible(assessed_on=cmd.assessed_on)
        return moved(journey, event, stage=Stage.ELIGIBLE)
    rejected = RegistrationRejected(rejected_on=cmd.rejected_on, reason_code=cmd.reason_code)
    return moved(journey, rejected, stage=Stage.REJECTED)


def _withdraw(journey: Journey, cmd: Withdraw) -> Decision:
    if journey.stage not in BEFORE_DEPARTURE:
        raise stage_refused(journey, "rút hồ sơ", "withdraw the file")
    event = RegistrationWithdrawn(
        withdrawn_on=cmd.withdrawn_on, reason_code=cmd.reason_code, stage=journey.stage.value
    )
    return moved(journey, event, stage=Stage.WITHDRAWN)


def _training(journey: Journey, cmd: Enrol | CompleteCourse) -> Decision:
    if journey.stage not in PREPARING:
        raise stage_refused(journey, "ghi nhận đào tạo", "record training")
    if isinstance(cmd, Enrol):
        return _enrol(journey, cmd)
    return _complete(journey, cmd)


def _enrol(journey: Journey, cmd: Enrol) -> Decision:
    c = cmd.course
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
    return moved(journey, enrolled, stage=stage)


def _complete(journey: Journey, cmd: CompleteCourse) -> Decision:
    c = cmd.course
    certifies = c.course_type == "orientation" and cmd.passed and cmd.certificate_issued
    if certifies and journey.orientation_certified:
        raise IllegalStep(
            "Người lao động đã có chứng chỉ giáo dục định hướng; không ghi nhận chứng chỉ thứ hai",
            "The worker already holds an orientation certificate; a second one is refused",
        )
    completed = _completed(cmd)
    if not certifies:
        return moved(journey, completed)
    trained = WorkerTrained(trained_on=cmd.completed_on)
    return moved(journey, completed, trained, stage=Stage.TRAINED, orientation_certified=True)


def _completed(cmd: CompleteCourse) -> TrainingCompleted:
    return TrainingCompleted(
        course_id=cmd.course.id,
        course_code=cmd.course.code,
        course_type=cmd.course.course_type,
        completed_on=cmd.completed_on,
        passed=cmd.passed,
        certificate_issued=cmd.certificate_issued,
    )


def _loan(journey: Journey, cmd: RequestLoan | DeclareNoLoan) -> Decision:
    if journey.stage not in PREPARING:
        raise stage_refused(journey, "ghi nhận vay vốn", "record a loan decision")
    if isinstance(cmd, DeclareNoLoan):
        return _no_loan(journey, cmd)
    return _request_loan(journey, cmd)


def _no_loan(journey: Journey, cmd: DeclareNoLoan) -> Decision:
    if journey.loan in {LoanStage.DISBURSED, LoanStage.DECLINED}:
        raise IllegalStep(
            f"Khoản vay đã ở trạng thái «{journey.loan.value}»; không thể khai không vay",
            f"The loan is already '{journey.loan.value}'; cannot declare no loan",
        )
    declared = NoLoanDeclared(declared_on=cmd.declared_on)
    return moved(journey, declared, loan=LoanStage.DECLINED)


def _request_loan(journey: Journey, cmd: RequestLoan) -> Decision:
    if journey.loan not in {LoanStage.NONE, LoanStage.REJECTED}:
        raise IllegalStep(
            f"Đã có đề nghị vay vốn (trạng thái «{journey.loan.value}»)",
            f"A loan was already requested (status '{journey.loan.value}')",
        )
    if not cmd.bank_consent:
        raise MissingBankConsent
    return moved(journey, _loan_requested(cmd), loan=LoanStage.REQUESTED)


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
