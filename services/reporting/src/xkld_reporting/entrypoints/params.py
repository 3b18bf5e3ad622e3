"""What every report route shares, resolved once by FastAPI: the pool, the administrative units,
the area the reader asked for (checked against their scope), the period, a read snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Query
from xkld_shared.clock import vietnam_today
from xkld_shared.db.pool import Conn
from xkld_shared.errors import InvalidInput
from xkld_shared.http.wiring import from_app_state

from xkld_reporting.adapters.admin_units import AdminUnits, admin_units
from xkld_reporting.adapters.progress_queries import area_communes
from xkld_reporting.domain.periods import Period
from xkld_reporting.entrypoints.scope import ReportReader, resolve_area

AreaCode = Annotated[
    str | None, Query(pattern=r"^(\d{2}|\d{5})$", description="province or commune")
]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Quarter = Annotated[int | None, Query(ge=1, le=4)]
Month = Annotated[int | None, Query(ge=1, le=12)]


class InvalidPeriod(InvalidInput):
    code = "invalid_period"

    def __init__(self, detail_en: str) -> None:
        super().__init__(
            "Kỳ báo cáo không hợp lệ (năm 2000–2100; quý 1–4 hoặc tháng 1–12, không cả hai)",
            f"Invalid reporting period: {detail_en}",
        )


Pool = Annotated[asyncpg.Pool, Depends(from_app_state("pool", asyncpg.Pool))]
Units = Annotated[AdminUnits, Depends(admin_units)]


@dataclass(frozen=True)
class ReadableArea:
    """A province or commune the reader may read, and the communes it covers."""

    code: str
    name: str
    communes: list[str]


async def _readable_area(
    principal: ReportReader, units: Units, area: AreaCode = None
) -> ReadableArea:
    code = resolve_area(principal, units, area)
    return ReadableArea(code, units.name_of(code), area_communes(units, code))


ReportArea = Annotated[ReadableArea, Depends(_readable_area)]


def period_of(year: int | None, quarter: int | None = None, month: int | None = None) -> Period:
    try:
        return Period(year or vietnam_today().year, quarter, month)
    except ValueError as exc:
        raise InvalidPeriod(str(exc)) from None


async def _year(year: Year = None) -> Period:
    return period_of(year)


async def _year_or_quarter(year: Year = None, quarter: Quarter = None) -> Period:
    return period_of(year, quarter)


async def _any_period(year: Year = None, quarter: Quarter = None, month: Month = None) -> Period:
    return period_of(year, quarter, month)


YearPeriod = Annotated[Period, Depends(_year)]
QuarterPeriod = Annotated[Period, Depends(_year_or_quarter)]
ReportPeriod = Annotated[Period, Depends(_any_period)]


async def _snapshot(pool: Pool) -> AsyncIterator[Conn]:
    # One repeatable-read snapshot per answer: its figures and its freshness agree.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn


Snapshot = Annotated[Conn, Depends(_snapshot)]
