"""The labour-demand survey's rules: rounds, households and members of working age. Pure."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Literal

from xkld_shared.contracts.outreach import AbroadWhen, AgeBand, CurrentWork, Education
from xkld_shared.contracts.registration import PriorityGroup
from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

from xkld_outreach.domain.period import PeriodLimit, period_problem
from xkld_outreach.domain.phone import normalise_mobile

MAX_ROUND_DAYS = 366
_PERIOD = PeriodLimit(MAX_ROUND_DAYS, "Một đợt khảo sát", "A survey round")
MAX_MEMBERS = 20
# People under 18 may answer (they are of working age from 15) but may not go abroad (Law
# 69/2020 Art. 44): they are counted, and never converted into a registration.
UNDER_18: frozenset[str] = frozenset({"15-17"})


@dataclass(frozen=True)
class OpenRound:
    commune_code: str
    province_code: str
    title: str
    period_start: dt.date
    period_end: dt.date


def check_round(cmd: OpenRound) -> None:
    if problem := period_problem(cmd.period_start, cmd.period_end, _PERIOD):
        raise InvalidInput.of([problem])


@dataclass(frozen=True)
class Member:
    """One member of working age, as the officer recorded their answers. No CCCD."""

    age_band: AgeBand
    gender: Literal["male", "female"]
    education: Education
    current_work: CurrentWork
    wants_training: bool
    wants_abroad: bool
    needs_loan: bool
    contact_consent: bool
    full_name: str | None = None
    trade_code: str | None = None
    market_code: str | None = None
    abroad_when: AbroadWhen | None = None
    priority_groups: frozenset[PriorityGroup] = field(default_factory=frozenset)
    # As typed; checked below, sealed before it is stored. Never in a repr (logs).
    phone: str | None = field(default=None, repr=False)


def member_problems(member: Member, prefix: str = "") -> list[FieldProblem]:
    """The answers that contradict one another (a trade without wanting training, ...)."""
    return [
        *_training_problems(member, prefix),
        *_abroad_problems(member, prefix),
        *phone_problems(member, prefix),
    ]


def _training_problems(member: Member, prefix: str) -> list[FieldProblem]:
    if member.wants_training and member.trade_code is None:
        return [
            FieldProblem(
                f"{prefix}trade_code",
                "Muốn học nghề thì cần ghi nghề muốn học",
                "Give the trade when the person wants training",
            )
        ]
    if not member.wants_training and member.trade_code is not None:
        return [
            FieldProblem(
                f"{prefix}trade_code",
                "Chỉ ghi nghề khi người đó muốn học nghề",
                "A trade is only given when the person wants training",
            )
        ]
    return []


def _abroad_problems(member: Member, prefix: str) -> list[FieldProblem]:
    if member.wants_abroad and (member.market_code is None or member.abroad_when is None):
        return [
            FieldProblem(
                f"{prefix}market_code",
                "Muốn đi làm việc ở nước ngoài thì cần ghi thị trường và thời điểm",
                "Give the market and when, for a person who wants to work abroad",
            )
        ]
    if not member.wants_abroad and (member.market_code or member.abroad_when):
        return [
            FieldProblem(
                f"{prefix}market_code",
                "Chỉ ghi thị trường khi người đó muốn đi làm việc ở nước ngoài",
                "A market is only given when the person wants to work abroad",
            )
        ]
    return []


def phone_problems(member: Member, prefix: str = "") -> list[FieldProblem]:
    """A phone only with consent to be contacted (it is kept for nothing else), and only a
    Vietnamese mobile number."""
    if member.phone is None:
        return []
    if not member.contact_consent:
        return [
            FieldProblem(
                f"{prefix}phone",
                "Chỉ ghi số điện thoại khi người đó đồng ý được liên hệ",
                "A phone number is only kept with consent to be contacted",
            )
        ]
    if normalise_mobile(member.phone) is None:
        return [
            FieldProblem(
                f"{prefix}phone",
                "Số điện thoại không phải số di động Việt Nam hợp lệ",
                "The phone is not a valid Vietnamese mobile number",
            )
        ]
    return []


def check_members(members: list[Member]) -> None:
    problems: list[FieldProblem] = []
    if not 1 <= len(members) <= MAX_MEMBERS:
        problems.append(
            FieldProblem(
                "members",
                f"Một hộ có từ 1 đến {MAX_MEMBERS} người trong độ tuổi lao động",
                f"A household has 1 to {MAX_MEMBERS} members of working age",
            )
        )
    for i, member in enumerate(members):
        problems.extend(member_problems(member, f"members.{i}."))
    if problems:
        raise InvalidInput.of(problems)


class RoundClosed(Conflict):
    code = "round_closed"

    def __init__(self) -> None:
        super().__init__(
            "Đợt khảo sát đã kết thúc: không nhận thêm hộ", "The survey round is closed"
        )


class RoundAlreadyClosed(Conflict):
    code = "round_already_closed"

    def __init__(self) -> None:
        super().__init__("Đợt khảo sát đã kết thúc trước đó", "The round was already closed")


def check_open(status: str) -> None:
    if status != "open":
        raise RoundClosed


class NotConvertible(Conflict):
    code = "not_convertible"


def check_convertible(wants_abroad: bool, age_band: str) -> None:
    if not wants_abroad:
        raise NotConvertible(
            "Người này không có nhu cầu đi làm việc ở nước ngoài",
            "This person did not say they want to work abroad",
        )
    if age_band in UNDER_18:
        raise NotConvertible(
            "Người dưới 18 tuổi chưa thể đăng ký đi làm việc ở nước ngoài",
            "A person under 18 cannot register to work abroad",
        )


def new_id() -> uuid.UUID:
    return uuid.uuid4()
