import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xkld_loans.domain.repayment import (
    Due,
    apply_repayment,
    is_settled,
    outstanding_principal,
    payable_on,
)
from xkld_loans.domain.schedule import equal_principal_schedule
from xkld_shared.errors import InvalidInput

RATE = Decimal("0.006985")
START = dt.date(2026, 4, 5)


def _dues(principal: int = 12_000_000, term: int = 12) -> tuple[Due, ...]:
    schedule = equal_principal_schedule(principal, RATE, term, START)
    return tuple(
        Due(i.number, i.due_on, i.opening_balance_vnd, i.principal_vnd, i.interest_vnd)
        for i in schedule
    )


def test_a_payment_goes_to_overdue_interest_then_interest_then_principal() -> None:
    dues = list(_dues())
    dues[0] = Due(**{**dues[0].__dict__, "overdue_interest_vnd": 5_000})
    # First instalment: 1,000,000 principal, 83,820 interest (12,000,000 × 0.006985).
    after, allocation = apply_repayment(tuple(dues), 100_000, dt.date(2026, 4, 20), RATE)
    assert allocation.overdue_interest_vnd == 5_000
    assert allocation.interest_vnd == 83_820
    assert allocation.principal_vnd == 100_000 - 5_000 - 83_820
    assert allocation.early_principal_vnd == 0
    assert after[0].owed_vnd == 1_000_000 - 11_180


def test_future_interest_is_never_paid_in_advance() -> None:
    dues = _dues()
    after, allocation = apply_repayment(dues, 3_000_000, dt.date(2026, 4, 5), RATE)
    assert allocation.interest_vnd == dues[0].interest_vnd  # only the instalment due that day
    assert allocation.early_principal_vnd == 3_000_000 - dues[0].owed_vnd
    assert all(d.interest_paid_vnd == 0 for d in after[1:])


def test_an_early_repayment_lowers_the_principal_and_the_interest_still_to_come() -> None:
    dues = _dues()
    first_paid, _ = apply_repayment(dues, dues[0].owed_vnd, dues[0].due_on, RATE)
    later_interest_before = sum(d.interest_vnd for d in first_paid[1:])
    after, allocation = apply_repayment(first_paid, 5_500_000, dt.date(2026, 4, 10), RATE)
    assert allocation.early_principal_vnd == 5_500_000
    assert outstanding_principal(after) == 11_000_000 - 5_500_000
    assert sum(d.interest_vnd for d in after[1:]) < later_interest_before
    assert [d.principal_vnd for d in after[1:]] == [500_000] * 11
    assert after[1].opening_balance_vnd == 5_500_000
    assert after[1].interest_vnd == 38_418  # 5,500,000 × 0.006985 = 38,417.5, half-up


def test_paying_more_than_is_owed_is_refused() -> None:
    dues = _dues()
    ceiling = payable_on(dues, START)
    with pytest.raises(InvalidInput):
        apply_repayment(dues, ceiling + 1, START, RATE)


def test_paying_everything_settles_the_loan() -> None:
    dues = _dues()
    after, _ = apply_repayment(dues, payable_on(dues, START), START, RATE)
    assert is_settled(after)
    assert outstanding_principal(after) == 0


@settings(max_examples=150, deadline=None)
@given(
    principal=st.integers(min_value=1_000_000, max_value=500_000_000),
    term=st.integers(min_value=1, max_value=60),
    payments=st.lists(
        st.tuples(st.integers(min_value=1, max_value=10**9), st.integers(0, 120)), max_size=12
    ),
)
def test_no_sequence_of_repayments_overpays_or_leaves_a_negative_balance(
    principal: int, term: int, payments: list[tuple[int, int]]
) -> None:
    dues = _dues(principal, term)
    day, principal_paid = START - dt.timedelta(days=20), 0
    for amount, gap in payments:
        day += dt.timedelta(days=gap)
        amount = min(amount, payable_on(dues, day))
        if amount == 0:
            continue
        dues, allocation = apply_repayment(dues, amount, day, RATE)
        principal_paid += allocation.principal_vnd + allocation.early_principal_vnd
        assert allocation.total_vnd == amount
        assert all(d.owed_vnd >= 0 and d.principal_vnd >= d.principal_paid_vnd for d in dues)
        assert principal_paid <= principal
        assert principal_paid + outstanding_principal(dues) == principal
