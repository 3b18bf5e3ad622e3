"""The course plan's rules, pure: a line's dates, what setting it again may change, and which
course may fill it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from xkld_registration.domain.course_plan import (
    PlanLine,
    PlanLineRefused,
    check_course_fits,
    check_dates,
    check_replacement,
    same_terms,
)
from xkld_shared.errors import InvalidInput

LINE = PlanLine(
    id=uuid.uuid4(),
    plan_year=2027,
    province_code="86",
    commune_code="29800",
    trade_code="NTTS",
    trade_title="Nuôi trồng thuỷ sản",
    institution="Trường Trung cấp Vĩnh Long",
    places=35,
    planned_starts_on=dt.date(2027, 3, 1),
    planned_ends_on=dt.date(2027, 5, 31),
    budget_vnd=105_000_000,
)


def test_a_course_starting_in_the_autumn_may_end_early_the_next_year() -> None:
    check_dates(2027, dt.date(2027, 11, 1), dt.date(2028, 1, 31))


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (dt.date(2026, 12, 1), dt.date(2027, 2, 1), "planned_starts_on"),
        (dt.date(2027, 3, 1), dt.date(2027, 2, 28), "planned_ends_on"),
        (dt.date(2027, 3, 1), dt.date(2029, 1, 1), "planned_ends_on"),
    ],
)
def test_dates_outside_the_plan_year_or_out_of_order_are_refused_in_vietnamese_first(
    starts: dt.date, ends: dt.date, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_dates(2027, starts, ends)
    assert refused.value.body.message_vi.startswith("Dữ liệu không hợp lệ")
    assert [p.field for p in refused.value.body.fields] == [field]


def test_the_same_terms_again_are_no_change_and_other_terms_are() -> None:
    assert same_terms(LINE, dataclasses.replace(LINE))
    assert not same_terms(LINE, dataclasses.replace(LINE, places=36))
    assert not same_terms(None, LINE)


def test_a_withdrawn_line_is_not_set_again_and_a_filled_one_keeps_its_trade() -> None:
    withdrawn = dataclasses.replace(LINE, withdrawn_on=dt.date(2027, 1, 5))
    with pytest.raises(PlanLineRefused):
        check_replacement(withdrawn, LINE, courses_linked=0)
    with pytest.raises(PlanLineRefused):
        check_replacement(LINE, dataclasses.replace(LINE, trade_code="MAY"), courses_linked=1)
    check_replacement(LINE, dataclasses.replace(LINE, trade_code="MAY"), courses_linked=0)
    check_replacement(LINE, dataclasses.replace(LINE, places=10), courses_linked=3)


def test_a_course_fills_only_a_live_line_of_its_own_trade() -> None:
    check_course_fits(LINE, "NTTS")
    with pytest.raises(InvalidInput):
        check_course_fits(LINE, "MAY")
    with pytest.raises(InvalidInput):
        check_course_fits(LINE, None)
    with pytest.raises(InvalidInput):
        check_course_fits(None, "NTTS")
    with pytest.raises(PlanLineRefused):
        check_course_fits(dataclasses.replace(LINE, withdrawn_on=dt.date(2027, 1, 5)), "NTTS")
