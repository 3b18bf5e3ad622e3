"""A campaign's and a survey round's period: it ends on or after its start, within a limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xkld_shared.errors import FieldProblem


@dataclass(frozen=True)
class PeriodLimit:
    """How long a period may last, and what it is called in the message that says so."""

    days: int
    vi: str  # e.g. "Một chiến dịch"
    en: str  # e.g. "A campaign"


def period_problem(start: dt.date, end: dt.date, limit: PeriodLimit) -> FieldProblem | None:
    if end < start:
        return FieldProblem(
            "period_end",
            "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu",
            "The period must end on or after its start",
        )
    if (end - start).days > limit.days:
        return FieldProblem(
            "period_end",
            f"{limit.vi} dài tối đa {limit.days} ngày",
            f"{limit.en} lasts at most {limit.days} days",
        )
    return None
