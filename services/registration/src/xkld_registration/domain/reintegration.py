"""The reintegration outcome, looked at 3 and 6 months after the return (pure)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from xkld_shared.errors import Conflict

from xkld_registration.domain.problems import invalid_field

CHECKPOINTS = (3, 6)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, clipped to the month's last day (30 Nov + 3
    months is 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    checkpoint_months: int
    due_on: dt.date


def due_checkpoints(
    returned_on: dt.date, recorded: set[int], today: dt.date, within_days: int
) -> list[Due]:
    """The checkpoints not recorded yet whose day has come, or comes within `within_days`."""
    horizon = today + dt.timedelta(days=within_days)
    return [
        Due(months, due_on)
        for months in CHECKPOINTS
        if months not in recorded and (due_on := months_after(returned_on, months)) <= horizon
    ]


class OutcomeAlreadyRecorded(Conflict):
    code = "reintegration_outcome_recorded"

    def __init__(self, months: int) -> None:
        super().__init__(
            f"Kết quả tái hoà nhập sau {months} tháng đã được ghi nhận",
            f"The reintegration outcome after {months} months is recorded already",
        )


def check_observed_on(returned_on: dt.date, observed_on: dt.date, today: dt.date) -> None:
    if not returned_on <= observed_on <= today:
        raise invalid_field(
            "observed_on",
            "Ngày ghi nhận phải từ ngày về nước đến hôm nay",
            "The day observed must fall between the return and today",
        )
