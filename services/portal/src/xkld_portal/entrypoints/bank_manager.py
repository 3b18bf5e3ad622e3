"""The bank manager's screens: the proposals to confirm (never one's own: maker-checker, which
the loans service enforces too), one proposal's decision page, and the portfolio by commune or
regime with its CSV and XLSX exports (made by the loans service)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import bank
from xkld_portal.domain.staff_forms import optional, text
from xkld_portal.entrypoints.staff_common import (
    Attempt,
    answer_or_refusal,
    finished,
    form_key_of,
)
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
GroupBy = Literal["commune", "regime"]
EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def manager_only(visitor: Visitor) -> None:
    if not visitor.can(Role.BANK_MANAGER):
        raise NotAllowed


@router.get("/loans/proposals")
async def proposals(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    manager_only(visitor)
    rows = await portal.api.get(
        Service.LOANS, "/work-queues/proposals-to-confirm", token=visitor.token
    )
    return render(request, portal, "proposals.html", visitor=visitor, rows=rows)


async def _decision_page(
    request: Request, portal: Portal, visitor: Visitor, lid: uuid.UUID, attempt: Attempt
) -> Response:
    app = await portal.api.get(Service.LOANS, f"/loan-applications/{lid}", token=visitor.token)
    proposal = app.get("proposal") or {}
    if proposal.get("proposed_by") == visitor.principal.subject:
        raise NotAllowed  # maker-checker: one's own proposal is not one's to confirm
    return render(
        request,
        portal,
        "decision.html",
        visitor=visitor,
        status_code=attempt.status,
        app=app,
        attempt=attempt,
        labels=bank,
    )


@router.get("/loans/{lid}/decision")
async def decision_page(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    manager_only(visitor)
    return await _decision_page(request, portal, visitor, lid, Attempt())


def _decision(form: dict[str, Any], agree: bool) -> dict[str, Any]:
    return {"agree": True} if agree else {"agree": False, "reason": optional(form, "reason")}


async def _send_decision(
    portal: Portal, visitor: Visitor, lid: uuid.UUID, decision: dict[str, Any], key: str
) -> None:
    path = f"/loan-applications/{lid}/decision"
    await portal.api.send(Service.LOANS, "POST", path, token=visitor.token, json=decision, key=key)


@router.post("/loans/{lid}/decision")
async def decide(
    lid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    manager_only(visitor)
    key = form_key_of(form)
    agree = text(form, "agree") == "true"
    try:
        await _send_decision(portal, visitor, lid, _decision(form, agree), key)
    except Refusal as refused:
        name = "confirm" if agree else "send-back"
        return await _decision_page(
            request, portal, visitor, lid, Attempt(name, key, form, refused)
        )
    return finished(request, "/loans/proposals", key)


def _portfolio_params(as_of: str | None, by: GroupBy) -> dict[str, Any]:
    return {"by": by} | ({"as_of": as_of} if as_of else {})


@router.get("/loans/portfolio")
async def portfolio(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    as_of: Annotated[str | None, Query(max_length=10)] = None,
    by: GroupBy = "commune",
) -> Response:
    manager_only(visitor)
    params = _portfolio_params(as_of, by)
    report, refusal = await answer_or_refusal(
        portal.api.get(Service.LOANS, "/portfolio", token=visitor.token, params=params)
    )
    return render(
        request,
        portal,
        "portfolio.html",
        visitor=visitor,
        status_code=refusal.status if refusal else 200,
        report=report,
        refusal=refusal,
        as_of=as_of or "",
        by=by,
        buckets=bank.AGE_BUCKETS,
        percent=bank.percent,
    )


@router.get("/loans/portfolio.{kind}")
async def portfolio_export(
    kind: Literal["csv", "xlsx"],
    portal: PortalDep,
    visitor: VisitorDep,
    as_of: Annotated[str | None, Query(max_length=10)] = None,
    by: GroupBy = "commune",
) -> Response:
    manager_only(visitor)
    params = _portfolio_params(as_of, by) | {"format": kind}
    body, _ = await portal.api.raw(Service.LOANS, "/portfolio", token=visitor.token, params=params)
    name = f"du-no-{by}-{as_of or 'hom-nay'}.{kind}"
    return attachment(body, EXPORTS[kind], name, no_store=True)
