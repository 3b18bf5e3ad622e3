"""The trainees' answers to the SMS asking about work after training: what each said, when, for
which course. It is the trainee's own word: each links to the trainee's page, where the commune
officer confirms it as an employment outcome (or calls them when the text was not understood).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.rural_reports import OUTCOMES
from xkld_portal.entrypoints.staff_common import answer_or_refusal
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=20)]
LIMIT = 200


def _since(asked: str | None) -> str | None:
    """A day typed as the date field sends it, else none (every reply, newest first)."""
    try:
        return dt.date.fromisoformat((asked or "").strip()).isoformat()
    except ValueError:
        return None


async def _courses(portal: Portal, visitor: Visitor) -> dict[str, dict[str, Any]]:
    """Courses by id, to name each reply's course; without them the page still lists replies."""
    try:
        listed = await portal.api.get(Service.REGISTRATION, "/courses", token=visitor.token)
    except (Refusal, NotAllowed, NothingHere):
        return {}
    return {str(c.get("id")): c for c in listed}


@router.get("/sms/trainee-replies")
async def replies(
    request: Request, portal: PortalDep, visitor: VisitorDep, since: Text = None
) -> Response:
    if not visitor.can(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER):
        raise NotAllowed
    day = _since(since)
    context = await _replies(portal, visitor, day)
    return render(
        request,
        portal,
        "trainee_replies.html",
        visitor=visitor,
        status_code=context["refusal"].status if context["refusal"] else 200,
        since=day or "",
        limit=LIMIT,
        outcomes=OUTCOMES,
        **context,
    )


async def _replies(portal: Portal, visitor: Visitor, day: str | None) -> dict[str, Any]:
    """The replies since the day and their courses, or the service's refusal."""
    params: dict[str, Any] = {"limit": LIMIT} | ({"since": day} if day else {})
    found, refusal = await answer_or_refusal(
        portal.api.get(
            Service.NOTIFICATIONS, "/sms/trainee-replies", token=visitor.token, params=params
        )
    )
    courses = await _courses(portal, visitor) if found else {}
    return {"replies": found, "refusal": refusal, "courses": courses}
