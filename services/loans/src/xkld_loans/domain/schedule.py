"""Repayment schedules: equal principal per month, interest on the outstanding balance.

All amounts are integer VND. Interest for a month is the opening balance times the monthly
rate, rounded to the đồng half-up (0.5 đồng goes up): that is the rounding people expect on a
receipt, and it never leaves a fraction of a đồng owing. The last instalment absorbs the
remainder of the principal so the principal repaid equals the loan exactly.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Installment:
    number: int  # 1-based
    due_on: dt.date
    principal_vnd: int
    interest_vnd: int
    opening_balance_vnd: int  # principal outstanding before this instalment is paid

    @property
    def total_vnd(self) -> int:
        return self.principal_vnd + self.interest_vnd

    @property
    def closing_balance_vnd(self) -> int:
        return self.opening_balance_vnd - self.principal_vnd


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, clamped to that month's last day.

    Counted from ``start`` each time, not from the previous due date, so 31 January gives
    28/29 February and then 31 March again.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last_day))


def interest_vnd(balance_vnd: int, monthly_rate: Decimal) -> int:
    return int((Decimal(balance_vnd) * monthly_rate).to_integral_value(ROUND_HALF_UP))


def _check_inputs(principal_vnd: int, monthly_rate: Decimal, term_months: int) -> None:
    if principal_vnd <= 0:
        raise ValueError("principal_vnd must be positive")
    if term_months <= 0:
        raise ValueError("term_months must be positive")
    # With fewer đồng than months some instalments would repay nothing; no real loan is
    # that small, and refusing it keeps "the balance falls every month" true.
    if principal_vnd < term_months:
        raise ValueError("principal_vnd must be at least one đồng per month of the term")
    if not monthly_rate.is_finite() or monthly_rate < 0:
        raise ValueError("monthly_rate must be a finite, non-negative decimal")


def equal_principal_schedule(
    principal_vnd: int, monthly_rate: Decimal, term_months: int, first_due_on: dt.date
) -> tuple[Installment, ...]:
    _check_inputs(principal_vnd, monthly_rate, term_months)
    regular = principal_vnd // term_months
    balance = principal_vnd
    instalments = []
    for number in range(1, term_months + 1):
        # Everything still owed in the last month, so rounding never leaves a đồng behind.
        principal = balance if number == term_months else regular
        instalments.append(
            Installment(
                number=number,
                due_on=add_months(first_due_on, number - 1),
                principal_vnd=principal,
                interest_vnd=interest_vnd(balance, monthly_rate),
                opening_balance_vnd=balance,
            )
        )
        balance -= principal
    return tuple(instalments)
