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
    trades = sorted(set(demand) | set(places))
    lines = [_suggestion(t, demand.get(t, 0), places.get(t, 0), course_size) for t in trades]
    return sorted(lines, key=lambda s: (-s.places_to_add, s.trade_code))


@dataclass(frozen=True)
class TargetSuggestion:
    market_code: str
    wanting: int
    within_12_months: int
    needs_loan: int


SOON = frozenset({"within_6_months", "within_12_months"})


def _suggestion(trade: str, wanted: int, planned: int, course_size: int) -> CourseSuggestion:
    gap = max(wanted - planned, 0)
    return CourseSuggestion(trade, wanted, planned, gap, -(-gap // course_size))
