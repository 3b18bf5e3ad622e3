"""The labour officer's markets: destination markets, their age limits and typical cost; one
form adds a market or, opened from a row, edits it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
Edited = Annotated[str | None, Query(max_length=40)]


def _labour_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


def _as_typed(market: dict[str, Any] | None) -> dict[str, str]:
    """A market as its form shows it, so editing starts from what is recorded."""
    if market is None:
        return {"active": "true"}
    shown = {k: "" if v is None else str(v) for k, v in market.items()}
    return shown | {"active": "true" if market.get("active") else ""}


async def _page(
    request: Request, portal: Portal, visitor: Visitor, edit: str | None, attempt: Attempt
) -> Response:
    listed = await portal.api.get(Service.REGISTRATION, "/markets", token=visitor.token)
    edited = next((m for m in listed if m["code"] == edit), None)
    if attempt.form is None:
        attempt = Attempt("market", attempt.key("market"), _as_typed(edited))
    return render(
        request,
        portal,
        "markets.html",
        visitor=visitor,
        status_code=attempt.status,
        markets=listed,
        editing=edited is not None,
        attempt=attempt,
    )


@router.get("/markets")
async def markets(
    request: Request, portal: PortalDep, visitor: VisitorDep, edit: Edited = None
) -> Response:
    _labour_only(visitor)
    return await _page(request, portal, visitor, edit, Attempt())


@router.post("/markets")
async def save(request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep) -> Response:
    _labour_only(visitor)
    key = form_key_of(form)
    body = forms.market_body(form)
    try:
        await portal.api.send(
            Service.REGISTRATION, "POST", "/markets", token=visitor.token, json=body, key=key
        )
    except Refusal as refused:
        attempt = Attempt("market", key, form, refused)
        return await _page(request, portal, visitor, forms.optional(form, "editing"), attempt)
    return finished(request, "/markets", key)
