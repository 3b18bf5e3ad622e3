"""The survey's pure rules: contradictory answers, rounds, conversion, and what the roll-ups
suggest."""

from __future__ import annotations

import datetime as dt

import pytest
from xkld_outreach.domain.plan import suggested_course_plan
from xkld_outreach.domain.survey import (
    Member,
    NotConvertible,
    OpenRound,
    check_convertible,
    check_members,
    check_round,
    member_problems,
)
from xkld_shared.errors import InvalidInput


def a_member(**changes: object) -> Member:
    base: dict[str, object] = {
        "age_band": "18-24",
        "gender": "female",
        "education": "upper_secondary",
        "current_work": "farming",
        "wants_training": False,
        "wants_abroad": False,
        "needs_loan": False,
        "contact_consent": True,
    }
    return Member(**(base | changes))  # type: ignore[arg-type]


def test_a_consistent_member_has_no_problems() -> None:
    assert member_problems(a_member()) == []
    assert member_problems(a_member(wants_training=True, trade_code="HAN")) == []
    ok = a_member(wants_abroad=True, market_code="KR_EPS", abroad_when="later")
    assert member_problems(ok) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"wants_training": True}, "trade_code"),
        ({"trade_code": "HAN"}, "trade_code"),
        ({"wants_abroad": True, "market_code": "KR_EPS"}, "market_code"),
        ({"market_code": "KR_EPS"}, "market_code"),
        ({"abroad_when": "later"}, "market_code"),
    ],
)
def test_contradictory_answers_name_the_field(changes: dict[str, object], field: str) -> None:
    [problem] = member_problems(a_member(**changes), "members.0.")
    assert problem.field == f"members.0.{field}"
    assert problem.message_vi != problem.message_en


def test_a_household_has_one_to_twenty_members() -> None:
    with pytest.raises(InvalidInput):
        check_members([])
    with pytest.raises(InvalidInput):
        check_members([a_member()] * 21)
    check_members([a_member()] * 20)


def test_a_round_ends_after_it_starts_and_lasts_at_most_a_year() -> None:
    day = dt.date(2026, 1, 1)
    check_round(OpenRound("29800", "86", "x", day, day))
    with pytest.raises(InvalidInput):
        check_round(OpenRound("29800", "86", "x", day, day - dt.timedelta(days=1)))
    with pytest.raises(InvalidInput):
        check_round(OpenRound("29800", "86", "x", day, day + dt.timedelta(days=400)))


def test_only_an_adult_who_wants_to_go_can_be_converted() -> None:
    check_convertible(True, "18-24")
    with pytest.raises(NotConvertible):
        check_convertible(False, "18-24")
    with pytest.raises(NotConvertible):
        check_convertible(True, "15-17")


def test_the_course_plan_orders_the_largest_unmet_demand_first() -> None:
    lines = suggested_course_plan({"HAN": 30, "MAY": 51, "DIEN": 4}, {"MAY": 1, "XAY": 20}, 25)
    assert [(s.trade_code, s.places_to_add, s.courses_to_add) for s in lines] == [
        ("MAY", 50, 2),
        ("HAN", 30, 2),
        ("DIEN", 4, 1),
        ("XAY", 0, 0),
    ]
