"""Decision 46/2015 groups, and which one a trainee is counted under.

A person in several groups is supported at the single highest level (never a sum), so reports
count each trainee once, under that group. Within a level the order below breaks the tie, so
that the same groups always give the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable

# Highest first: the level each group is supported at (6, 4, 3, 2.5, then 2 million VND per
# person and course), and within a level the order Decision 46 lists them in.
SUPPORT_GROUP_ORDER = (
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
)
# Everyone counts as a rural worker: it is the group of a trainee who names no other.
DEFAULT_GROUP = "rural_worker"
_RANK = {group: rank for rank, group in enumerate(SUPPORT_GROUP_ORDER)}


def counted_group(groups: Iterable[str]) -> str:
    """The single highest group of those given; codes the policy does not know are ignored."""
    known = [g for g in groups if g in _RANK]
    return min(known, key=_RANK.__getitem__, default=DEFAULT_GROUP)


def rate_basis_points(part: int, whole: int) -> int | None:
    """`part / whole` in basis points (1/100 of a percent), halves rounded up, in integers
    only. None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (part * 20_000 + whole) // (2 * whole)
