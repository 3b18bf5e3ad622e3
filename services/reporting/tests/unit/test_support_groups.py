"""The Decision 46 group a trainee is counted under, and the employment rate's rounding."""

from __future__ import annotations

import pytest
from xkld_reporting.domain.support_groups import (
    SUPPORT_GROUP_ORDER,
    counted_group,
    rate_basis_points,
)


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ((), "rural_worker"),
        (("woman",), "woman"),
        (("woman", "near_poor_household"), "near_poor_household"),
        (("near_poor_household", "fisher"), "fisher"),
        (("poor_household", "ethnic_minority"), "ethnic_minority"),
        (
            ("land_recovered", "poor_household_difficult_commune"),
            "poor_household_difficult_commune",
        ),
        (
            ("poor_household_difficult_commune", "poor_ethnic_minority_household"),
            "poor_ethnic_minority_household",
        ),
        (("rural_worker", "woman", "ethnic_minority", "disability"), "disability"),
        (("not_a_group",), "rural_worker"),
        (("not_a_group", "woman_lost_job"), "woman_lost_job"),
    ],
)
def test_a_trainee_is_counted_under_their_single_highest_group(
    groups: tuple[str, ...], expected: str
) -> None:
    assert counted_group(groups) == expected


def test_the_order_follows_the_support_levels_highest_first() -> None:
    # The per-person ceilings of Decision 46 in million VND, in the order's sequence: never
    # rising, so a higher-supported group always wins.
    ceiling = {"disability": 60, "poor_ethnic_minority_household": 40}
    ceiling |= {"poor_household_difficult_commune": 40, "near_poor_household": 25}
    ceiling |= {"woman": 20, "rural_worker": 20}
    levels = [ceiling.get(g, 30) for g in SUPPORT_GROUP_ORDER]
    assert levels == sorted(levels, reverse=True)
    assert len(set(SUPPORT_GROUP_ORDER)) == 12
    assert SUPPORT_GROUP_ORDER[-1] == "rural_worker"


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (2, 3, 6667),  # 66.666…%
        (1, 3, 3333),
        (1, 8, 1250),
        (1, 16, 625),
        (1, 16_000, 1),  # 0.625 bp: halves and more go up
        (1, 20_000, 1),  # 0.5 bp exactly: up
        (1, 20_001, 0),
        (0, 5, 0),
        (5, 5, 10_000),
        (0, 0, None),
    ],
)
def test_the_rate_is_in_basis_points_rounded_half_up_with_integers_only(
    part: int, whole: int, expected: int | None
) -> None:
    assert rate_basis_points(part, whole) == expected
