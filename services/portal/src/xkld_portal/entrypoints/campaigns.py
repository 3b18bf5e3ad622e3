"""Outreach campaigns (issue 16): the campaigns of the reader's area, a campaign created as a
draft (goal, target groups, communes, channels, period, template), and a campaign's page with
its status, meetings and the buttons that start and end it. Commune officers work inside their
communes, labour officers in their province; outreach scopes every answer."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import campaigns as cp
from xkld_portal.domain import labels
from xkld_portal.domain import survey as sv
from xkld_portal.domain.steps import Problem
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of, refusal
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
CAMPAIGNS = "/campaigns"


def campaign_path(campaign_id: uuid.UUID | str) -> str:
    return f"{CAMPAIGNS}/{campaign_id}"


def choices() -> dict[str, Any]:
    return {
        "channels": cp.CHANNELS,
        "statuses": cp.STATUS,
        "groups": labels.PRIORITY_GROUPS,
        "age_bands": sv.AGE_BANDS,
        "labels": labels,
    }


_VI = {
    "This field is required": "Trường này bắt buộc",
    "Choose at least one": "Hãy chọn ít nhất một mục",
    "One parameter a line: name=value": "Mỗi dòng một tham số: tên=giá trị",
}


def first_refused(problems: list[Problem]) -> Refusal:
    """The portal's own refusal of a form, before anything is sent, in both languages."""
    first = problems[0]
    return refusal(first.name, _VI.get(first.message, first.message), first.message)


async def _list(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    shown = await portal.api.get(Service.OUTREACH, CAMPAIGNS, token=visitor.token)
    templates = await portal.api.get(Service.OUTREACH, "/message-templates", token=visitor.token)
    return render(
        request,
        portal,
        "campaigns.html",
        visitor=visitor,
        status_code=attempt.status,
        campaigns=shown,
        templates=templates,
        communes=sorted(visitor.principal.scope.communes),
        attempt=attempt,
        **choices(),
    )


@router.get(CAMPAIGNS)
async def campaigns_page(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    officers_only(visitor)
    return await _list(request, portal, visitor, Attempt())


@router.post(CAMPAIGNS)
async def create_campaign(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officers_only(visitor)
    key = form_key_of(form)
    parsed = cp.campaign_body(form)
    try:
        if parsed.problems:
            raise first_refused(parsed.problems)
        made = await portal.api.send(
            Service.OUTREACH, "POST", CAMPAIGNS, token=visitor.token, json=parsed.body, key=key
        )
    except Refusal as refused:
        return await _list(request, portal, visitor, Attempt("campaign", key, form, refused))
    return finished(request, campaign_path(made["campaign_id"]), key)


async def _campaign(
    request: Request, portal: Portal, visitor: Visitor, campaign_id: uuid.UUID, attempt: Attempt
) -> Response:
    shown = await portal.api.get(Service.OUTREACH, campaign_path(campaign_id), token=visitor.token)
    return render(
        request,
        portal,
        "campaign.html",
        visitor=visitor,
        status_code=attempt.status,
        campaign=shown,
        next_status=cp.NEXT_STATUS.get(shown["status"]),
        attempt=attempt,
        **choices(),
    )


@router.get(CAMPAIGNS + "/{campaign_id}")
async def campaign_page(
    campaign_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    return await _campaign(request, portal, visitor, campaign_id, Attempt())


@router.post(CAMPAIGNS + "/{campaign_id}/status")
async def set_status(
    campaign_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officers_only(visitor)
    key = form_key_of(form)
    wanted = cp.text(form, "status")
    try:
        if wanted not in ("active", "closed"):
            raise refusal("status", "Trạng thái không hợp lệ", "Not a campaign status")
        # Not keyed by outreach: a second start or end is its 409, shown like any refusal.
        await portal.api.send(
            Service.OUTREACH,
            "POST",
            f"{campaign_path(campaign_id)}/status",
            token=visitor.token,
            json={"status": wanted},
        )
    except Refusal as refused:
        attempt = Attempt("status", key, form, refused)
        return await _campaign(request, portal, visitor, campaign_id, attempt)
    return finished(request, campaign_path(campaign_id), key)
