import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xkld_loans.domain.application import IllegalMove, LoanApplication, Status
from xkld_loans.domain.branches import UNASSIGNED, BranchRouting
from xkld_loans.domain.overdue import OverdueState, age_bucket, update_for
from xkld_loans.domain.regime_evaluation import Evaluation
from xkld_loans.domain.repayment import Due, apply_repayment, outstanding_principal, payable_on
from xkld_loans.domain.restructuring import extend, restructure
from xkld_loans.domain.schedule import equal_principal_schedule
from xkld_loans.domain.transaction_days import TransactionDays
from xkld_shared.errors import InvalidInput

RATE, OVERDUE_RATE = Decimal("0.006985"), Decimal("0.009081")
START = dt.date(2026, 4, 5)


def _dues(principal: int = 12_000_000, term: int = 12) -> tuple[Due, ...]:
    return tuple(
        Due(i.number, i.due_on, i.opening_balance_vnd, i.principal_vnd, i.interest_vnd)
        for i in equal_principal_schedule(principal, RATE, term, START)
    )


def _state(**changes: object) -> OverdueState:
    base = OverdueState(1, START, 1_000_000, 83_820, None, None)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _loan(status: Status = Status.DISBURSED) -> LoanApplication:
    evaluation = Evaluation("ND338-2025", True, (), 1, False, RATE, OVERDUE_RATE, 36)
    return LoanApplication(uuid.uuid4(), uuid.uuid4(), "B", "29800", 1, 1, evaluation, status)


def test_an_instalment_is_not_overdue_on_its_due_date_but_is_the_day_after() -> None:
    assert update_for(_state(), START, OVERDUE_RATE) is None
    update = update_for(_state(), START + dt.timedelta(days=1), OVERDUE_RATE)
    assert update is not None
    assert update.newly_overdue
    # 1,000,000 x 0.009081 / 30 = 302.7 -> 303 for one day.
    assert update.added_interest_vnd == 303


def test_a_paid_instalment_never_becomes_overdue() -> None:
    paid = _state(unpaid_principal_vnd=0, unpaid_interest_vnd=0)
    assert update_for(paid, START + dt.timedelta(days=40), OVERDUE_RATE) is None


def test_accrual_continues_from_the_last_counted_day_and_is_never_new_twice() -> None:
    seen = _state(overdue_since=START, accrued_to=START + dt.timedelta(days=10))
    assert update_for(seen, START + dt.timedelta(days=10), OVERDUE_RATE) is None
    later = update_for(seen, START + dt.timedelta(days=40), OVERDUE_RATE)
    assert later is not None
    assert not later.newly_overdue
    assert later.added_interest_vnd == 9_081  # 30 days: one month at 0.9081 %


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, None),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-90"),
        (90, "31-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, ">180"),
    ],
)
def test_age_buckets_have_inclusive_bounds(days: int, bucket: str | None) -> None:
    assert age_bucket(days) == bucket


def test_transaction_days_clamp_to_the_month_and_roll_into_the_next_year() -> None:
    days = TransactionDays(15, {"29800": 31})
    assert days.next_on_or_after("29800", dt.date(2026, 2, 10)) == dt.date(2026, 2, 28)
    assert days.next_on_or_after("11111", dt.date(2026, 12, 16)) == dt.date(2027, 1, 15)
    assert days.next_on_or_after("11111", dt.date(2026, 12, 15)) == dt.date(2026, 12, 15)


def test_an_application_goes_to_its_communes_branch_else_its_provinces() -> None:
    routing = BranchRouting("VBSP-{province_code}", {"29800": "VBSP-86-TANQUOI"})
    assert routing.branch_of("29800", "86") == "VBSP-86-TANQUOI"
    assert routing.branch_of("29641", "86") == "VBSP-86"
    assert routing.branch_of("29641", None) == UNASSIGNED


