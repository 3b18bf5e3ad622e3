"""Yearly and quarterly totals per commune and per province, derived from a batch's monthly
counter increments.

The progress report for a province and a year reads these: about a thousand rows (125 areas,
4 counters, this year and last) instead of summing some twelve thousand monthly rows on every
request. The monthly counters stay the finer truth (month reports, series, markets); every
increment goes to both in the same transaction, so the two always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator

from xkld_reporting.domain.facts import Deltas

ALL_MARKETS = "*"  # never a market code (reports accept [A-Za-z0-9_.-] only)
WHOLE_YEAR = 0
# province, year, quarter (0 = whole year), market, indicator, area (a commune or its province)
RollupKey = tuple[str, int, int, str, str, str]


def quarter_of(month: dt.date) -> int:
    return (month.month - 1) // 3 + 1


def rollup(
    deltas: Deltas, province_of: Callable[[str], str | None]
) -> tuple[Counter[RollupKey], Counter[RollupKey]]:
    """(counts, amounts) to add per rollup key, for the batch's monthly increments."""
    counts: Counter[RollupKey] = Counter()
    amounts: Counter[RollupKey] = Counter()
    for key, n in deltas.counts.items():
        indicator, commune, month, market = key
        province = province_of(commune) or ""
        for target in _targets(province, commune, month, market, indicator):
            counts[target] += n
            amounts[target] += deltas.amounts[key]
    return counts, amounts


def _targets(
    province: str, commune: str, month: dt.date, market: str, indicator: str
) -> Iterator[RollupKey]:
    areas = (commune, province) if province else (commune,)
    markets = (market, ALL_MARKETS) if market != ALL_MARKETS else (ALL_MARKETS,)
    for area in areas:
        for quarter in (WHOLE_YEAR, quarter_of(month)):
            for each in markets:
                yield (province, month.year, quarter, each, indicator, area)
