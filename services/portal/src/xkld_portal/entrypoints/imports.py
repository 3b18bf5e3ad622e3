"""Importing files from a CSV or XLSX sheet: a dry run shown as a table, then a confirmation
that sends the same sheet once (its Idempotency-Key answers a resend with the first report)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import IMPORT_OUTCOMES, N_
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
_PATH = "/registrations/imports"


def _show(
    request: Request, portal: Portal, visitor: Visitor, status_code: int = 200, **context: Any
) -> Response:
    values = {"report": None, "sealed": None, "problem": None, "refusal": None} | context
    values["outcomes"] = IMPORT_OUTCOMES
    return render(
        request,
        portal,
        "import.html",
        visitor=visitor,
        status_code=status_code,
        form_key=new_form_key(),
        **values,
    )


@router.get("/imports")
async def import_page(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    return _show(request, portal, visitor)


async def _sheet(form: dict[str, Any]) -> bytes | None:
    upload = form.get("sheet")
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(MAX_BYTES + 1)
    return data if 0 < len(data) <= MAX_BYTES else None


async def _send(portal: Portal, visitor: Visitor, data: bytes, **options: Any) -> Any:
    """The file posted as it is; `options` is the check's `params` or the import's `key`."""
    return await portal.api.send(
        Service.REGISTRATION, "POST", _PATH, token=visitor.token, content=data, **options
    )


@router.post("/imports/check")
async def check(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    data = await _sheet(form)
    if data is None:
        problem = N_("Choose a CSV or XLSX file of at most 5 MB")
        return _show(request, portal, visitor, 422, problem=problem)
    try:
        report = await _send(portal, visitor, data, params={"dry_run": "true"})
    except Refusal as refused:
        return _show(request, portal, visitor, refused.status, refusal=refused)
    sealed = portal.cookies.seal_blob(data)
    return _show(request, portal, visitor, report=report, sealed=sealed)


@router.post("/imports/confirm")
async def confirm(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    sealed = form.get("sealed")
    data = portal.cookies.open_blob(sealed) if isinstance(sealed, str) else None
    if data is None:
        return _show(request, portal, visitor, 422, problem=N_("Upload the file again"))
    try:
        report = await _send(portal, visitor, data, key=form_key_of(form))
    except Refusal as refused:
        return _show(request, portal, visitor, refused.status, refusal=refused)
    return _show(request, portal, visitor, report=report)
