"""Report endpoints. Every answer says how fresh its data is; none carries personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from xkld_shared.clock import vietnam_today
from xkld_shared.http.strict import IsoDate
from xkld_shared.identity.principal import Principal

from xkld_reporting.adapters import charts, progress_queries, queries
from xkld_reporting.adapters.admin_units import AdminUnits
from xkld_reporting.adapters.exports import progress_csv, progress_xlsx
from xkld_reporting.adapters.freshness import freshness as freshness_of
from xkld_reporting.domain.periods import Period
from xkld_reporting.domain.progress import Indicator
from xkld_reporting.entrypoints.json_body import json_response, jsonable
from xkld_reporting.entrypoints.params import (
    QuarterPeriod,
    ReportArea,
    ReportPeriod,
    Snapshot,
    Units,
    YearPeriod,
)
from xkld_reporting.entrypoints.scope import ReportReader, unscoped

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
Market = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]


def _period_json(period: Period) -> dict[str, Any]:
    return {
        "year": period.year,
        "quarter": period.quarter,
        "month": period.month,
        "start": period.start,
        "end_exclusive": period.end,
        "label_vi": period.label_vi,
    }


def _download(body: bytes | str, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _svg(text: str) -> Response:
    return Response(text, media_type="image/svg+xml")


@router.get("/progress")
async def progress(
    area: ReportArea, period: ReportPeriod, conn: Snapshot, units: Units, market: Market = None
) -> Response:
    """Actual against target ("đạt x%") for the area and each commune in it, with last year's
    same period. Percentages are rounded to one decimal, halves up."""
    report = await progress_queries.progress(conn, units, area.code, period, market)
    body: dict[str, Any] = jsonable(report)
    body["period"] = _period_json(report.period)
    return json_response(body)


@router.get("/progress.csv")
async def progress_as_csv(
    area: ReportArea, period: ReportPeriod, conn: Snapshot, units: Units, market: Market = None
) -> Response:
    report = await progress_queries.progress(conn, units, area.code, period, market)
    name = f"tien-do-{report.area_code}-{report.period.year}.csv"
    return _download(progress_csv(report), "text/csv; charset=utf-8", name)


@router.get("/progress.xlsx")
async def progress_as_xlsx(
    area: ReportArea, period: ReportPeriod, conn: Snapshot, units: Units, market: Market = None
) -> Response:
    report = await progress_queries.progress(conn, units, area.code, period, market)
    name = f"tien-do-{report.area_code}-{report.period.year}.xlsx"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(progress_xlsx(report), xlsx, name)


@router.get("/charts/progress.svg")
async def progress_chart(
    area: ReportArea,
    period: QuarterPeriod,
    conn: Snapshot,
    units: Units,
    indicator: Indicator = Indicator.DEPARTED,
) -> Response:
    """Progress bars per commune for one indicator."""
    report = await progress_queries.progress(conn, units, area.code, period, None)
    title = (
        f"Tỷ lệ đạt chỉ tiêu – {indicator.value} – {report.area_name} – {report.period.label_vi}"
    )
    return _svg(charts.progress_bars(title, _bars(report, indicator)))


def _bars(
    report: progress_queries.ProgressReport, indicator: Indicator
) -> list[tuple[str, Decimal | None, int, int | None]]:
    """Each area's name, percentage, actual and target for the indicator."""
    lines = []
    for a in report.areas:
        ind = next(i for i in a.indicators if i.indicator == indicator.value)
        lines.append((a.area_name, ind.percent, ind.actual, ind.target))
    return lines


@router.get("/charts/departures.svg")
async def departures_chart(area: ReportArea, period: YearPeriod, conn: Snapshot) -> Response:
    """Workers departed per month of the year."""
    points = await queries.monthly_series(conn, area.communes, "departed", period)
    title = f"Số người xuất cảnh theo tháng – {area.name} – {period.label_vi}"
    return _svg(charts.monthly_series(title, points))


