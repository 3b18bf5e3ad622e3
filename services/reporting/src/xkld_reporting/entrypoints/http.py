"""Report endpoints. Every answer says how fresh its data is; none carries personal data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from xkld_shared.errors import AppError
from xkld_shared.http.strict import IsoDate

from xkld_reporting.adapters import charts
from xkld_reporting.adapters.admin_units import AdminUnits, admin_units
from xkld_reporting.adapters.exports import progress_csv, progress_xlsx
from xkld_reporting.application import queries
from xkld_reporting.application.queries import area_communes
from xkld_reporting.domain.periods import Period
from xkld_reporting.domain.progress import Indicator
from xkld_reporting.entrypoints.scope import ReportReader, resolve_area, unscoped

router = APIRouter(prefix="/reports", tags=["reports"])

Granularity = Literal["day", "month", "quarter", "year"]
Milestone = Literal[
    "registered",
    "eligible",
    "trained",
    "contract_signed",
    "departed",
    "returned",
    "absconded",
    "rejected",
    "withdrawn",
]
Dimension = Literal[
    "none",
    "commune",
    "hamlet",
    "stage",
    "market",
    "enterprise",
    "gender",
    "age_band",
    "priority_group",
    "course",
]
Area = Annotated[str | None, Query(pattern=r"^(\d{2}|\d{5})$", description="province or commune")]


class InvalidPeriod(AppError):
    status_code = 422
    code = "invalid_period"

    def __init__(self, detail_en: str) -> None:
        super().__init__(
            "Kỳ báo cáo không hợp lệ (năm 2000–2100; quý 1–4 hoặc tháng 1–12, không cả hai)",
            f"Invalid reporting period: {detail_en}",
        )


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Units = Annotated[AdminUnits, Depends(admin_units)]


def _period(year: int | None, quarter: int | None, month: int | None) -> Period:
    try:
        return Period(year or dt.date.today().year, quarter, month)
    except ValueError as exc:
        raise InvalidPeriod(str(exc)) from None


# Values json.dumps writes as they are (or through `_default`): returned untouched, checked by
# exact type first because a province's report has some 5 000 of them.
_LEAVES = frozenset({str, int, float, bool, type(None), Decimal, dt.date, dt.datetime})


def _jsonable(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # A dataclass instance's __dict__ holds its fields, in declaration order.
        return {k: _jsonable(v) for k, v in vars(value).items()}
    return value


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # "66.7": exact, as rounded, never a float
    raise TypeError(f"cannot encode {type(value).__name__}")


def _json(value: Any) -> Response:
    """Straight to JSON bytes: the reports are plain data, and FastAPI's generic encoder
    costs more than the query for a province with 125 areas."""
    body = json.dumps(_jsonable(value), default=_default, ensure_ascii=False)
    return Response(body.encode(), media_type="application/json")


def _period_json(period: Period) -> dict[str, Any]:
    return {
        "year": period.year,
        "quarter": period.quarter,
        "month": period.month,
        "start": period.start,
        "end_exclusive": period.end,
        "label_vi": period.label_vi,
    }


async def _progress(
    pool: asyncpg.Pool,
    units: AdminUnits,
    principal: Any,
    area: str | None,
    year: int | None,
    quarter: int | None,
    month: int | None,
    market: str | None,
) -> queries.ProgressReport:
    code = resolve_area(principal, units, area)
    period = _period(year, quarter, month)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await queries.progress(conn, units, code, period, market)


Year = Annotated[int | None, Query(ge=2000, le=2100)]
Quarter = Annotated[int | None, Query(ge=1, le=4)]
Month = Annotated[int | None, Query(ge=1, le=12)]
Market = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]


@router.get("/progress")
async def progress(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    quarter: Quarter = None,
    month: Month = None,
    market: Market = None,
) -> Response:
    """Actual against target ("đạt x%") for the area and each commune in it, with last year's
    same period. Percentages are rounded to one decimal, halves up."""
    report = await _progress(pool, units, principal, area, year, quarter, month, market)
    body: dict[str, Any] = _jsonable(report)
    body["period"] = _period_json(report.period)
    return _json(body)


@router.get("/progress.csv")
async def progress_as_csv(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    quarter: Quarter = None,
    month: Month = None,
    market: Market = None,
) -> Response:
    report = await _progress(pool, units, principal, area, year, quarter, month, market)
    name = f"tien-do-{report.area_code}-{report.period.year}.csv"
    return Response(
        progress_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/progress.xlsx")
async def progress_as_xlsx(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    quarter: Quarter = None,
    month: Month = None,
    market: Market = None,
) -> Response:
    report = await _progress(pool, units, principal, area, year, quarter, month, market)
    name = f"tien-do-{report.area_code}-{report.period.year}.xlsx"
    return Response(
        progress_xlsx(report),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _svg(text: str) -> Response:
    return Response(text, media_type="image/svg+xml")


@router.get("/charts/progress.svg")
async def progress_chart(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    quarter: Quarter = None,
    indicator: Indicator = Indicator.DEPARTED,
) -> Response:
    """Progress bars per commune for one indicator."""
    report = await _progress(pool, units, principal, area, year, quarter, None, None)
    lines = []
    for a in report.areas:
        ind = next(i for i in a.indicators if i.indicator == indicator.value)
        lines.append((a.area_name, ind.percent, ind.actual, ind.target))
    title = (
        f"Tỷ lệ đạt chỉ tiêu – {indicator.value} – {report.area_name} – {report.period.label_vi}"
    )
    return _svg(charts.progress_bars(title, lines))


@router.get("/charts/departures.svg")
async def departures_chart(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
) -> Response:
    """Workers departed per month of the year."""
    code = resolve_area(principal, units, area)
    period = _period(year, None, None)
    async with pool.acquire() as conn:
        points = await queries.monthly_series(conn, area_communes(units, code), "departed", period)
    title = f"Số người xuất cảnh theo tháng – {units.name_of(code)} – {period.label_vi}"
    return _svg(charts.monthly_series(title, points))


@router.get("/charts/markets.svg")
async def markets_chart(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
    quarter: Quarter = None,
) -> Response:
    """Workers departed in the period, by market."""
    code = resolve_area(principal, units, area)
    period = _period(year, quarter, None)
    async with pool.acquire() as conn:
        shares = await queries.by_market(conn, area_communes(units, code), "departed", period)
    title = f"Xuất cảnh theo thị trường – {units.name_of(code)} – {period.label_vi}"
    return _svg(charts.market_breakdown(title, shares))


@router.get("/registrations")
async def registrations(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    milestone: Milestone = "registered",
    by: Dimension = "none",
    granularity: Granularity = "month",
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
) -> Response:
    """Registration facts: how many reached a milestone, by period and one dimension."""
    code = resolve_area(principal, units, area)
    start = date_from or dt.date(dt.date.today().year, 1, 1)
    end = date_to or dt.date(start.year, 12, 31)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await queries.registration_facts(
            conn, area_communes(units, code), milestone, by, granularity, start, end
        )
        fresh = await queries.freshness(conn)
    return _json(
        {
            "area_code": code,
            "milestone": milestone,
            "by": by,
            "granularity": granularity,
            "date_from": start,
            "date_to": end,
            "freshness": fresh,
            "rows": rows,
        }
    )


@router.get("/loans")
async def loans(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    as_of: IsoDate | None = None,
) -> Response:
    """Loans per commune: applied, approved, disbursed, repaid, outstanding (integer VND),
    and overdue loans by days since their oldest unpaid instalment fell due."""
    code = resolve_area(principal, units, area)
    day = as_of or dt.date.today()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await queries.loans_report(conn, area_communes(units, code), day)
        fresh = await queries.freshness(conn)
    return _json({"area_code": code, "as_of_date": day, "freshness": fresh, "communes": rows})


@router.get("/training")
async def training(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
    year: Year = None,
) -> Response:
    code = resolve_area(principal, units, area)
    period = _period(year, None, None)
    last = period.end - dt.timedelta(days=1)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await queries.training_report(conn, area_communes(units, code), period.start, last)
        fresh = await queries.freshness(conn)
    return _json({"area_code": code, "year": period.year, "freshness": fresh, "courses": rows})


@router.get("/follow-up")
async def follow_up(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: Area = None,
) -> Response:
    """Workers abroad now, returned (completed or early, by cause), absconded."""
    code = resolve_area(principal, units, area)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        counts = await queries.follow_up_report(conn, area_communes(units, code))
        fresh = await queries.freshness(conn)
    return _json({"area_code": code, "freshness": fresh} | counts)


@router.get("/sms")
async def sms(
    pool: Pool,
    principal: ReportReader,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
) -> Response:
    """SMS outcomes by template, programme-wide (messages carry no area)."""
    start = date_from or dt.date(dt.date.today().year, 1, 1)
    end = date_to or dt.date.today()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await queries.sms_report(conn, start, end)
        fresh = await queries.freshness(conn)
    return _json({"date_from": start, "date_to": end, "freshness": fresh, "templates": rows})


@router.get("/freshness")
async def freshness(pool: Pool, principal: ReportReader) -> Response:
    async with pool.acquire() as conn:
        return _json(await queries.freshness(conn))


@router.get("/registrations-by-commune")
async def registrations_by_commune(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    commune_code: str | None = None,
) -> Response:
    """The first slice's report, kept for its readers: registrations per commune, all time."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(
            """SELECT commune_code, registered FROM registrations_by_commune
               WHERE $1::text IS NULL OR commune_code = $1 ORDER BY commune_code""",
            commune_code,
        )
        fresh = await queries.freshness(conn)
    visible = [
        {"commune_code": r["commune_code"], "registered": int(r["registered"])}
        for r in rows
        if unscoped(principal)
        or r["commune_code"] in principal.scope.communes
        or principal.scope.province == units.province_of(r["commune_code"])
    ]
    registration = fresh.streams[0]
    return _json(
        {
            "as_of": fresh.as_of,
            "newest_event_at": registration.newest_event_at,
            "lag_seconds": registration.lag_seconds,
            "communes": visible,
        }
    )
