"""What the roll-ups suggest: a course plan (demand per trade against places) and a target
(people wanting to go, per market). Pure arithmetic over counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CourseSuggestion:
    trade_code: str
    demand: int
    places: int
    # Places to order beyond those already planned; 0 when the plan already covers demand.
    places_to_add: int
    courses_to_add: int


def suggested_course_plan(
    demand: Mapping[str, int], places: Mapping[str, int], course_size: int
) -> list[CourseSuggestion]:
    """Every trade that is wanted or planned, most unmet demand first."""
    lines = []
    for trade in sorted(set(demand) | set(places)):
        wanted, planned = demand.get(trade, 0), places.get(trade, 0)
        gap = max(wanted - planned, 0)
        lines.append(CourseSuggestion(trade, wanted, planned, gap, -(-gap // course_size)))
    return sorted(lines, key=lambda s: (-s.places_to_add, s.trade_code))


@dataclass(frozen=True)
class TargetSuggestion:
    market_code: str
    wanting: int
    within_12_months: int
    needs_loan: int


SOON = frozenset({"within_6_months", "within_12_months"})
