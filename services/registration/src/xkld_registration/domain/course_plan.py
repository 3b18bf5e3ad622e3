"""The yearly course plan (đặt hàng), pure: what a plan line may say, and which course may fill
it. A line orders places in one trade from one training institution for one commune."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from xkld_shared.errors import Conflict, FieldProblem, InvalidInput

from xkld_registration.domain.problems import invalid_field


@dataclass(frozen=True)
class PlanLine:
    id: uuid.UUID
    plan_year: int
    province_code: str
    commune_code: str
    trade_code: str
    trade_title: str
    institution: str
    places: int
    planned_starts_on: dt.date
    planned_ends_on: dt.date
    budget_vnd: int
    withdrawn_on: dt.date | None = None


class PlanLineRefused(Conflict):
    code = "plan_line_refused"


def date_problems(plan_year: int, starts_on: dt.date, ends_on: dt.date) -> list[FieldProblem]:
    """A line's course starts in its plan year; it may end early the next year (a course of a
    few months that starts in the autumn), never before it starts."""
    return [*_start_problems(plan_year, starts_on), *_end_problems(plan_year, starts_on, ends_on)]


def _start_problems(plan_year: int, starts_on: dt.date) -> list[FieldProblem]:
    if starts_on.year == plan_year:
        return []
    return [
        FieldProblem(
            "planned_starts_on",
            f"Ngày khai giảng dự kiến phải trong năm kế hoạch {plan_year}",
            f"The planned start must fall in the plan year {plan_year}",
        )
    ]


def _end_problems(plan_year: int, starts_on: dt.date, ends_on: dt.date) -> list[FieldProblem]:
    if ends_on < starts_on:
        return [
            FieldProblem(
                "planned_ends_on",
                "Ngày kết thúc dự kiến không được trước ngày khai giảng",
                "The planned end must not be before the planned start",
            )
        ]
    if ends_on.year > plan_year + 1:
        return [
            FieldProblem(
                "planned_ends_on",
                f"Ngày kết thúc dự kiến phải trước hết năm {plan_year + 1}",
                f"The planned end must fall no later than the end of {plan_year + 1}",
            )
        ]
    return []


def check_dates(plan_year: int, starts_on: dt.date, ends_on: dt.date) -> None:
    if problems := date_problems(plan_year, starts_on, ends_on):
        raise InvalidInput.of(problems)


def check_replacement(old: PlanLine | None, new: PlanLine, courses_linked: int) -> None:
    """Setting a line again replaces it, except what courses already rely on."""
    if old is None:
        return
    if old.withdrawn_on is not None:
        raise PlanLineRefused(
            "Dòng kế hoạch này đã rút khỏi kế hoạch; hãy lập dòng mới",
            "This plan line was withdrawn; set up a new line instead",
        )
    if courses_linked and (old.trade_code, old.commune_code) != (new.trade_code, new.commune_code):
        raise PlanLineRefused(
            "Đã có khoá học theo dòng kế hoạch này: không đổi được nghề hoặc xã/phường",
            "Courses already fill this plan line: its trade and commune cannot change",
        )


def same_terms(old: PlanLine | None, new: PlanLine) -> bool:
    """A repeated PUT with the same terms changes nothing and announces nothing."""
    return old is not None and old == new


def check_course_fits(line: PlanLine | None, trade_code: str | None) -> None:
    """A course opened for a plan line exists for it: the line is live and the trade matches."""
    if line is None:
        raise invalid_field(
            "plan_line_id",
            "Không có dòng kế hoạch này",
            "There is no such plan line",
        )
    if line.withdrawn_on is not None:
        raise PlanLineRefused(
            "Dòng kế hoạch này đã rút khỏi kế hoạch",
            "This plan line was withdrawn from the plan",
        )
    if trade_code != line.trade_code:
        raise invalid_field(
            "trade_code",
            f"Nghề của khoá học phải là nghề của dòng kế hoạch ({line.trade_code})",
            f"The course's trade must be the plan line's trade ({line.trade_code})",
        )
