"""Repayments: how a payment is split, and how the schedule is recomputed after it.

Allocation order, oldest instalment first within each step:
1. overdue interest, 2. interest already due, 3. principal already due, 4. the rest repays
future principal early. Why this order: it is how VBSP collects (interest before principal,
"thu lãi trước, gốc sau"), and paying the costliest debts first (overdue interest accrues at
130 %) is in the borrower's interest. Future interest is never paid in advance: it is not owed
until its month has run. A payment larger than everything owed is refused, not kept.

After an early repayment the instalments not yet due are recomputed: the remaining principal is
spread equally over them (the last absorbs the remainder) and each one's interest is its opening
balance times the monthly rate, so the borrower stops paying interest on what they repaid.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from xkld_loans.domain.problems import invalid
from xkld_loans.domain.schedule import interest_vnd


@dataclass(frozen=True)
class Due:
    """One instalment as it stands: what it asks for and what has been paid towards it."""

    number: int
    due_on: dt.date
    opening_balance_vnd: int
    principal_vnd: int
    interest_vnd: int
    principal_paid_vnd: int = 0
    interest_paid_vnd: int = 0
    overdue_interest_vnd: int = 0
    overdue_interest_paid_vnd: int = 0

    @property
    def owed_vnd(self) -> int:
        return (
            self.principal_vnd
            - self.principal_paid_vnd
            + self.interest_vnd
            - self.interest_paid_vnd
            + self.overdue_interest_vnd
            - self.overdue_interest_paid_vnd
        )


@dataclass(frozen=True)
class Allocation:
    overdue_interest_vnd: int = 0
    interest_vnd: int = 0
    principal_vnd: int = 0
    early_principal_vnd: int = 0

    @property
    def total_vnd(self) -> int:
        return (
            self.overdue_interest_vnd
            + self.interest_vnd
            + self.principal_vnd
            + self.early_principal_vnd
        )


def outstanding_principal(dues: tuple[Due, ...]) -> int:
    return sum(d.principal_vnd - d.principal_paid_vnd for d in dues)


def payable_on(dues: tuple[Due, ...], day: dt.date) -> int:
    """Everything that may be paid on `day`: all that is due, plus every future principal."""
    due_now = sum(d.owed_vnd for d in dues if d.due_on <= day)
    future = sum(d.principal_vnd - d.principal_paid_vnd for d in dues if d.due_on > day)
    return due_now + future


def apply_repayment(
    dues: tuple[Due, ...], amount_vnd: int, paid_on: dt.date, monthly_rate: Decimal
) -> tuple[tuple[Due, ...], Allocation]:
    if amount_vnd <= 0:
        raise invalid("amount_vnd", "Số tiền trả phải lớn hơn 0", "The amount must be positive")
    ceiling = payable_on(dues, paid_on)
    if amount_vnd > ceiling:
        raise invalid(
            "amount_vnd",
            f"Số tiền trả vượt quá số còn nợ ({ceiling} đồng)",
            f"The amount exceeds everything owed ({ceiling} VND)",
        )
    items = list(dues)
    left = amount_vnd
    shares = {}
    for step in ("overdue_interest", "interest", "principal"):
        left, shares[step] = _pay_due(items, paid_on, step, left)
    early = left
    if early:
        _pay_future_principal(items, paid_on, early)
        items = _recompute_future(items, paid_on, monthly_rate)
    allocation = Allocation(
        shares["overdue_interest"], shares["interest"], shares["principal"], early
    )
    return tuple(items), allocation


def _pay_due(items: list[Due], paid_on: dt.date, step: str, left: int) -> tuple[int, int]:
    paid_total = 0
    for i, d in enumerate(items):
        if left == 0 or d.due_on > paid_on:
            continue
        pay = min(_unpaid(d, step), left)
        if pay:
            items[i] = _paid_more(d, step, pay)
            left -= pay
            paid_total += pay
    return left, paid_total


def _unpaid(d: Due, step: str) -> int:
    """What is still owed of a due's principal, interest or overdue interest (`step`)."""
    owed: int = getattr(d, f"{step}_vnd") - getattr(d, f"{step}_paid_vnd")
    return owed


def _paid_more(d: Due, step: str, pay: int) -> Due:
    return dataclasses.replace(d, **{f"{step}_paid_vnd": getattr(d, f"{step}_paid_vnd") + pay})


def _pay_future_principal(items: list[Due], paid_on: dt.date, amount: int) -> None:
    # The latest instalments first: the early payment shortens the debt from its far end,
    # and the recomputation then evens out what remains.
    for i in reversed(range(len(items))):
        d = items[i]
        if amount == 0 or d.due_on <= paid_on:
            continue
        pay = min(d.principal_vnd - d.principal_paid_vnd, amount)
        items[i] = dataclasses.replace(d, principal_paid_vnd=d.principal_paid_vnd + pay)
        amount -= pay


def _recompute_future(items: list[Due], paid_on: dt.date, monthly_rate: Decimal) -> list[Due]:
    future = [i for i, d in enumerate(items) if d.due_on > paid_on]
    if not future:
        return items
    # Principal already repaid early is folded away: future instalments restart from what is owed.
    remaining = sum(items[i].principal_vnd - items[i].principal_paid_vnd for i in future)
    share, extra = divmod(remaining, len(future))
    balance = remaining
    for position, i in enumerate(future):
        principal = share + (extra if position == len(future) - 1 else 0)
        items[i] = dataclasses.replace(
            items[i],
            opening_balance_vnd=balance,
            principal_vnd=principal,
            principal_paid_vnd=0,
            interest_vnd=interest_vnd(balance, monthly_rate),
            interest_paid_vnd=0,
        )
        balance -= principal
    return items


def is_settled(dues: tuple[Due, ...]) -> bool:
    """Nothing owed now and no principal left for later."""
    return outstanding_principal(dues) == 0 and all(d.owed_vnd == 0 for d in dues)
