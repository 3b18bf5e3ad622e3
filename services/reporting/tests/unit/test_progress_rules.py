"""Periods, "đạt x%" and its rounding, age bands and priority-group bits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from xkld_reporting.domain.dimensions import overdue_bucket, priority_bits
from xkld_reporting.domain.periods import Period, bucket
from xkld_reporting.domain.progress import achieved_percent, format_percent_vi


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 16, Decimal("6.3")),  # 6.25: halves go up, not to even
        (3, 16, Decimal("18.8")),  # 18.75
        (1, 8, Decimal("12.5")),
        (150, 100, Decimal("150.0")),
        (0, 50, Decimal("0.0")),
        (999_999, 1_000_000, Decimal("100.0")),  # 99.9999 rounds up to 100.0
    ],
)
def test_achieved_percent_rounds_to_one_decimal_half_up(
    actual: int, target: int, expected: Decimal
) -> None:
    assert achieved_percent(actual, target) == expected


def test_no_target_or_a_zero_target_gives_no_percentage() -> None:
    assert achieved_percent(5, None) is None
    assert achieved_percent(5, 0) is None


def test_percent_is_written_with_a_decimal_comma() -> None:
    assert format_percent_vi(Decimal("66.7")) == "đạt 66,7%"
    assert format_percent_vi(None) == "—"


def test_a_quarter_and_a_month_are_whole_months_and_last_year_is_the_same_span() -> None:
    q3 = Period(2025, quarter=3)
    assert (q3.start, q3.end) == (dt.date(2025, 7, 1), dt.date(2025, 10, 1))
    assert Period(2025, month=12).end == dt.date(2026, 1, 1)
    assert Period(2025).previous_year() == Period(2024)
    assert q3.previous_year().start == dt.date(2024, 7, 1)
    assert q3.label_vi == "Quý 3 năm 2025"


def test_the_first_reportable_year_compares_with_the_year_before_it() -> None:
    assert Period(2000, month=1).previous_year() == Period(1999, month=1)
    with pytest.raises(ValueError, match="year out of range"):
        Period(1998)


def test_a_period_with_both_quarter_and_month_is_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        Period(2025, quarter=1, month=2)


def test_days_fall_into_their_month_quarter_and_year() -> None:
    day = dt.date(2025, 8, 17)
    assert bucket(day, "month") == dt.date(2025, 8, 1)
    assert bucket(day, "quarter") == dt.date(2025, 7, 1)
    assert bucket(day, "year") == dt.date(2025, 1, 1)


def test_overdue_loans_are_bucketed_by_days_since_due() -> None:
    assert [overdue_bucket(d) for d in (1, 30, 31, 90, 91, 180, 181)] == [
        "1-30",
        "1-30",
        "31-90",
        "31-90",
        "91-180",
        "91-180",
        ">180",
    ]


def test_priority_groups_are_kept_as_distinct_bits() -> None:
    assert priority_bits([]) == 0
    assert priority_bits(["poor_household", "ethnic_minority"]) == 0b101
