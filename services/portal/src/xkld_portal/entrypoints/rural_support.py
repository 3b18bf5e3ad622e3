"""Decision 46/2015 training support for a course, the labour officer's screens: the course's
terms (tuition per trainee), the support sheet (bảng kê) as a printable table and as
registration's own XLSX, and recording the payment in two steps: the sheet's form leads to a
confirmation page, which sends the payment with the key the sheet's form was rendered with, so
a double click, a resend or the back button pays once. Training centres may read the sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.clock import VIETNAM
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import rural
from xkld_portal.domain import staff_forms as forms
from xkld_portal.entrypoints.staff_common import Attempt, answer_or_refusal, refusal
from xkld_portal.entrypoints.training import _course
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    attachment,
    finished,
    form_key_of,
    render,
)

router = APIRouter()
REG = Service.REGISTRATION
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTHING_TO_PAY = "nothing_to_pay"


def _readers(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER, Role.TRAINING_STAFF):
        raise NotAllowed


def _labour_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


def _is_day(typed: str) -> bool:
    try:
        dt.date.fromisoformat(typed)
    except ValueError:
        return False
    return True


def _today() -> str:
    return dt.datetime.now(VIETNAM).date().isoformat()


def _sheet_path(code: str) -> str:
    return f"/courses/{quote(code)}/support-sheet"


async def _sheet(portal: Portal, visitor: Visitor, code: str) -> tuple[Any, Refusal | None]:
    """The sheet, or why there is none yet (no tuition set, no policy in force)."""
    return await answer_or_refusal(portal.api.get(REG, _sheet_path(code), token=visitor.token))


async def _page(
    request: Request, portal: Portal, visitor: Visitor, code: str, attempt: Attempt
) -> Response:
    course = await _course(portal, visitor, code)
    sheet, missing = await _sheet(portal, visitor, code)
    return render(
        request,
        portal,
        "support_sheet.html",
        visitor=visitor,
        status_code=attempt.status,
        course=course,
        sheet=sheet,
        missing=missing,
        attempt=attempt,
        nothing_to_pay=bool(attempt.refusal and attempt.refusal.code == NOTHING_TO_PAY),
        may_pay=visitor.can(Role.LABOUR_OFFICER),
        statuses=rural.SHEET_STATUSES,
        today=_today(),
    )


@router.get("/courses/{code}/support")
async def support_sheet(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    _readers(visitor)
    return await _page(request, portal, visitor, code, Attempt())


@router.get("/courses/{code}/support.xlsx")
async def support_sheet_xlsx(code: str, portal: PortalDep, visitor: VisitorDep) -> Response:
    """Registration's own printable workbook, passed on as it is."""
    _readers(visitor)
    params = {"format": "xlsx"}
    body, _ = await portal.api.raw(REG, _sheet_path(code), token=visitor.token, params=params)
    return attachment(body, XLSX, f"bang-ke-{quote(code)}.xlsx", no_store=True)


@router.post("/courses/{code}/support/terms")
async def set_terms(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _labour_only(visitor)
    key = form_key_of(form)
    try:
        await portal.api.send(
            REG,
            "PUT",
            f"/courses/{quote(code)}/support-terms",
            token=visitor.token,
            json=rural.terms_body(form),
            key=key,
        )
    except Refusal as refused:
        return await _page(request, portal, visitor, code, Attempt("terms", key, form, refused))
    return finished(request, f"/courses/{quote(code)}/support", key)


@router.post("/courses/{code}/support/confirm")
async def confirm_payment(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    """The confirmation step: what would be paid, nothing sent yet. The key travels on."""
    _labour_only(visitor)
    key = form_key_of(form)
    course = await _course(portal, visitor, code)
    sheet, missing = await _sheet(portal, visitor, code)
    refused = _not_payable(missing, forms.text(form, "paid_on"))
    if refused is not None:
        return await _page(request, portal, visitor, code, Attempt("pay", key, form, refused))
    due = [line for line in sheet["lines"] if line["status"] == "due"]
    return render(
        request,
        portal,
        "support_pay.html",
        visitor=visitor,
        course=course,
        sheet=sheet,
        due=due,
        paid_on=forms.text(form, "paid_on"),
        form_key=key,
    )


def _not_payable(missing: Refusal | None, paid_on: str) -> Refusal | None:
    """Why nothing can be paid yet: the course has no sheet, or the day typed is not a date."""
    if missing is not None:
        return missing
    if not _is_day(paid_on):
        return refusal("paid_on", "Ngày chi trả không hợp lệ", "This is not a date")
    return None


@router.post("/courses/{code}/support/payments")
async def record_payment(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _labour_only(visitor)
    key = form_key_of(form)
    try:
        await portal.api.send(
            REG,
            "POST",
            f"/courses/{quote(code)}/support-payments",
            token=visitor.token,
            json={"paid_on": forms.text(form, "paid_on")},
            key=key,
        )
    except Refusal as refused:
        # Nobody left to pay is news, not a mistake in the form: said politely above the sheet,
        # and the payment form gets a fresh key.
        which = "nothing-to-pay" if refused.code == NOTHING_TO_PAY else "pay"
        return await _page(request, portal, visitor, code, Attempt(which, key, form, refused))
    return finished(request, f"/courses/{quote(code)}/support", key)
