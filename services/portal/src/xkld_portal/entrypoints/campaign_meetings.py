"""A campaign's commune meeting recorded (issue 16): the date and place, the attendees ticked
among the commune's survey respondents (each with an "interested" tick), and the walk-ins who
were never surveyed. The respondents come from the commune's survey rounds."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import campaigns as cp
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.campaigns import campaign_path, choices, first_refused
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
NEW = "/campaigns/{campaign_id}/meetings/new"


async def respondents_in(
    portal: Portal, visitor: Visitor, communes: list[str]
) -> list[dict[str, Any]]:
    """The survey's members in these communes (of the rounds the reader may see)."""
    rounds = await portal.api.get(Service.OUTREACH, "/survey-rounds", token=visitor.token)
    shown = [
        await portal.api.get(
            Service.OUTREACH, f"/survey-rounds/{r['round_id']}", token=visitor.token
        )
        for r in rounds
        if r["commune_code"] in communes
    ]
    return cp.respondents(shown)


def _chosen_commune(campaign: dict[str, Any], asked: str | None) -> str:
    """The commune asked for when it is one of the campaign's; else its first."""
    communes: list[str] = sorted(campaign["communes"])
    return asked if asked in communes else communes[0]


async def _form(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    campaign_id: uuid.UUID,
    commune: str | None,
    attempt: Attempt,
) -> Response:
    campaign = await portal.api.get(
        Service.OUTREACH, campaign_path(campaign_id), token=visitor.token
    )
    chosen = _chosen_commune(campaign, commune)
    people = await respondents_in(portal, visitor, [chosen])
    return render(
        request,
        portal,
        "campaign_meeting.html",
        visitor=visitor,
        status_code=attempt.status,
        campaign=campaign,
        chosen=chosen,
        people=people,
        attended=set(cp.listed(attempt.typed, "attended")),
        interested=set(cp.listed(attempt.typed, "interested")),
        attempt=attempt,
        **choices(),
    )


@router.get(NEW)
async def meeting_form(
    campaign_id: uuid.UUID,
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    commune_code: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    officers_only(visitor)
    return await _form(request, portal, visitor, campaign_id, commune_code, Attempt())


@router.post(NEW)
async def record_meeting(
    campaign_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officers_only(visitor)
    key = form_key_of(form)
    parsed = cp.meeting_body(form)
    path = f"{campaign_path(campaign_id)}/meetings"
    try:
        if parsed.problems:
            raise first_refused(parsed.problems)
        await portal.api.send(
            Service.OUTREACH, "POST", path, token=visitor.token, json=parsed.body, key=key
        )
    except Refusal as refused:
        commune = cp.text(form, "commune_code")
        attempt = Attempt("meeting", key, form, refused)
        return await _form(request, portal, visitor, campaign_id, commune, attempt)
    return finished(request, campaign_path(campaign_id), key)
