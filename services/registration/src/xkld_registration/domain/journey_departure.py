"""The journey's steps from the contract on: the departure gates, the departure, and the
follow-up abroad and after the return. Pure; `journey.decide` routes commands here."""

from __future__ import annotations

from xkld_shared.contracts.journey import (
    CheckInRecorded,
    ContractSigned,
    DepartureGateCleared,
    DepartureScheduled,
    ReintegrationReferred,
    WorkerAbsconded,
    WorkerDeparted,
    WorkerReturned,
)

from xkld_registration.domain.journey_commands import (
    ClearGate,
    Depart,
    RecordCheckIn,
    ReferToJob,
    ReportAbsconded,
    Return,
    ScheduleDeparture,
    SignContract,
)
from xkld_registration.domain.journey_decision import Decision, moved, require
from xkld_registration.domain.journey_state import (
    PREPARING,
    Gate,
    IllegalStep,
    Journey,
    Stage,
    departure_blockers,
    stage_refused,
)
from xkld_registration.domain.reference import licence_problem


def gate(journey: Journey, cmd: SignContract | ClearGate) -> Decision:
    if journey.stage not in PREPARING:
        raise stage_refused(journey, "ghi nhận điều kiện xuất cảnh", "record a departure gate")
    cleared = Gate.CONTRACT if isinstance(cmd, SignContract) else cmd.gate
    if cleared in journey.gates:
        raise IllegalStep(
            f"Điều kiện «{cleared.value}» đã được ghi nhận; không ghi nhận lần hai",
            f"The gate '{cleared.value}' is already cleared; it is not recorded twice",
        )
    if isinstance(cmd, ClearGate):
        return _clear_gate(journey, cmd)
    return _sign_contract(journey, cmd)


def _clear_gate(journey: Journey, cmd: ClearGate) -> Decision:
    if cmd.gate is Gate.CONTRACT:
        raise ValueError("a contract gate is cleared by signing a contract")
    cleared = DepartureGateCleared(gate=cmd.gate.value, cleared_on=cmd.cleared_on)
    return moved(journey, cleared, gates=journey.gates | {cmd.gate})


def _sign_contract(journey: Journey, cmd: SignContract) -> Decision:
    if (problem := licence_problem(cmd.enterprise, cmd.market_code, cmd.signed_on)) is not None:
        raise IllegalStep(*problem)
    return moved(
        journey,
        _contract_signed(cmd),
        gates=journey.gates | {Gate.CONTRACT},
        market_code=cmd.market_code,
        enterprise_code=cmd.enterprise.code,
        programme=cmd.programme,
    )


def _contract_signed(cmd: SignContract) -> ContractSigned:
    return ContractSigned(
        enterprise_code=cmd.enterprise.code,
        market_code=cmd.market_code,
        programme=cmd.programme,
        term_months=cmd.term_months,
        signed_on=cmd.signed_on,
        fee_vnd=cmd.fee_vnd,
    )


def departure(journey: Journey, cmd: ScheduleDeparture | Depart) -> Decision:
    if isinstance(cmd, Depart):
        return _depart(journey, cmd)
    if journey.stage not in {Stage.TRAINED, Stage.DEPARTURE_SCHEDULED}:
        raise stage_refused(journey, "xếp lịch xuất cảnh", "schedule the departure")
    _check_schedule(journey, cmd)
    scheduled = DepartureScheduled(
        departure_on=cmd.departure_on,
        market_code=journey.market_code or "",
        rescheduled=journey.stage is Stage.DEPARTURE_SCHEDULED,
    )
    return moved(journey, scheduled, stage=Stage.DEPARTURE_SCHEDULED, departure_on=cmd.departure_on)


def _check_schedule(journey: Journey, cmd: ScheduleDeparture) -> None:
    if blockers := departure_blockers(journey):
        raise IllegalStep(
            "Chưa đủ điều kiện xuất cảnh: " + "; ".join(vi for vi, _ in blockers),
            "Departure gates are not met: " + "; ".join(en for _, en in blockers),
        )
    if cmd.departure_on < cmd.today:
        raise IllegalStep(
            "Ngày xuất cảnh dự kiến đã qua", "The planned departure date is in the past"
        )


def _depart(journey: Journey, cmd: Depart) -> Decision:
    if journey.stage is not Stage.DEPARTURE_SCHEDULED:
        raise stage_refused(journey, "ghi nhận xuất cảnh", "record the departure")
    departed = WorkerDeparted(
        departed_on=cmd.departed_on,
        market_code=journey.market_code or "",
        enterprise_code=journey.enterprise_code or "",
    )
    # The day they actually left replaces the planned one: follow-up counts from it.
    return moved(journey, departed, stage=Stage.ABROAD, departure_on=cmd.departed_on)


def abroad(
    journey: Journey, cmd: RecordCheckIn | ReportAbsconded | Return | ReferToJob
) -> Decision:
    match cmd:
        case RecordCheckIn():
            return _check_in(journey, cmd)
        case ReportAbsconded():
            require(journey, {Stage.ABROAD}, "báo cáo bỏ trốn", "report absconding")
            return moved(
                journey, WorkerAbsconded(reported_on=cmd.reported_on), stage=Stage.ABSCONDED
            )
        case Return():
            return _return(journey, cmd)
        case ReferToJob():
            return _refer_to_job(journey, cmd)


def _check_in(journey: Journey, cmd: RecordCheckIn) -> Decision:
    require(journey, {Stage.ABROAD}, "ghi nhận liên lạc định kỳ", "record a check-in")
    event = CheckInRecorded(
        checked_in_on=cmd.checked_in_on,
        channel=cmd.channel,
        employment_status=cmd.employment_status,
        incident_reported=cmd.incident_reported,
        remittance_vnd=cmd.remittance_vnd,
    )
    return moved(journey, event)


def _return(journey: Journey, cmd: Return) -> Decision:
    require(journey, {Stage.ABROAD, Stage.ABSCONDED}, "ghi nhận về nước", "record the return")
    early = cmd.early_cause is not None
    returned = WorkerReturned(returned_on=cmd.returned_on, early=early, early_cause=cmd.early_cause)
    stage = Stage.RETURNED_EARLY if early else Stage.RETURNED_COMPLETED
    return moved(journey, returned, stage=stage, early_cause=cmd.early_cause)


def _refer_to_job(journey: Journey, cmd: ReferToJob) -> Decision:
    back = {Stage.RETURNED_COMPLETED, Stage.RETURNED_EARLY, Stage.REINTEGRATION}
    require(journey, back, "giới thiệu việc làm", "refer to a job")
    referred = ReintegrationReferred(referred_on=cmd.referred_on, referral_code=cmd.referral_code)
    return moved(journey, referred, stage=Stage.REINTEGRATION)