@router.get("/charts/markets.svg")
async def markets_chart(area: ReportArea, period: QuarterPeriod, conn: Snapshot) -> Response:
    """Workers departed in the period, by market."""
    shares = await queries.by_market(conn, area.communes, "departed", period)
    title = f"Xuất cảnh theo thị trường – {area.name} – {period.label_vi}"
    return _svg(charts.market_breakdown(title, shares))


@router.get("/registrations")
async def registrations(
    area: ReportArea,
    conn: Snapshot,
    milestone: Milestone = "registered",
    by: Dimension = "none",
    granularity: Granularity = "month",
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
) -> Response:
    """Registration facts: how many reached a milestone, by period and one dimension."""
    start, end = _dates_or_year(date_from, date_to)
    rows = await queries.registration_facts(
        conn, area.communes, milestone, by, granularity, start, end
    )
    return json_response(
        {
            "area_code": area.code,
            "milestone": milestone,
            "by": by,
            "granularity": granularity,
            "date_from": start,
            "date_to": end,
            "freshness": await freshness_of(conn),
            "rows": rows,
        }
    )


def _dates_or_year(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The dates asked for; by default from 1 January this year to the end of the start's year."""
    start = date_from or dt.date(vietnam_today().year, 1, 1)
    return start, date_to or dt.date(start.year, 12, 31)


@router.get("/loans")
async def loans(area: ReportArea, conn: Snapshot, as_of: IsoDate | None = None) -> Response:
    """Loans per commune: applied, approved, disbursed, repaid, outstanding (integer VND),
    and overdue loans by days since their oldest unpaid instalment fell due."""
    day = as_of or vietnam_today()
    rows = await queries.loans_report(conn, area.communes, day)
    fresh = await freshness_of(conn)
    return json_response(
        {"area_code": area.code, "as_of_date": day, "freshness": fresh, "communes": rows}
    )


@router.get("/training")
async def training(area: ReportArea, period: YearPeriod, conn: Snapshot) -> Response:
    last = period.end - dt.timedelta(days=1)
    rows = await queries.training_report(conn, area.communes, period.start, last)
    fresh = await freshness_of(conn)
    return json_response(
        {"area_code": area.code, "year": period.year, "freshness": fresh, "courses": rows}
    )


@router.get("/follow-up")
async def follow_up(area: ReportArea, conn: Snapshot) -> Response:
    """Workers abroad now, returned (completed or early, by cause), absconded."""
    counts = await queries.follow_up_report(conn, area.communes)
    fresh = await freshness_of(conn)
    return json_response({"area_code": area.code, "freshness": fresh} | counts)


@router.get("/sms")
async def sms(
    principal: ReportReader,
    conn: Snapshot,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
) -> Response:
    """SMS outcomes by template, programme-wide (messages carry no area)."""
    start = date_from or dt.date(vietnam_today().year, 1, 1)
    end = date_to or vietnam_today()
    rows = await queries.sms_report(conn, start, end)
    fresh = await freshness_of(conn)
    return json_response(
        {"date_from": start, "date_to": end, "freshness": fresh, "templates": rows}
    )


@router.get("/freshness")
async def freshness(principal: ReportReader, conn: Snapshot) -> Response:
    return json_response(await freshness_of(conn))


@router.get("/registrations-by-commune")
async def registrations_by_commune(
    principal: ReportReader,
    conn: Snapshot,
    units: Units,
    commune_code: str | None = None,
) -> Response:
    """The first slice's report, kept for its readers: registrations per commune, all time."""
    rows = await queries.registrations_by_commune(conn, commune_code)
    fresh = await freshness_of(conn)
    visible = [row for row in rows if _may_see(principal, units, row["commune_code"])]
    registration = fresh.streams[0]
    return json_response(
        {
            "as_of": fresh.as_of,
            "newest_event_at": registration.newest_event_at,
            "lag_seconds": registration.lag_seconds,
            "communes": visible,
        }
    )


def _may_see(principal: Principal, units: AdminUnits, commune: str) -> bool:
    return (
        unscoped(principal)
        or commune in principal.scope.communes
        or principal.scope.province == units.province_of(commune)
    )
