"""The labour officer's targets (chỉ tiêu): the targets of an area and year, a form that sets
one, the upload of the template filled in (CSV or XLSX) with the service's report, and the
template itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from xkld_portal.adapters.sheets import read_rows
from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import N_
from xkld_portal.domain.reports import INDICATORS, QUARTERS, ROW_OUTCOMES
from xkld_portal.entrypoints.progress import year_of
from xkld_portal.entrypoints.reading import area_of, labour_only
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    attachment,
    render,
)

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]
MAX_BYTES = 2 * 1024 * 1024  # the reporting service's own limit
_CHOICES = {"indicators": INDICATORS, "quarters": QUARTERS, "row_outcomes": ROW_OUTCOMES}


async def _page(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    query: dict[str, Any],
    attempt: Attempt,
    **context: Any,
) -> Response:
    listed = await portal.api.get(Service.REPORTING, "/targets", token=visitor.token, params=query)
    attempt = _with_target_form(attempt, query)
    blank: dict[str, Any] = {"uploaded": None, "upload_refusal": None, "upload_problem": None}
    values = blank | {"lines": []} | context
    shown = values | {"targets": listed["targets"], "query": query}
    return _shown(request, portal, visitor, attempt, shown)


def _with_target_form(attempt: Attempt, query: dict[str, Any]) -> Attempt:
    """With no form refused, the target form starts on the area and year shown."""
    if attempt.form is not None:
        return attempt
    typed = {"area_code": query["area"], "year": str(query["year"])}
    return Attempt("target", attempt.key("target"), typed)


def _status(attempt: Attempt, values: dict[str, Any]) -> int:
    if values["upload_problem"]:
        return 422
    if values["upload_refusal"] is not None:
        return int(values["upload_refusal"].status)
    return attempt.status


def _shown(
    request: Request, portal: Portal, visitor: Visitor, attempt: Attempt, values: dict[str, Any]
) -> Response:
    return render(
        request,
        portal,
        "targets.html",
        visitor=visitor,
        status_code=_status(attempt, values),
        attempt=attempt,
        upload_key=attempt.key("upload"),
        **_CHOICES,
        **values,
    )


def _query(visitor: Visitor, area: str | None, year: str | None) -> dict[str, Any]:
    return {"area": area_of(visitor, area), "year": year_of(year)}


@router.get("/targets")
async def targets(
    request: Request, portal: PortalDep, visitor: VisitorDep, area: Text = None, year: Text = None
) -> Response:
    labour_only(visitor)
    return await _page(request, portal, visitor, _query(visitor, area, year), Attempt())


def target_body(form: dict[str, Any]) -> dict[str, Any]:
    """One target as the service takes it; blanks of optional fields are left out."""
    return {
        "targets": [
            {
                "area_code": forms.text(form, "area_code"),
                "year": forms.whole(form, "year"),
                "quarter": forms.whole(form, "quarter"),
                "indicator": forms.text(form, "indicator"),
                "market": forms.optional(form, "market"),
                "value": forms.whole_vnd(form, "value"),
            }
        ]
    }


def of_the_form(refused: Refusal) -> Refusal:
    """The service names a field of the one target sent as `targets.0.value`: here, `value`."""
    fields = {name.removeprefix("targets.0."): said for name, said in refused.fields.items()}
    return Refusal(refused.status, refused.message_vi, refused.message_en, fields, refused.code)


async def _send(portal: Portal, visitor: Visitor, path: str, key: str, **body: Any) -> Any:
    """Posts to the reporting service with the form's key; `body` is its `json` or `content`."""
    return await portal.api.send(
        Service.REPORTING, "POST", path, token=visitor.token, key=key, **body
    )


@router.post("/targets")
async def set_target(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    labour_only(visitor)
    key = form_key_of(form)
    query = _query(visitor, forms.text(form, "area_code"), forms.text(form, "year"))
    try:
        await _send(portal, visitor, "/targets", key, json=target_body(form))
    except Refusal as refused:
        attempt = Attempt("target", key, form, of_the_form(refused))
        return await _page(request, portal, visitor, query, attempt)
    return finished(request, f"/targets?area={query['area']}&year={query['year']}", key)


async def _sheet(form: dict[str, Any]) -> tuple[bytes, str] | None:
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(MAX_BYTES + 1)
    if not 0 < len(data) <= MAX_BYTES:
        return None
    return data, upload.content_type or ""


@router.post("/targets/import")
async def upload(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    labour_only(visitor)
    query = _query(visitor, forms.text(form, "area"), forms.text(form, "year"))
    sheet = await _sheet(form)
    if sheet is None:
        problem = N_("Choose a CSV or XLSX file of at most 2 MB")
        return await _page(request, portal, visitor, query, Attempt(), upload_problem=problem)
    rows = read_rows(sheet[0])
    try:
        report = await _send(
            portal, visitor, "/targets/import", form_key_of(form), content=sheet[0]
        )
        outcome = {"uploaded": report, "lines": row_report(rows, None)}
    except Refusal as refused:
        outcome = {"upload_refusal": refused, "lines": row_report(rows, refused)}
    return await _page(request, portal, visitor, query, Attempt(), **outcome)


_ROW = re.compile(r"^Line (\d+):")


@dataclass(frozen=True)
class RowOutcome:
    number: int
    cells: dict[str, str]
    outcome: str  # saved, refused, not_saved
    refusal: Refusal | None = None


def row_report(rows: list[list[str]], refused: Refusal | None) -> list[RowOutcome]:
    """The file's rows, each with what became of it: all saved, or (the service saves the
    whole file or nothing) the row it refused with its reason and the others not saved."""
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    named = [dict(zip(header, line, strict=False)) for line in body]
    bad = _refused_line(refused)
    return [_row_outcome(n, cells, refused, bad) for n, cells in enumerate(named, start=2)]


def _refused_line(refused: Refusal | None) -> int | None:
    """The line the service's refusal names (`Line 7: ...`), when it names one."""
    found = _ROW.match(refused.message_en) if refused else None
    return int(found.group(1)) if found else None


def _row_outcome(
    number: int, cells: dict[str, str], refused: Refusal | None, bad: int | None
) -> RowOutcome:
    if refused is None:
        return RowOutcome(number, cells, "saved")
    if number == bad:
        return RowOutcome(number, cells, "refused", refused)
    return RowOutcome(number, cells, "not_saved")


@router.get("/targets/template.csv")
async def template(portal: PortalDep, visitor: VisitorDep) -> Response:
    labour_only(visitor)
    body, media = await portal.api.raw(
        Service.REPORTING, "/targets/template.csv", token=visitor.token
    )
    return attachment(body, media, "mau-chi-tieu.csv")
