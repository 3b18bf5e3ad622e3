"""The labour officer's enterprises: licensed service enterprises and their licences (add,
renew, revoke)."""

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
from xkld_portal.domain import staff_forms as forms
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
REG = Service.REGISTRATION


def _labour_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


async def _page(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    today = dt.datetime.now(VIETNAM).date()
    listed = await portal.api.get(REG, "/enterprises", token=visitor.token)
    for enterprise in listed:
        enterprise["state"] = forms.licence_state(enterprise, today)
    return render(
        request,
        portal,
        "enterprises.html",
        visitor=visitor,
        status_code=attempt.status,
        enterprises=listed,
        attempt=attempt,
        states=forms.LICENCE_STATES,
    )


@router.get("/enterprises")
async def enterprises(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _labour_only(visitor)
    return await _page(request, portal, visitor, Attempt())


async def _send(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    form: dict[str, Any],
    sent: tuple[str, str, dict[str, Any]],
) -> Response:
    """`sent` is (the page's name for the form, the service's path, the body)."""
    _labour_only(visitor)
    which, path, body = sent
    key = form_key_of(form)
    try:
        await portal.api.send(REG, "POST", path, token=visitor.token, json=body, key=key)
    except Refusal as refused:
        return await _page(request, portal, visitor, Attempt(which, key, form, refused))
    return finished(request, "/enterprises", key)


@router.post("/enterprises/new")
async def add(request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep) -> Response:
    sent = ("new", "/enterprises", forms.enterprise_body(form))
    return await _send(request, portal, visitor, form, sent)


@router.post("/enterprises/{code}/licence")
async def renew(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    sent = (f"licence-{code}", f"/enterprises/{quote(code)}/licence", forms.licence_body(form))
    return await _send(request, portal, visitor, form, sent)


@router.post("/enterprises/{code}/revocation")
async def revoke(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    path = f"/enterprises/{quote(code)}/revocation"
    sent = (f"revoke-{code}", path, forms.revocation_body(form))
    return await _send(request, portal, visitor, form, sent)