def test_freezing_stops_future_interest_and_a_frozen_loan_cannot_be_frozen_again() -> None:
    frozen = restructure(_loan(), _dues(), "frozen", dt.date(2026, 6, 1))
    assert frozen.app.status is Status.FROZEN
    assert all(d.interest_vnd == 0 for d in frozen.dues if d.due_on > dt.date(2026, 6, 1))
    assert frozen.dues[0].interest_vnd == 83_820  # already due: still owed
    with pytest.raises(IllegalMove):
        restructure(frozen.app, frozen.dues, "frozen", dt.date(2026, 7, 1))


def test_an_extension_needs_a_sensible_number_of_months() -> None:
    with pytest.raises(InvalidInput):
        restructure(_loan(), _dues(), "extended", START, extra_months=None)
    with pytest.raises(IllegalMove):
        restructure(_loan(Status.SETTLED), _dues(), "extended", START, extra_months=3)


def test_a_write_off_removes_exactly_what_was_owed() -> None:
    dues, _ = apply_repayment(_dues(), 1_083_820, START, RATE)
    done = restructure(_loan(), dues, "written_off", dt.date(2026, 5, 1))
    assert done.written_off_principal_vnd == 11_000_000
    assert outstanding_principal(done.dues) == 0
    assert all(d.owed_vnd == 0 for d in done.dues)


@settings(max_examples=120, deadline=None)
@given(
    principal=st.integers(min_value=1_000_000, max_value=300_000_000),
    term=st.integers(min_value=1, max_value=48),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["pay", "accrue", "extend"]),
            st.integers(min_value=1, max_value=10**9),
            st.integers(min_value=0, max_value=90),
        ),
        max_size=12,
    ),
)
def test_no_mix_of_repayments_overdue_accruals_and_extensions_loses_or_makes_up_principal(
    principal: int, term: int, steps: list[tuple[str, int, int]]
) -> None:
    dues, day, principal_paid = _dues(principal, term), START, 0
    for action, amount, gap in steps:
        day += dt.timedelta(days=gap)
        if action == "pay" and (amount := min(amount, payable_on(dues, day))):
            dues, allocation = apply_repayment(dues, amount, day, RATE)
            principal_paid += allocation.principal_vnd + allocation.early_principal_vnd
        elif action == "accrue":
            dues = tuple(
                dataclasses.replace(d, overdue_interest_vnd=d.overdue_interest_vnd + gap)
                if d.due_on < day and d.owed_vnd
                else d
                for d in dues
            )
        elif action == "extend":
            dues = extend(dues, day, 1 + amount % 12, RATE)
        assert all(d.owed_vnd >= 0 and 0 <= d.principal_paid_vnd <= d.principal_vnd for d in dues)
        assert principal_paid + outstanding_principal(dues) == principal
        assert len({d.number for d in dues}) == len(dues)


def test_an_extension_continues_the_loans_own_monthly_dates() -> None:
    dues = tuple(
        Due(i.number, i.due_on, i.opening_balance_vnd, i.principal_vnd, i.interest_vnd)
        for i in equal_principal_schedule(3_000_000, RATE, 3, dt.date(2026, 1, 31))
    )
    extended = extend(dues, dt.date(2026, 2, 15), 2, RATE)
    assert [d.due_on.isoformat() for d in extended] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",  # not the 28th: counted from 31 January, not from a clamped date
    ]


def test_a_restructuring_cannot_reach_back_before_the_last_payment_or_far_ahead() -> None:
    from xkld_loans.domain.restructuring import History, check_effective_on

    history = History(dt.date(2026, 3, 5), dt.date(2026, 6, 10), today=dt.date(2026, 11, 27))
    check_effective_on(dt.date(2026, 6, 10), history)
    for day in (dt.date(2026, 6, 9), dt.date(2026, 3, 1), dt.date(2027, 11, 29)):
        with pytest.raises(InvalidInput):
            check_effective_on(day, history)
