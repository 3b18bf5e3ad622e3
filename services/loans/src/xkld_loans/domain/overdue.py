"""Overdue instalments and their overdue interest. Pure.

An instalment is overdue from the day after its due date while it still owes principal or
interest. Overdue interest accrues on the overdue principal at the regime's overdue rate (130 %
of the normal rate), counted per day as monthly rate ÷ 30 (VBSP's day count for overdue
interest), rounded half-up to the đồng on each accrual. Accrual is incremental: each run adds
the days since the last counted day, so a second run on the same day adds nothing, and a
principal payment between runs lowers what later days accrue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_MONTH = Decimal(30)


@dataclass(frozen=True)
class OverdueState:
    """What the job needs of one instalment."""

    number: int
    due_on: dt.date
    unpaid_principal_vnd: int
    unpaid_interest_vnd: int
    overdue_since: dt.date | None
    accrued_to: dt.date | None


@dataclass(frozen=True)
class OverdueUpdate:
    number: int
    overdue_since: dt.date
    accrued_to: dt.date
    added_interest_vnd: int
    newly_overdue: bool


def is_past_due(state: OverdueState, as_of: dt.date) -> bool:
    owes = state.unpaid_principal_vnd > 0 or state.unpaid_interest_vnd > 0
    return owes and state.due_on < as_of


def accrued_interest_vnd(principal_vnd: int, overdue_monthly_rate: Decimal, days: int) -> int:
    if principal_vnd <= 0 or days <= 0:
        return 0
    exact = Decimal(principal_vnd) * overdue_monthly_rate * days / DAYS_PER_MONTH
    return int(exact.to_integral_value(ROUND_HALF_UP))


def update_for(
    state: OverdueState, as_of: dt.date, overdue_monthly_rate: Decimal
) -> OverdueUpdate | None:
    """What a run on `as_of` changes on one instalment; None when nothing changes."""
    if not is_past_due(state, as_of):
        return None
    counted_to = state.accrued_to or state.due_on
    if counted_to >= as_of:
        return None
    days = (as_of - counted_to).days
    return OverdueUpdate(
        number=state.number,
        overdue_since=state.overdue_since or as_of,
        accrued_to=as_of,
        added_interest_vnd=accrued_interest_vnd(
            state.unpaid_principal_vnd, overdue_monthly_rate, days
        ),
        newly_overdue=state.overdue_since is None,
    )


def days_past_due(due_on: dt.date, as_of: dt.date) -> int:
    return max((as_of - due_on).days, 0)


# Age buckets of the portfolio report, in days past due (inclusive bounds).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    (">180", 181, None),
)


def age_bucket(days: int) -> str | None:
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return None
