import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xkld_loans.domain.schedule import Installment, add_months, equal_principal_schedule

RATE_338_POOR = Decimal("0.006985")


def test_principal_sums_to_the_loan_for_awkward_numbers() -> None:
    schedule = equal_principal_schedule(100_000_001, RATE_338_POOR, 7, dt.date(2026, 2, 10))
    assert sum(i.principal_vnd for i in schedule) == 100_000_001
    assert [i.principal_vnd for i in schedule[:-1]] == [14_285_714] * 6


def test_the_last_instalment_absorbs_the_remainder() -> None:
    schedule = equal_principal_schedule(100_000_001, RATE_338_POOR, 7, dt.date(2026, 2, 10))
    # 100,000,001 - 6 × 14,285,714 = 14,285,717
    assert schedule[-1].principal_vnd == 14_285_717
    assert schedule[-1].closing_balance_vnd == 0


def test_the_worked_example_in_the_docs_recomputed_by_hand() -> None:
    schedule = equal_principal_schedule(10_000_000, RATE_338_POOR, 3, dt.date(2026, 1, 31))
    assert schedule == (
        # 10,000,000 × 0.006985 = 69,850.000000
        Installment(1, dt.date(2026, 1, 31), 3_333_333, 69_850, 10_000_000),
        # 6,666,667 × 0.006985 = 46,566.668995 → 46,567
        Installment(2, dt.date(2026, 2, 28), 3_333_333, 46_567, 6_666_667),
        # 3,333,334 × 0.006985 = 23,283.337990 → 23,283
        Installment(3, dt.date(2026, 3, 31), 3_333_334, 23_283, 3_333_334),
    )
    assert [i.total_vnd for i in schedule] == [3_403_183, 3_379_900, 3_356_617]


def test_half_a_dong_of_interest_rounds_up() -> None:
    # 100 × 0.005 = 0.5: half-up gives 1, banker's rounding would give 0.
    (only,) = equal_principal_schedule(100, Decimal("0.005"), 1, dt.date(2026, 1, 1))
    assert only.interest_vnd == 1
    (other,) = equal_principal_schedule(100, Decimal("0.0049"), 1, dt.date(2026, 1, 1))
    assert other.interest_vnd == 0


def test_a_zero_rate_charges_no_interest() -> None:
    schedule = equal_principal_schedule(5_000_000, Decimal(0), 4, dt.date(2026, 1, 1))
    assert all(i.interest_vnd == 0 for i in schedule)


def test_due_dates_keep_the_day_and_clamp_to_the_month_end() -> None:
    schedule = equal_principal_schedule(1_000_000, RATE_338_POOR, 5, dt.date(2024, 1, 31))
    assert [i.due_on for i in schedule] == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]


def test_due_dates_roll_over_the_year_and_clamp_february_of_a_common_year() -> None:
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)
    assert add_months(dt.date(2025, 1, 29), 13) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("principal", "rate", "term", "message"),
    [
        (0, "0.0055", 12, "principal"),
        (-1, "0.0055", 12, "principal"),
        (1_000_000, "0.0055", 0, "term"),
        (1_000_000, "0.0055", -3, "term"),
        (1_000_000, "-0.0001", 12, "rate"),
        (1_000_000, "NaN", 12, "rate"),
        (11, "0.0055", 12, "one đồng per month"),
    ],
)
def test_rejects_non_positive_principal_or_term_and_negative_rate(
    principal: int, rate: str, term: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        equal_principal_schedule(principal, Decimal(rate), term, dt.date(2026, 1, 1))


@st.composite
def loans(draw: st.DrawFn) -> tuple[int, Decimal, int]:
    term = draw(st.integers(min_value=1, max_value=120))
    # At least one đồng a month: smaller loans are refused (see the ValueError test).
    principal = draw(st.integers(min_value=term, max_value=10**10))
    rate = draw(st.decimals(min_value=0, max_value=Decimal("0.02"), places=6))
    return principal, rate, term


@given(loans(), st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_any_schedule_repays_exactly_with_falling_balances_and_no_negative_amounts(
    loan: tuple[int, Decimal, int], first_due_on: dt.date
) -> None:
    principal, rate, term = loan
    schedule = equal_principal_schedule(principal, rate, term, first_due_on)
    assert len(schedule) == term
    assert sum(i.principal_vnd for i in schedule) == principal
    assert schedule[0].opening_balance_vnd == principal
    assert schedule[-1].closing_balance_vnd == 0
    for before, after in itertools.pairwise(schedule):
        assert after.opening_balance_vnd == before.closing_balance_vnd
        assert after.due_on > before.due_on
    for instalment in schedule:
        assert instalment.principal_vnd >= 0
        assert instalment.interest_vnd >= 0
        assert instalment.closing_balance_vnd >= 0
        assert instalment.closing_balance_vnd < instalment.opening_balance_vnd


@given(
    st.integers(min_value=2, max_value=120).flatmap(
        lambda t: st.tuples(st.just(t), st.integers(1, t - 1))
    )
)
def test_a_loan_smaller_than_one_dong_a_month_is_refused(
    term_and_principal: tuple[int, int],
) -> None:
    term, principal = term_and_principal
    with pytest.raises(ValueError, match="one đồng per month"):
        equal_principal_schedule(principal, Decimal("0.0055"), term, dt.date(2026, 1, 1))
