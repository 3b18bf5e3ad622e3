"""Importing a round's households from a CSV or XLSX sheet: a dry run first, shown row by row
with outreach's Vietnamese messages, then the import of the same sheet (sealed in the page, not
uploaded twice) under the Idempotency-Key the report page was rendered with, so a confirmation
sent twice imports once and shows the first report again."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import N_
from xkld_portal.domain.survey import IMPORT_OUTCOMES
from xkld_portal.entrypoints.survey_rounds import commune_officer_only, round_path
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    form_key_of,
    new_form_key,
    render,
)

router = APIRouter()
MAX_BYTES = 5 * 1024 * 1024
PAGE = "/survey-rounds/{round_id}/import"


async def _show(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    round_id: uuid.UUID,
    status_code: int = 200,
    **context: Any,
) -> Response:
    shown = await portal.api.get(Service.OUTREACH, round_path(round_id), token=visitor.token)
    values = {"report": None, "sealed": None, "problem": None, "refusal": None} | context
    return render(
        request,
        portal,
        "survey_import.html",
        visitor=visitor,
        status_code=status_code,
        round=shown,
        form_key=new_form_key(),
        outcomes=IMPORT_OUTCOMES,
        **values,
    )


@router.get(PAGE)
async def import_page(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    commune_officer_only(visitor)
    return await _show(request, portal, visitor, round_id)


async def _sheet(form: dict[str, Any]) -> bytes | None:
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(MAX_BYTES + 1)
    return data if 0 < len(data) <= MAX_BYTES else None


async def _send(
    portal: Portal, visitor: Visitor, round_id: uuid.UUID, data: bytes, **options: Any
) -> Any:
    """The file posted as it is; `options` is the check's `params` or the import's `key`."""
    path = f"{round_path(round_id)}/imports"
    return await portal.api.send(
        Service.OUTREACH, "POST", path, token=visitor.token, content=data, **options
    )


@router.post(PAGE + "/check")
async def check(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    commune_officer_only(visitor)
    data = await _sheet(form)
    if data is None:
        problem = N_("Choose a CSV or XLSX file of at most 5 MB")
        return await _show(request, portal, visitor, round_id, 422, problem=problem)
    try:
        report = await _send(portal, visitor, round_id, data, params={"dry_run": "true"})
    except Refusal as refused:
        return await _show(request, portal, visitor, round_id, refused.status, refusal=refused)
    sealed = portal.cookies.seal_blob(data)
    return await _show(request, portal, visitor, round_id, report=report, sealed=sealed)


@router.post(PAGE + "/confirm")
async def confirm(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    commune_officer_only(visitor)
    sealed = form.get("sealed")
    data = portal.cookies.open_blob(sealed) if isinstance(sealed, str) else None
    if data is None:
        problem = N_("Upload the file again")
        return await _show(request, portal, visitor, round_id, 422, problem=problem)
    try:
        report = await _send(portal, visitor, round_id, data, key=form_key_of(form))
    except Refusal as refused:
        return await _show(request, portal, visitor, round_id, refused.status, refusal=refused)
    return await _show(request, portal, visitor, round_id, report=report)
