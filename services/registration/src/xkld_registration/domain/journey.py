"""A worker's journey after intake, as a pure state machine.

`decide(journey, command)` either returns the next journey and the past-tense events that
describe the step, or raises `IllegalStep` (a 409) and nothing changes. The state and its
invariants are in `journey_state`, the commands in `journey_commands`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from xkld_shared.contracts.envelope import EventPayload
from xkld_shared.contracts.journey import (
    CheckInRecorded,
    ContractSigned,
    DepartureGateCleared,
    DepartureScheduled,
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
from xkld_registration.domain.journey_state import (
    BEFORE_DEPARTURE,
    PREPARING,
    Gate,
    IllegalStep,
    Journey,
    LoanStage,
    MissingBankConsent,
    Stage,
    departure_blockers,
    stage_refused,
)
from xkld_registration.domain.reference import licence_problem


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
        raise stage_refused(journey, "xét duyệt hồ sơ", "assess the file")
    if isinstance(cmd, FindEligible):
        event: EventPayload = RegistrationFoundEligible(assessed_on=cmd.assessed_on)
        return _moved(journey, event, stage=Stage.ELIGIBLE)
    rejected = RegistrationRejected(rejected_on=cmd.rejected_on, reason_code=cmd.reason_code)
    return _moved(journey, rejected, stage=Stage.REJECTED)


def _withdraw(journey: Journey, cmd: Withdraw) -> Decision:
    if journey.stage not in BEFORE_DEPARTURE:
        raise stage_refused(journey, "rút hồ sơ", "withdraw the file")
    event = RegistrationWithdrawn(
        withdrawn_on=cmd.withdrawn_on, reason_code=cmd.reason_code, stage=journey.stage.value
    )
    return _moved(journey, event, stage=Stage.WITHDRAWN)


def _training(journey: Journey, cmd: Enrol | CompleteCourse) -> Decision:
    if journey.stage not in PREPARING:
        raise stage_refused(journey, "ghi nhận đào tạo", "record training")
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


def _loan(journey: Journey, cmd: RequestLoan | DeclareNoLoan) -> Decision:
    if journey.stage not in PREPARING:
        raise stage_refused(journey, "ghi nhận vay vốn", "record a loan decision")
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
        raise stage_refused(journey, "ghi nhận điều kiện xuất cảnh", "record a departure gate")
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
        fee_vnd=cmd.fee_vnd,
    )
    return _moved(
        journey,
        signed,
        gates=gates,
        market_code=cmd.market_code,
        enterprise_code=cmd.enterprise.code,
        programme=cmd.programme,
    )


def _departure(journey: Journey, cmd: ScheduleDeparture | Depart) -> Decision:
    if isinstance(cmd, Depart):
        if journey.stage is not Stage.DEPARTURE_SCHEDULED:
            raise stage_refused(journey, "ghi nhận xuất cảnh", "record the departure")
        departed = WorkerDeparted(
            departed_on=cmd.departed_on,
            market_code=journey.market_code or "",
            enterprise_code=journey.enterprise_code or "",
        )
        # The day they actually left replaces the planned one: follow-up counts from it.
        return _moved(journey, departed, stage=Stage.ABROAD, departure_on=cmd.departed_on)
    if journey.stage not in {Stage.TRAINED, Stage.DEPARTURE_SCHEDULED}:
        raise stage_refused(journey, "xếp lịch xuất cảnh", "schedule the departure")
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
                remittance_vnd=cmd.remittance_vnd,
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
        raise stage_refused(journey, vi, en)
