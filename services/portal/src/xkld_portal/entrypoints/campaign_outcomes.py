"""What a campaign sends and what came of it (issue 16): the loudspeaker text printed through
the portal, a broadcast confirmed with its audience size and sent once, the recipients'
outcomes (never a phone) and the funnel by priority group, downloadable as CSV or XLSX."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.application.errors import NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import campaigns as cp
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.campaign_meetings import respondents_in
from xkld_portal.entrypoints.campaigns import campaign_path, choices
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of, refusal
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    attachment,
    printable,
    render,
)

router = APIRouter()
OUT = Service.OUTREACH
# Added before outreach's own </head>: on paper the page uses the whole sheet, and a paragraph
# of the text is not split across two sheets (it is read out aloud from the printout).
_PRINT_STYLE = (
    b"<style>@media print{body{max-width:none;margin:0}p{break-inside:avoid}"
    b"@page{margin:2cm}}</style>"
)
_EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/campaigns/{campaign_id}/announcement")
async def announcement(campaign_id: uuid.UUID, portal: PortalDep, visitor: VisitorDep) -> Response:
    """Outreach's printable page, fetched with the reader's token and passed on."""
    officers_only(visitor)
    page, _ = await portal.api.raw(
        OUT, f"{campaign_path(campaign_id)}/announcement", token=visitor.token
    )
    return printable(page.replace(b"</head>", _PRINT_STYLE + b"</head>", 1))


async def _broadcast(
    request: Request, portal: Portal, visitor: Visitor, campaign_id: uuid.UUID, attempt: Attempt
) -> Response:
    path = campaign_path(campaign_id)
    campaign = await portal.api.get(OUT, path, token=visitor.token)
    sent = await portal.api.get(OUT, f"{path}/recipients", token=visitor.token)
    already = {r["respondent_id"] for r in sent["recipients"]}
    people = await respondents_in(portal, visitor, list(campaign["communes"]))
    return render(
        request,
        portal,
        "campaign_broadcast.html",
        visitor=visitor,
        status_code=attempt.status,
        campaign=campaign,
        audience=cp.audience_size(campaign, people, already),
        routes=cp.ROUTES,
        attempt=attempt,
        **choices(),
    )


@router.get("/campaigns/{campaign_id}/broadcast")
async def broadcast_page(
    campaign_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    return await _broadcast(request, portal, visitor, campaign_id, Attempt())


@router.post("/campaigns/{campaign_id}/broadcast")
async def send_broadcast(
    campaign_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    """The form's key is the Idempotency-Key: a second click, or a retry, sends nothing more."""
    officers_only(visitor)
    key = form_key_of(form)
    route = cp.text(form, "route")
    path = f"{campaign_path(campaign_id)}/broadcasts"
    try:
        if route not in cp.ROUTES:
            raise refusal("route", "Hãy chọn cách gửi", "Choose how to send")
        await portal.api.send(
            OUT, "POST", path, token=visitor.token, json={"route": route}, key=key
        )
    except Refusal as refused:
        attempt = Attempt("broadcast", key, form, refused)
        return await _broadcast(request, portal, visitor, campaign_id, attempt)
    return finished(request, f"{campaign_path(campaign_id)}/outcomes", key)


@router.get("/campaigns/{campaign_id}/outcomes")
async def outcomes_page(
    campaign_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    path = campaign_path(campaign_id)
    return render(
        request,
        portal,
        "campaign_outcomes.html",
        visitor=visitor,
        campaign=await portal.api.get(OUT, path, token=visitor.token),
        sent=await portal.api.get(OUT, f"{path}/recipients", token=visitor.token),
        funnel=await portal.api.get(OUT, f"{path}/funnel", token=visitor.token),
        outcomes=cp.OUTCOMES,
        stages=cp.STAGES,
        routes=cp.ROUTES,
        **choices(),
    )


@router.get("/campaigns/{campaign_id}/funnel.{kind}")
async def funnel_export(
    campaign_id: uuid.UUID, kind: str, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    if kind not in _EXPORTS:
        raise NothingHere
    body, _ = await portal.api.raw(
        OUT, f"{campaign_path(campaign_id)}/funnel", token=visitor.token, params={"format": kind}
    )
    return attachment(body, _EXPORTS[kind], f"pheu-chien-dich-{campaign_id}.{kind}")
