"""The progress dashboard: "đạt x%" of each target for the area and each of its communes, last
year's same period beside it, how fresh the figures are, the reporting service's charts (served
from here, so the page's images stay on its own origin), and the report as CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.clock import vietnam_today

from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.reports import INDICATORS, STREAMS, percent_shown
from xkld_portal.entrypoints.reading import area_of, home_area, readers_only
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, attachment, render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]
CHARTS = ("progress", "departures", "markets")
_EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def year_of(asked: str | None) -> int:
    """The year asked for when it is a year; this year otherwise."""
    text = (asked or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else vietnam_today().year


def _indicator(asked: str | None) -> str:
    return asked if asked in INDICATORS else "registered"


@router.get("/progress")
async def progress(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    area: Text = None,
    year: Text = None,
    indicator: Text = None,
) -> Response:
    readers_only(visitor)
    query = {"area": area_of(visitor, area), "year": year_of(year)}
    shown: dict[str, Any] = {"query": query, "indicator": _indicator(indicator)}
    try:
        report = await portal.api.get(
            Service.REPORTING, "/reports/progress", token=visitor.token, params=query
        )
    except Refusal as refused:
        return _page(
            request, portal, visitor, refused.status, report=None, refusal=refused, **shown
        )
    return _page(request, portal, visitor, 200, report=report, refusal=None, **shown)


def _page(
    request: Request, portal: Portal, visitor: Visitor, status: int, **context: Any
) -> Response:
    return render(
        request,
        portal,
        "progress.html",
        visitor=visitor,
        status_code=status,
        indicators=INDICATORS,
        percent=percent_shown,
        streams=STREAMS,
        home=home_area(visitor),
        **context,
    )


@router.get("/progress.{kind}")
async def progress_export(
    portal: PortalDep, visitor: VisitorDep, kind: str, area: Text = None, year: Text = None
) -> Response:
    readers_only(visitor)
    if kind not in _EXPORTS:
        raise NothingHere
    query = {"area": area_of(visitor, area), "year": year_of(year)}
    body, media = await portal.api.raw(
        Service.REPORTING, f"/reports/progress.{kind}", token=visitor.token, params=query
    )
    return attachment(body, media, f"tien-do-{query['area']}-{query['year']}.{kind}")


@router.get("/charts/{name}.svg")
async def chart(
    portal: PortalDep,
    visitor: VisitorDep,
    name: str,
    area: Text = None,
    year: Text = None,
    indicator: Text = None,
) -> Response:
    """The reporting service's SVG, as an image of this site (the CSP allows only 'self')."""
    readers_only(visitor)
    if name not in CHARTS:
        raise NothingHere
    query: dict[str, Any] = {"area": area_of(visitor, area), "year": year_of(year)}
    if name == "progress":
        query["indicator"] = _indicator(indicator)
    body, _ = await portal.api.raw(
        Service.REPORTING, f"/reports/charts/{name}.svg", token=visitor.token, params=query
    )
    return _svg_image(body)


def _svg_image(svg: bytes) -> Response:
    # The SVG is the service's text: served as an image that may run nothing.
    headers = {"Content-Security-Policy": "default-src 'none'"}
    return Response(svg, media_type="image/svg+xml", headers=headers)
