"""The labour officer's enterprise reputation screen (issue 17): per enterprise, workers sent,
contracts completed, early returns, absconding, complaints and fees against the cap, with the
flags reporting raised, beside each licence; and the form that records a complaint. Aggregates
only: no worker is named."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.clock import VIETNAM
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import EARLY_CAUSES
from xkld_portal.domain.reputation import (
    COMPLAINT_CATEGORIES,
    FLAGS,
    complaint_body,
    with_licences,
)
from xkld_portal.domain.staff_forms import LICENCE_STATES
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
PAGE = "/enterprise-reputation"


def _no_enterprise() -> Refusal:
    return Refusal(
        422,
        "Hãy chọn doanh nghiệp bị khiếu nại",
        "Choose the enterprise the complaint is about",
        {"enterprise_code": ("Hãy chọn doanh nghiệp", "Choose an enterprise")},
    )


def _labour_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


def _with_complaint_form(attempt: Attempt) -> Attempt:
    """Unless a form was refused, the page's attempt is the complaint form's, with a fresh key."""
    if attempt.form is None:
        return Attempt("complaint", attempt.key("complaint"), {})
    return attempt


async def _page(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    report = await portal.api.get(Service.REPORTING, "/reports/enterprises", token=visitor.token)
    listed = await portal.api.get(Service.REGISTRATION, "/enterprises", token=visitor.token)
    today = dt.datetime.now(VIETNAM).date()
    attempt = _with_complaint_form(attempt)
    return render(
        request,
        portal,
        "enterprise_reputation.html",
        visitor=visitor,
        status_code=attempt.status,
        report=report,
        lines=with_licences(report["enterprises"], listed, today),
        enterprises=[(e["code"], f"{e['code']} – {e['name']}") for e in listed],
        attempt=attempt,
        today=today.isoformat(),
        flags=FLAGS,
        categories=COMPLAINT_CATEGORIES,
        causes=EARLY_CAUSES,
        licences=LICENCE_STATES,
    )


@router.get(PAGE)
async def enterprise_reputation(
    request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    _labour_only(visitor)
    return await _page(request, portal, visitor, Attempt())


@router.post(f"{PAGE}/complaints")
async def record_complaint(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _labour_only(visitor)
    key = form_key_of(form)
    code = forms.text(form, "enterprise_code")
    try:
        if not code:
            raise _no_enterprise()
        await portal.api.send(
            Service.REGISTRATION,
            "POST",
            f"/enterprises/{quote(code, safe='')}/complaints",
            token=visitor.token,
            json=complaint_body(form),
            key=key,
        )
    except Refusal as refused:
        return await _page(request, portal, visitor, Attempt("complaint", key, form, refused))
    return finished(request, PAGE, key)
