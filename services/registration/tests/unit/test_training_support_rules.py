"""Decision 46/2015 support as policy data: levels by group, meals by attended day, travel by
distance, and the policy in force by date."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xkld_registration.domain.training_support import (
    DECISION_46_2015,
    CourseTerms,
    NoPolicyInForce,
    SupportGroup,
    TraineeFacts,
    cost_ceiling,
    cost_support,
    meal_support,
    policy_on,
    support_line,
    travel_support,
)

P = DECISION_46_2015
GROUPS: tuple[SupportGroup, ...] = get_args(SupportGroup)
EXPENSIVE = CourseTerms(tuition_vnd=10_000_000)


def _facts(
    groups: frozenset[SupportGroup] = frozenset(),
    *,
    days: int = 10,
    km: str = "0",
    difficult: bool = False,
) -> TraineeFacts:
    return TraineeFacts(uuid.uuid4(), groups, difficult, Decimal(km), days)


@pytest.mark.parametrize(
    ("group", "level"),
    [
        ("disability", 6_000_000),
        ("poor_ethnic_minority_household", 4_000_000),
        ("poor_household_difficult_commune", 4_000_000),
        ("ethnic_minority", 3_000_000),
        ("revolutionary_merit_family", 3_000_000),
        ("poor_household", 3_000_000),
        ("land_recovered", 3_000_000),
        ("woman_lost_job", 3_000_000),
        ("fisher", 3_000_000),
        ("near_poor_household", 2_500_000),
        ("woman", 2_000_000),
        ("rural_worker", 2_000_000),
    ],
)
def test_each_group_has_the_decisions_maximum(group: SupportGroup, level: int) -> None:
    assert cost_support(P, EXPENSIVE, frozenset({group})) == level


def test_a_person_with_no_group_gets_the_level_of_every_rural_worker() -> None:
    assert cost_support(P, EXPENSIVE, frozenset()) == 2_000_000


def test_the_support_for_a_person_in_two_groups_is_the_higher_level() -> None:
    assert cost_support(P, EXPENSIVE, frozenset({"near_poor_household", "disability"})) == 6_000_000
    assert cost_support(P, EXPENSIVE, frozenset({"woman", "poor_household"})) == 3_000_000


@given(st.frozensets(st.sampled_from(GROUPS), min_size=1))
def test_several_groups_give_the_single_highest_level_never_a_sum(
    groups: frozenset[SupportGroup],
) -> None:
    assert cost_ceiling(P, groups) == max(P.cost_ceiling_vnd[g] for g in groups)


@given(st.integers(min_value=0, max_value=50_000_000), st.frozensets(st.sampled_from(GROUPS)))
def test_the_support_never_exceeds_the_course_cost(
    tuition: int, groups: frozenset[SupportGroup]
) -> None:
    assert cost_support(P, CourseTerms(tuition), groups) <= tuition


def test_fishers_in_the_listed_vessel_trades_get_the_whole_cost() -> None:
    vessel = CourseTerms(tuition_vnd=9_500_000, fisher_vessel_trade=True)
    assert cost_support(P, vessel, frozenset({"fisher"})) == 9_500_000
    assert cost_support(P, vessel, frozenset({"woman"})) == 2_000_000
    assert cost_support(P, CourseTerms(9_500_000), frozenset({"fisher"})) == 3_000_000


@given(st.integers(min_value=0, max_value=400))
def test_meals_follow_attendance_days(days: int) -> None:
    assert meal_support(P, days) == 30_000 * days


@pytest.mark.parametrize(
    ("km", "favoured", "travel"),
    [
        ("4.9", False, 0),
        ("5", False, 0),
        ("14.9", False, 0),
        ("15", False, 200_000),
        ("40", False, 200_000),
        ("4.9", True, 0),
        ("5", True, 300_000),
        ("14.9", True, 300_000),
        ("15", True, 300_000),
    ],
)
def test_travel_follows_the_distance_thresholds(km: str, favoured: bool, travel: int) -> None:
    disabled: frozenset[SupportGroup] = frozenset({"disability"})
    assert travel_support(P, Decimal(km), disabled if favoured else frozenset(), False) == travel
    assert travel_support(P, Decimal(km), frozenset(), favoured) == travel


def test_a_trainee_who_never_attended_gets_nothing() -> None:
    line = support_line(P, EXPENSIVE, _facts(frozenset({"disability"}), days=0, km="30"))
    assert line.total_vnd == 0


def test_a_line_adds_cost_meals_and_travel_in_whole_dong() -> None:
    line = support_line(
        P, CourseTerms(3_600_000), _facts(frozenset({"near_poor_household"}), days=12, km="16")
    )
    assert (line.cost_vnd, line.meals_vnd, line.travel_vnd) == (2_500_000, 360_000, 200_000)
    assert line.total_vnd == 3_060_000
    assert all(isinstance(v, int) for v in (line.cost_vnd, line.meals_vnd, line.travel_vnd))


def test_the_policy_in_force_is_chosen_by_the_course_date() -> None:
    assert policy_on(dt.date(2016, 1, 1)) is P
    assert policy_on(dt.date(2026, 6, 1)) is P
    with pytest.raises(NoPolicyInForce) as refused:
        policy_on(dt.date(2015, 12, 31))
    assert refused.value.body.message_vi
    assert refused.value.body.message_en
