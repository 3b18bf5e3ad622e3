"""The rural training reports: trainees against the plan, support paid against the budget and
employment after training, each for an area and a year, broken down as the reader picks, with
its total, and the same table as CSV or XLSX (the reporting service answers only JSON)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xkld_portal.adapters.catalogue import translations
from xkld_portal.adapters.sheets import CSV_TYPE, XLSX_TYPE, as_csv, as_xlsx
from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.reports import STREAMS, percent_shown
from xkld_portal.domain.rural_reports import RURAL_REPORTS, RuralReport
from xkld_portal.entrypoints.progress import year_of
from xkld_portal.entrypoints.reading import area_of, readers_only
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, attachment, render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]
BASE = "/reports/rural-training"


def _report(name: str) -> RuralReport:
    report = RURAL_REPORTS.get(name)
    if report is None:
        raise NothingHere
    return report


def _query(
    report: RuralReport, visitor: Visitor, area: str | None, year: str | None, by: str | None
) -> dict[str, Any]:
    return {"area": area_of(visitor, area), "year": year_of(year), "by": report.by_of(by)}


async def _answer(
    portal: Portal, visitor: Visitor, report: RuralReport, query: dict[str, Any]
) -> dict[str, Any]:
    answer: dict[str, Any] = await portal.api.get(
        Service.REPORTING, report.service_path, token=visitor.token, params=query
    )
    return answer


def _file(
    report: RuralReport, table: Any, kind: str, translate: Callable[[str], str]
) -> tuple[bytes, str]:
    """The table as a CSV or an XLSX file, and its media type."""
    if kind == "csv":
        return as_csv(table, translate), CSV_TYPE
    # Excel refuses a sheet name holding a colon, brackets, slashes, * or ?
    sheet = re.sub(r"[\[\]:*?/\\]", " ", translate(report.title)).strip()
    return as_xlsx(table, translate, sheet), XLSX_TYPE


@router.get(BASE + "/{name}.{kind}")
async def export(
    portal: PortalDep,
    visitor: VisitorDep,
    name: str,
    kind: str,
    area: Text = None,
    year: Text = None,
    by: Text = None,
) -> Response:
    readers_only(visitor)
    report = _report(name)
    if kind not in ("csv", "xlsx"):
        raise NothingHere
    query = _query(report, visitor, area, year, by)
    table = report.table(await _answer(portal, visitor, report, query))
    body, media = _file(report, table, kind, translations(visitor.lang).gettext)
    filename = f"dao-tao-nghe-{report.name}-{query['area']}-{query['year']}-{query['by']}.{kind}"
    return attachment(body, media, filename)


@router.get(BASE + "/{name}")
async def page(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    name: str,
    area: Text = None,
    year: Text = None,
    by: Text = None,
) -> Response:
    readers_only(visitor)
    report = _report(name)
    query = _query(report, visitor, area, year, by)
    context = await _read(portal, visitor, report, query)
    return _shown(request, portal, visitor, context | {"report": report, "query": query})


async def _read(
    portal: Portal, visitor: Visitor, report: RuralReport, query: dict[str, Any]
) -> dict[str, Any]:
    """The answer and its table, or the service's refusal of the query."""
    context: dict[str, Any] = {"answer": None, "table": None, "refusal": None}
    try:
        answer = await _answer(portal, visitor, report, query)
        context |= {"answer": answer, "table": report.table(answer)}
    except Refusal as refused:
        context["refusal"] = refused
    return context


def _shown(request: Request, portal: Portal, visitor: Visitor, context: dict[str, Any]) -> Response:
    return render(
        request,
        portal,
        "rural_report.html",
        visitor=visitor,
        status_code=context["refusal"].status if context["refusal"] else 200,
        reports=RURAL_REPORTS,
        base=BASE,
        streams=STREAMS,
        percent=percent_shown,
        **context,
    )
