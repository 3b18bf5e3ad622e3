"""Employment after training (tỷ lệ có việc làm sau học nghề), the programme's measure of
success: within 6 months of the course, the commune records what the trainee does. Pure."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from xkld_shared.errors import FieldProblem, InvalidInput

Outcome = Literal["work_in_trade", "other_work", "own_business", "went_abroad", "no_work_yet"]
# Every outcome but "no work yet" counts as employed in the rate.
EMPLOYED: frozenset[Outcome] = frozenset(
    {"work_in_trade", "other_work", "own_business", "went_abroad"}
)
FOLLOW_UP_MONTHS = 6


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_outcome(
    outcome: Outcome,
    observed_on: dt.date,
    completed_on: dt.date | None,
    today: dt.date,
    abroad_file_found: bool,
) -> None:
    """An outcome is observed after the course was completed, within six months of it, not in
    the future; "went abroad" names the person's own labour-export file."""
    problems = [
        *_completion_problems(observed_on, completed_on, today),
        *_future_problems(observed_on, today),
        *_abroad_problems(outcome, abroad_file_found),
    ]
    if problems:
        raise InvalidInput.of(problems)


_NO_RESULT_YET = FieldProblem(
    "course_id",
    "Khoá học chưa có kết quả; chỉ ghi việc làm sau khi học xong",
    "The course has no result yet; employment is recorded after the course",
)
_OUTSIDE_FOLLOW_UP = FieldProblem(
    "observed_on",
    f"Ngày ghi nhận phải trong {FOLLOW_UP_MONTHS} tháng sau khi học xong",
    f"The date must be within {FOLLOW_UP_MONTHS} months after the course ended",
)


def _completion_problems(
    observed_on: dt.date, completed_on: dt.date | None, today: dt.date
) -> list[FieldProblem]:
    if completed_on is None:
        return [_NO_RESULT_YET]
    if _outside_follow_up(observed_on, completed_on, today):
        return [_OUTSIDE_FOLLOW_UP]
    return []


def _outside_follow_up(observed_on: dt.date, completed_on: dt.date, today: dt.date) -> bool:
    return observed_on < completed_on or (
        # A future date is refused below; only a past one is compared with six months on
        # (which also keeps the date arithmetic far from year 9999).
        observed_on <= today and observed_on > add_months(completed_on, FOLLOW_UP_MONTHS)
    )


def _future_problems(observed_on: dt.date, today: dt.date) -> list[FieldProblem]:
    if observed_on > today:
        return [
            FieldProblem("observed_on", "Ngày ghi nhận ở tương lai", "The date is in the future")
        ]
    return []


def _abroad_problems(outcome: Outcome, abroad_file_found: bool) -> list[FieldProblem]:
    if outcome == "went_abroad" and not abroad_file_found:
        return [
            FieldProblem(
                "registration_id",
                "Đi làm việc ở nước ngoài cần mã hồ sơ XKLĐ của chính người này",
                "Went abroad needs this person's own labour-export file id",
            )
        ]
    return []
