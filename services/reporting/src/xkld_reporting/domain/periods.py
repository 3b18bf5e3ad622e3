"""Reporting periods: a year, a quarter or a month, and the same period a year earlier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class Period:
    """Half-open range of whole months `[start, end)`; the unit every target is set in."""

    year: int
    quarter: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        # One year below the first: the year 2000 is reported beside an (empty) 1999.
        if not FIRST_YEAR - 1 <= self.year <= LAST_YEAR:
            raise ValueError("year out of range")
        if self.quarter is not None and self.month is not None:
            raise ValueError("give a quarter or a month, not both")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError("quarter must be 1..4")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("month must be 1..12")

    @property
    def start(self) -> dt.date:
        if self.quarter is not None:
            return dt.date(self.year, 3 * self.quarter - 2, 1)
        return dt.date(self.year, self.month or 1, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter is not None:
            return _add_months(self.start, 3)
        if self.month is not None:
            return _add_months(self.start, 1)
        return dt.date(self.year + 1, 1, 1)

    def previous_year(self) -> Period:
        return Period(self.year - 1, self.quarter, self.month)

    @property
    def label_vi(self) -> str:
        if self.quarter is not None:
            return f"Quý {self.quarter} năm {self.year}"
        if self.month is not None:
            return f"Tháng {self.month} năm {self.year}"
        return f"Năm {self.year}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def bucket(day: dt.date, granularity: str) -> dt.date:
    """The first day of the day/month/quarter/year `day` falls in."""
    if granularity == "day":
        return day
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)
