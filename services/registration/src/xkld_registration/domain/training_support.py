"""Support for rural vocational training (Decision 46/2015/QĐ-TTg) as policy data with dates.

Pure: no I/O. A policy is in force from a date (and maybe to one); the course's start date
picks it. Money is integer VND. A person who fits several groups gets the single highest level,
never a sum. Paying a person once only is the database's job (see docs/rural-training.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from xkld_shared.errors import Conflict

SupportGroup = Literal[
    "disability",
    "poor_ethnic_minority_household",
    "poor_household_difficult_commune",
    "ethnic_minority",
    "revolutionary_merit_family",
    "poor_household",
    "land_recovered",
    "woman_lost_job",
    "fisher",
    "near_poor_household",
    "woman",
    "rural_worker",
]


@dataclass(frozen=True)
class SupportPolicy:
    code: str
    legal_basis: str
    effective_from: dt.date
    effective_to: dt.date | None
    # The maximum training-cost support per person per course, by group.
    cost_ceiling_vnd: Mapping[SupportGroup, int]
    meal_vnd_per_day: int
    travel_vnd: int
    travel_min_km: Decimal
    # People with disabilities and residents of difficult communes: more, from nearer.
    travel_favoured_vnd: int
    travel_favoured_min_km: Decimal

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


DECISION_46_2015 = SupportPolicy(
    code="QD46-2015",
    legal_basis=(
        "Quyết định 46/2015/QĐ-TTg ngày 28/9/2015 của Thủ tướng Chính phủ quy định chính sách "
        "hỗ trợ đào tạo trình độ sơ cấp, đào tạo dưới 3 tháng (hiệu lực từ 01/01/2016)"
    ),
    effective_from=dt.date(2016, 1, 1),
    effective_to=None,
    cost_ceiling_vnd={
        "disability": 6_000_000,
        "poor_ethnic_minority_household": 4_000_000,
        "poor_household_difficult_commune": 4_000_000,
        "ethnic_minority": 3_000_000,
        "revolutionary_merit_family": 3_000_000,
        "poor_household": 3_000_000,
        "land_recovered": 3_000_000,
        "woman_lost_job": 3_000_000,
        "fisher": 3_000_000,
        "near_poor_household": 2_500_000,
        "woman": 2_000_000,
        "rural_worker": 2_000_000,
    },
    meal_vnd_per_day=30_000,
    travel_vnd=200_000,
    travel_min_km=Decimal(15),
    travel_favoured_vnd=300_000,
    travel_favoured_min_km=Decimal(5),
)

POLICIES: tuple[SupportPolicy, ...] = (DECISION_46_2015,)


class NoPolicyInForce(Conflict):
    code = "no_support_policy_in_force"

    def __init__(self, day: dt.date) -> None:
        super().__init__(
            f"Không có chính sách hỗ trợ học nghề nào có hiệu lực ngày {day:%d/%m/%Y}",
            f"No training-support policy is in force on {day}",
        )


def policy_on(day: dt.date, policies: Iterable[SupportPolicy] = POLICIES) -> SupportPolicy:
    for policy in policies:
        if policy.in_force_on(day):
            return policy
    raise NoPolicyInForce(day)


@dataclass(frozen=True)
class CourseTerms:
    """What the course costs per trainee, and whether it is a listed fisher trade (steel-hull
    or new-material vessels of 400 CV and more), where fishers get the whole cost."""

    tuition_vnd: int
    fisher_vessel_trade: bool = False


@dataclass(frozen=True)
class TraineeFacts:
    trainee_id: uuid.UUID
    groups: frozenset[SupportGroup]
    difficult_commune: bool
    distance_km: Decimal
    days_present: int


@dataclass(frozen=True)
class SupportLine:
    trainee_id: uuid.UUID
    cost_vnd: int
    meals_vnd: int
    travel_vnd: int
    days_present: int

    @property
    def total_vnd(self) -> int:
        return self.cost_vnd + self.meals_vnd + self.travel_vnd


def cost_ceiling(policy: SupportPolicy, groups: Iterable[SupportGroup]) -> int:
    """The single highest level of the person's groups; every rural worker has the lowest."""
    return max(policy.cost_ceiling_vnd[g] for g in {*groups, "rural_worker"})


def cost_support(policy: SupportPolicy, terms: CourseTerms, groups: frozenset[SupportGroup]) -> int:
    if terms.fisher_vessel_trade and "fisher" in groups:
        return terms.tuition_vnd
    return min(terms.tuition_vnd, cost_ceiling(policy, groups))


def meal_support(policy: SupportPolicy, days_present: int) -> int:
    return policy.meal_vnd_per_day * max(days_present, 0)


def travel_support(
    policy: SupportPolicy, distance_km: Decimal, groups: frozenset[SupportGroup], difficult: bool
) -> int:
    favoured = difficult or "disability" in groups
    if favoured and distance_km >= policy.travel_favoured_min_km:
        return policy.travel_favoured_vnd
    if distance_km >= policy.travel_min_km:
        return policy.travel_vnd
    return 0


def support_line(policy: SupportPolicy, terms: CourseTerms, facts: TraineeFacts) -> SupportLine:
    """One trainee's support for one course. Nobody who never attended is paid anything."""
    if facts.days_present <= 0:
        return SupportLine(facts.trainee_id, 0, 0, 0, 0)
    return SupportLine(
        trainee_id=facts.trainee_id,
        cost_vnd=cost_support(policy, terms, facts.groups),
        meals_vnd=meal_support(policy, facts.days_present),
        travel_vnd=travel_support(policy, facts.distance_km, facts.groups, facts.difficult_commune),
        days_present=facts.days_present,
    )
