"""Restructuring a disbursed loan: extended, frozen or written off. Pure.

- **Extended** (gia hạn): the principal not yet due is spread over more months. Arrears stay
  where they are: an extension changes the future, it does not forgive what is late.
- **Frozen** (khoanh nợ): no interest accrues on the months not yet due and the overdue job
  skips the loan until it is extended again (which unfreezes it) or written off.
- **Written off** (xóa nợ): every đồng of principal still owed is removed and recorded as
  written off, with the interest still owed; the loan is closed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from xkld_shared.errors import FieldProblem, InvalidInput

from xkld_loans.domain.application import IllegalMove, LoanApplication, Status
from xkld_loans.domain.problems import invalid
from xkld_loans.domain.repayment import Due
from xkld_loans.domain.schedule import add_months, interest_vnd

Kind = Literal["extended", "frozen", "written_off"]
MAX_EXTRA_MONTHS = 60
RESTRUCTURABLE = frozenset({Status.DISBURSED, Status.FROZEN})


@dataclass(frozen=True)
class Restructured:
    app: LoanApplication
    dues: tuple[Due, ...]
    written_off_principal_vnd: int = 0
    written_off_interest_vnd: int = 0


@dataclass(frozen=True)
class History:
    """What already happened to the loan: a restructuring may not reach back before it."""

    disbursed_on: dt.date
    last_activity_on: dt.date | None  # the latest repayment or overdue accrual
    today: dt.date


MAX_DAYS_AHEAD = 366


def check_effective_on(effective_on: dt.date, history: History) -> None:
    earliest = max(history.disbursed_on, history.last_activity_on or history.disbursed_on)
    latest = history.today + dt.timedelta(days=MAX_DAYS_AHEAD)
    if not earliest <= effective_on <= latest:
        raise invalid(
            "effective_on",
            f"Ngày hiệu lực phải từ {earliest:%d/%m/%Y} (sau lần trả nợ hoặc tính lãi quá"
            f" hạn gần nhất) đến {latest:%d/%m/%Y}",
            f"The effective date must be from {earliest} (after the latest repayment or"
            f" overdue accrual) to {latest}",
        )


def restructure(
    app: LoanApplication,
    dues: tuple[Due, ...],
    kind: Kind,
    effective_on: dt.date,
    *,
    extra_months: int | None = None,
) -> Restructured:
    rate = _rate_of(app)
    if kind == "extended":
        months = _checked_extra(extra_months)
        extended = dataclasses.replace(app, status=Status.DISBURSED)
        return Restructured(extended, extend(dues, effective_on, months, rate))
    if kind == "frozen":
        return _freeze(app, dues, effective_on)
    return _write_off(app, dues)


def _rate_of(app: LoanApplication) -> Decimal:
    """The loan's monthly rate, once it is known to be one that can be restructured."""
    if app.status not in RESTRUCTURABLE:
        raise IllegalMove(
            f"Chỉ cơ cấu lại khoản vay đang trả nợ hoặc đang khoanh (hiện: «{app.status.value}»)",
            f"Only a loan being repaid or frozen can be restructured ({app.status.value})",
        )
    rate = app.evaluation.monthly_rate
    if rate is None:
        raise RuntimeError("a disbursed loan always has a known rate")
    return rate


def _freeze(app: LoanApplication, dues: tuple[Due, ...], effective_on: dt.date) -> Restructured:
    if app.status is Status.FROZEN:
        raise IllegalMove("Khoản vay đã được khoanh", "The loan is frozen already")
    return Restructured(dataclasses.replace(app, status=Status.FROZEN), freeze(dues, effective_on))


def _checked_extra(extra_months: int | None) -> int:
    if extra_months is None or not 0 < extra_months <= MAX_EXTRA_MONTHS:
        raise InvalidInput.of([_extension_problem()])
    return extra_months


def _extension_problem() -> FieldProblem:
    return FieldProblem(
        "extra_months",
        f"Số tháng gia hạn phải từ 1 đến {MAX_EXTRA_MONTHS}",
        f"The extension must be 1 to {MAX_EXTRA_MONTHS} months",
    )


def extend(
    dues: tuple[Due, ...], effective_on: dt.date, extra_months: int, rate: Decimal
) -> tuple[Due, ...]:
    kept = [d for d in dues if d.due_on <= effective_on]
    future = [d for d in dues if d.due_on > effective_on]
    remaining = sum(d.principal_vnd - d.principal_paid_vnd for d in future)
    numbers, dates = _extended_months(dues, future, effective_on, extra_months)
    return tuple(kept + _rebuilt(numbers, dates, remaining, rate))


def _extended_months(
    dues: tuple[Due, ...], future: list[Due], effective_on: dt.date, extra_months: int
) -> tuple[list[int], list[dt.date]]:
    """The numbers and due dates of the future dues, then of the months added."""
    next_number = max((d.number for d in dues), default=0) + 1
    # New months continue the loan's own monthly chain, counted from its first due date, so
    # a date clamped once (31 Jan -> 28 Feb) does not pull every later date to the 28th.
    anchor_number, anchor = (
        (dues[0].number, dues[0].due_on) if future else (next_number, add_months(effective_on, 1))
    )
    dates = [d.due_on for d in future] + [
        add_months(anchor, n - anchor_number)
        for n in range(next_number, next_number + extra_months)
    ]
    numbers = [d.number for d in future] + list(range(next_number, next_number + extra_months))
    return numbers, dates


def _rebuilt(numbers: list[int], dates: list[dt.date], remaining: int, rate: Decimal) -> list[Due]:
    """The remaining principal in equal shares (the last takes the rest), interest on the
    balance."""
    count = len(numbers)
    share, extra = divmod(remaining, count)
    balance = remaining
    rebuilt = []
    for position, (number, due_on) in enumerate(zip(numbers, dates, strict=True)):
        principal = share + (extra if position == count - 1 else 0)
        rebuilt.append(
            Due(
                number=number,
                due_on=due_on,
                opening_balance_vnd=balance,
                principal_vnd=principal,
                interest_vnd=interest_vnd(balance, rate),
            )
        )
        balance -= principal
    return rebuilt


def freeze(dues: tuple[Due, ...], effective_on: dt.date) -> tuple[Due, ...]:
    return tuple(
        dataclasses.replace(d, interest_vnd=d.interest_paid_vnd) if d.due_on > effective_on else d
        for d in dues
    )


def _write_off(app: LoanApplication, dues: tuple[Due, ...]) -> Restructured:
    principal = sum(d.principal_vnd - d.principal_paid_vnd for d in dues)
    interest = sum(
        d.interest_vnd - d.interest_paid_vnd + d.overdue_interest_vnd - d.overdue_interest_paid_vnd
        for d in dues
    )
    closed = tuple(
        dataclasses.replace(
            d,
            principal_vnd=d.principal_paid_vnd,
            interest_vnd=d.interest_paid_vnd,
            overdue_interest_vnd=d.overdue_interest_paid_vnd,
        )
        for d in dues
    )
    written_off = dataclasses.replace(app, status=Status.WRITTEN_OFF)
    return Restructured(written_off, closed, principal, interest)
