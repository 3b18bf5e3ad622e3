"""The progress report: an area's (and its communes') actual counts for a year, quarter or
month against their targets, read from the rollup or the monthly counters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from asyncpg import Record
from xkld_shared.db.pool import Conn

from xkld_reporting.adapters.admin_units import AdminUnits
from xkld_reporting.adapters.freshness import Freshness, freshness
from xkld_reporting.adapters.projection_schema import ALL_MARKETS, LIVE, WHOLE_YEAR
from xkld_reporting.domain.periods import Period
from xkld_reporting.domain.progress import (
    COUNTER_OF,
    HEADINGS_VI,
    Indicator,
    achieved_percent,
    format_percent_vi,
)

S = LIVE


@dataclass
class IndicatorProgress:
    indicator: str
    heading_vi: str
    actual: int
    target: int | None
    percent: Decimal | None
    percent_text: str
    previous_year_actual: int


@dataclass
class AreaProgress:
    area_code: str
    area_name: str
    indicators: list[IndicatorProgress] = field(default_factory=list)


@dataclass
class ProgressReport:
    area_code: str
    area_name: str
    period: Period
    market: str | None
    freshness: Freshness
    areas: list[AreaProgress]  # the area itself first, then its communes


def area_communes(units: AdminUnits, area: str) -> list[str]:
    return units.communes_of(area) if len(area) == 2 else [area]


Actuals = dict[tuple[str, str, bool, str], int]  # area, counter, this period?, column
_COUNTERS = sorted({c for c, _ in COUNTER_OF.values()})
# Indicator by indicator, what a line needs, worked out once rather than per area.
_LINES = [(i.value, HEADINGS_VI[i], *COUNTER_OF[i]) for i in Indicator]


async def progress(
    conn: Conn, units: AdminUnits, area: str, period: Period, market: str | None
) -> ProgressReport:
    communes = area_communes(units, area)
    areas = [area, *communes] if len(area) == 2 else [area]
    actual = await _actuals(conn, units, area, period, market)
    targets = await _targets(conn, areas, period, market)
    report = [
        _area_line(units, code, actual, _target_of(targets, code, area, communes)) for code in areas
    ]
    return ProgressReport(area, units.name_of(area), period, market, await freshness(conn), report)


async def _actuals(
    conn: Conn, units: AdminUnits, area: str, period: Period, market: str | None
) -> Actuals:
    if period.month is None:
        return await _rolled_up_actuals(conn, units, area, period, market)
    return await _monthly_actuals(conn, area, period, market)


def _target_of(
    targets: dict[tuple[str, str], int], code: str, area: str, communes: list[str]
) -> dict[str, int | None]:
    """Per indicator: the area's own target; for the province line, else the sum of its
    communes' targets when any is set."""
    result: dict[str, int | None] = {}
    for indicator, *_ in _LINES:
        target = targets.get((code, indicator))
        if target is None and code == area and len(area) == 2:
            target = _communes_target(targets, indicator, communes)
        result[indicator] = target
    return result


def _communes_target(
    targets: dict[tuple[str, str], int], indicator: str, communes: list[str]
) -> int | None:
    parts = [targets[(c, indicator)] for c in communes if (c, indicator) in targets]
    return sum(parts) if parts else None


def _area_line(
    units: AdminUnits, code: str, actual: Actuals, target: dict[str, int | None]
) -> AreaProgress:
    line = AreaProgress(code, units.name_of(code))
    for entry in _LINES:
        line.indicators.append(_indicator_line(code, actual, target, entry))
    return line


def _indicator_line(
    code: str, actual: Actuals, target: dict[str, int | None], entry: tuple[str, str, str, str]
) -> IndicatorProgress:
    """One indicator of an area: this period's actual against the target, and last year's."""
    indicator, heading, counter, column = entry
    value = actual.get((code, counter, True, column), 0)
    previous = actual.get((code, counter, False, column), 0)
    percent = achieved_percent(value, target[indicator])
    percent_text = format_percent_vi(percent)
    return IndicatorProgress(
        indicator, heading, value, target[indicator], percent, percent_text, previous
    )


async def _rolled_up_actuals(
    conn: Conn, units: AdminUnits, area: str, period: Period, market: str | None
) -> Actuals:
    """A year or a quarter, this year and last: read from the rollup, one key range."""
    province = area if len(area) == 2 else units.province_of(area) or ""
    rows = await conn.fetch(
        f"""SELECT area_code, indicator, year = $2 AS current, n, amount_vnd
            FROM {S}.rollup
            WHERE province_code = $1 AND year IN ($2, $3) AND quarter = $4 AND market = $5
              AND indicator = ANY($6) AND ($7::text IS NULL OR area_code = $7)""",
        province,
        period.year,
        period.year - 1,
        period.quarter or WHOLE_YEAR,
        market or ALL_MARKETS,
        _COUNTERS,
        None if len(area) == 2 else area,
    )
    return _rolled_up(rows)


def _rolled_up(rows: list[Record]) -> Actuals:
    actual: Actuals = {}
    for r in rows:
        actual[(r["area_code"], r["indicator"], r["current"], "n")] = r["n"]
        actual[(r["area_code"], r["indicator"], r["current"], "amount_vnd")] = r["amount_vnd"]
    return actual


async def _monthly_actuals(conn: Conn, area: str, period: Period, market: str | None) -> Actuals:
    """A single month (no rollup for months): summed from the monthly counters."""
    prev = period.previous_year()
    # A province is one range of the province index; a commune is its primary-key prefix.
    where = "province_code = $2" if len(area) == 2 else "commune_code = ANY($2)"
    rows = await conn.fetch(
        f"""SELECT commune_code, indicator, month >= $3 AS current,
                   sum(n)::bigint AS n, sum(amount_vnd)::bigint AS amount_vnd
            FROM {S}.monthly
            WHERE indicator = ANY($1) AND {where}
              AND ((month >= $3 AND month < $4) OR (month >= $5 AND month < $6))
              AND ($7::text IS NULL OR market = $7)
            GROUP BY 1, 2, 3""",
        _COUNTERS,
        area if len(area) == 2 else [area],
        period.start,
        period.end,
        prev.start,
        prev.end,
        market,
    )
    return _summed(rows, area)


def _summed(rows: list[Record], area: str) -> Actuals:
    """Each commune's counts, and their sum under the area."""
    actual: Actuals = defaultdict(int)
    for r in rows:
        _add_to(actual, r, area)
    return actual


def _add_to(actual: Actuals, r: Record, area: str) -> None:
    for area_code in {r["commune_code"], area}:
        actual[(area_code, r["indicator"], r["current"], "n")] += r["n"]
        actual[(area_code, r["indicator"], r["current"], "amount_vnd")] += r["amount_vnd"]


async def _targets(
    conn: Conn, areas: list[str], period: Period, market: str | None
) -> dict[tuple[str, str], int]:
    """Annual targets for a year; quarterly targets for a quarter; none for a single month."""
    if period.month is not None:
        return {}
    rows = await conn.fetch(
        """SELECT area_code, indicator, value FROM target
           WHERE year = $1 AND quarter = $2 AND area_code = ANY($3) AND market = $4""",
        period.year,
        period.quarter or 0,
        areas,
        market or "",
    )
    return {(r["area_code"], r["indicator"]): int(r["value"]) for r in rows}
