"""Monthly increments rolled up to years and quarters, per commune and province."""

from __future__ import annotations

import datetime as dt

from xkld_reporting.domain.facts import Deltas
from xkld_reporting.domain.rollup import ALL_MARKETS, rollup

PROVINCES = {"29800": "86", "29641": "86"}


def test_one_departure_counts_for_its_commune_and_province_by_year_quarter_and_market() -> None:
    deltas = Deltas()
    deltas.add("departed", "29800", dt.date(2026, 5, 17), "JP")
    counts, amounts = rollup(deltas, PROVINCES.get)
    assert counts == {
        (p, 2026, q, m, "departed", area): 1
        for p in ["86"]
        for q in (0, 2)
        for m in ("JP", ALL_MARKETS)
        for area in ("29800", "86")
    }
    assert set(amounts.values()) == {0}


def test_communes_and_months_of_one_province_add_up_in_its_yearly_line() -> None:
    deltas = Deltas()
    deltas.add("loans_disbursed", "29800", dt.date(2025, 1, 3), vnd=50_000_000)
    deltas.add("loans_disbursed", "29641", dt.date(2025, 12, 30), vnd=70_000_000)
    deltas.add("loans_disbursed", "29641", dt.date(2025, 12, 31), vnd=1)
    counts, amounts = rollup(deltas, PROVINCES.get)
    year = ("86", 2025, 0, ALL_MARKETS, "loans_disbursed", "86")
    assert counts[year] == 3
    assert amounts[year] == 120_000_001
    assert counts[("86", 2025, 4, "", "loans_disbursed", "29641")] == 2
    assert counts[("86", 2025, 1, "", "loans_disbursed", "29641")] == 0


def test_a_commune_of_no_known_province_has_only_its_own_lines() -> None:
    deltas = Deltas()
    deltas.add("registered", "99999", dt.date(2026, 7, 1))
    counts, _ = rollup(deltas, PROVINCES.get)
    assert {key[5] for key in counts} == {"99999"}
    assert {key[0] for key in counts} == {""}
    assert {key[2] for key in counts} == {0, 3}
