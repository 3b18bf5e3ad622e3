"""Test data: random mobile numbers never repeat within a process, so a test counting one
phone's SMS at the worker's shared fake gateway counts only its own."""

from __future__ import annotations

from xkld_shared.testing.system import random_mobile
from xkld_testkit.notifications_testing import random_phone


def test_fifty_thousand_random_mobiles_from_both_helpers_are_all_different() -> None:
    # Drawn freely from 10 million numbers, 50,000 would repeat about 125 times.
    drawn = [random_mobile() for _ in range(25_000)] + [random_phone() for _ in range(25_000)]
    assert len(set(drawn)) == len(drawn)
    assert all(len(m) == 10 and m.startswith("091") for m in drawn)
