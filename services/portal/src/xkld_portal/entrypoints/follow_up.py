"""The follow-up worklist (issue 17): workers abroad not heard from in N days, the longest
silence first, each linking to the file where the officer records the check-in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed
from xkld_portal.application.ports import Service
from xkld_portal.domain.staff_forms import whole_within
from xkld_portal.entrypoints.staff_common import answer_or_refusal
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
Days = Annotated[str | None, Query(max_length=5)]


def _days(asked: str | None) -> int | None:
    """A number of days as typed (1 to 3650), else none: the service's own default (90)."""
    return whole_within(asked, 1, 3650)


@router.get("/follow-up/silent-abroad")
async def silent_abroad(
    request: Request, portal: PortalDep, visitor: VisitorDep, days: Days = None
) -> Response:
    if not visitor.can(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER):
        raise NotAllowed
    asked = _days(days)
    context = await _worklist(portal, visitor, asked)
    return render(
        request,
        portal,
        "follow_up_silent.html",
        visitor=visitor,
        status_code=context["refusal"].status if context["refusal"] else 200,
        days=asked or "",
        **context,
    )


async def _worklist(portal: Portal, visitor: Visitor, asked: int | None) -> dict[str, Any]:
    """Who is abroad and silent for the days asked, or the service's refusal."""
    params = {"silent_days": asked} if asked else None
    worklist, refusal = await answer_or_refusal(
        portal.api.get(
            Service.REGISTRATION,
            "/registrations/follow-up/silent-abroad",
            token=visitor.token,
            params=params,
        )
    )
    return {"worklist": worklist, "refusal": refusal}
