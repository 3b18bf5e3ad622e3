"""The reports (registrations, training, loans, follow-up, SMS): each a table of aggregates from
the reporting service with its filters, how fresh it is, and the same table as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.adapters.catalogue import translations
from xkld_portal.adapters.sheets import CSV_TYPE, XLSX_TYPE, as_csv, as_xlsx
from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.reports import (
    DIMENSIONS,
    FILTERS,
    GRANULARITIES,
    MILESTONES,
    REPORTS,
    STREAMS,
    Report,
    percent_shown,
)
from xkld_portal.entrypoints.progress import year_of
from xkld_portal.entrypoints.reading import area_of, readers_only
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, attachment, render

router = APIRouter()
_CHOICES = {"milestone": MILESTONES, "by": DIMENSIONS, "granularity": GRANULARITIES}


def _report(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise NothingHere
    return report


def query_of(report: Report, visitor: Visitor, asked: dict[str, str]) -> dict[str, Any]:
    """The filters the report takes: the area and year made whole, a choice only among its
    options, dates as typed (the service refuses a bad one in its own words)."""
    query: dict[str, Any] = {}
    for name in report.params:
        typed = asked.get(name, "").strip()[:20]
        if name == "area":
            query[name] = area_of(visitor, typed)
        elif name == "year":
            query[name] = year_of(typed)
        elif name in _CHOICES:
            if typed in _CHOICES[name]:
                query[name] = typed
        elif typed:
            query[name] = typed
    return query


async def _answer(
    portal: Portal, visitor: Visitor, report: Report, query: dict[str, Any]
) -> dict[str, Any]:
    answer: dict[str, Any] = await portal.api.get(
        Service.REPORTING, report.service_path, token=visitor.token, params=query
    )
    return answer


@router.get("/reports")
async def index(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    readers_only(visitor)
    return render(request, portal, "reports.html", visitor=visitor, reports=REPORTS)


@router.get("/reports/{name}.{kind}")
async def export(
    request: Request, portal: PortalDep, visitor: VisitorDep, name: str, kind: str
) -> Response:
    readers_only(visitor)
    report = _report(name)
    if kind not in ("csv", "xlsx"):
        raise NothingHere
    query = query_of(report, visitor, dict(request.query_params))
    table = report.table(await _answer(portal, visitor, report, query))
    body, media = _file(report, table, kind, translations(visitor.lang).gettext)
    return attachment(body, media, f"bao-cao-{report.name}.{kind}")


def _file(
    report: Report, table: Any, kind: str, translate: Callable[[str], str]
) -> tuple[bytes, str]:
    """The table as a CSV or an XLSX file, and its media type."""
    if kind == "csv":
        return as_csv(table, translate), CSV_TYPE
    return as_xlsx(table, translate, translate(report.title)), XLSX_TYPE


@router.get("/reports/{name}")
async def page(request: Request, portal: PortalDep, visitor: VisitorDep, name: str) -> Response:
    readers_only(visitor)
    report = _report(name)
    query = query_of(report, visitor, dict(request.query_params))
    context = await _read(portal, visitor, report, query)
    return render(
        request,
        portal,
        "report.html",
        visitor=visitor,
        status_code=context["refusal"].status if context["refusal"] else 200,
        report=report,
        query=query,
        choices=_CHOICES,
        filter_labels=FILTERS,
        streams=STREAMS,
        percent=percent_shown,
        **context,
    )


async def _read(
    portal: Portal, visitor: Visitor, report: Report, query: dict[str, Any]
) -> dict[str, Any]:
    """The answer and its table, or the service's refusal of the filters."""
    try:
        answer = await _answer(portal, visitor, report, query)
        return {"answer": answer, "table": report.table(answer), "refusal": None}
    except Refusal as refused:
        return {"answer": None, "table": None, "refusal": refused}
