"""The officers' follow-up lists after issue 17: the check-in replies nobody could read (each
marked handled with a note), the reintegration outcomes due, and the success stories of their
communes. Notifications and registration scope each list; the portal shows what they answer."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.outcomes import CHECKPOINTS
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.staff_common import (
    Attempt,
    answer_or_refusal,
    finished,
    form_key_of,
)
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
Short = Annotated[str | None, Query(max_length=5)]
INBOX = "/sms/check-in-replies"


def _within(asked: str | None) -> int | None:
    """Days ahead, 0 to 90, as typed; else none (the service's default, 14)."""
    return forms.whole_within(asked, 0, 90)


async def _replies(portal: Portal, visitor: Visitor, handled: bool) -> Any:
    params = {"handled": "true" if handled else "false"}
    return await portal.api.get(Service.NOTIFICATIONS, INBOX, token=visitor.token, params=params)


async def _inbox(
    request: Request, portal: Portal, visitor: Visitor, handled: bool, attempt: Attempt
) -> Response:
    replies = await _replies(portal, visitor, handled)
    return render(
        request,
        portal,
        "check_in_replies.html",
        visitor=visitor,
        status_code=attempt.status,
        replies=replies,
        handled=handled,
        attempt=attempt,
    )


@router.get(INBOX)
async def check_in_replies(
    request: Request, portal: PortalDep, visitor: VisitorDep, handled: Short = None
) -> Response:
    officers_only(visitor)
    return await _inbox(request, portal, visitor, handled == "true", Attempt())


async def _send_handled(
    portal: Portal, visitor: Visitor, reply_id: uuid.UUID, body: dict[str, Any], key: str
) -> None:
    path = f"{INBOX}/{reply_id}/handled"
    await portal.api.send(
        Service.NOTIFICATIONS, "POST", path, token=visitor.token, json=body, key=key
    )


@router.post(INBOX + "/{reply_id}/handled")
async def mark_handled(
    reply_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officers_only(visitor)
    key = form_key_of(form)
    note = forms.optional(form, "note")
    try:
        await _send_handled(portal, visitor, reply_id, {"note": note} if note else {}, key)
    except Refusal as refused:
        attempt = Attempt(f"reply-{reply_id}", key, form, refused)
        return await _inbox(request, portal, visitor, False, attempt)
    return finished(request, INBOX, key)


async def _due(portal: Portal, visitor: Visitor, asked: int | None) -> dict[str, Any]:
    """Who is due a reintegration check within the days asked, or the service's refusal."""
    due, refusal = await answer_or_refusal(
        portal.api.get(
            Service.REGISTRATION,
            "/registrations/follow-up/reintegration-due",
            token=visitor.token,
            params=None if asked is None else {"within_days": asked},
        )
    )
    return {"due": due, "refusal": refusal}


@router.get("/follow-up/reintegration-due")
async def reintegration_due(
    request: Request, portal: PortalDep, visitor: VisitorDep, within: Short = None
) -> Response:
    officers_only(visitor)
    asked = _within(within)
    context = await _due(portal, visitor, asked)
    return render(
        request,
        portal,
        "reintegration_due.html",
        visitor=visitor,
        status_code=context["refusal"].status if context["refusal"] else 200,
        within="" if asked is None else asked,
        checkpoints=CHECKPOINTS,
        **context,
    )


@router.get("/success-stories")
async def success_stories(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    officers_only(visitor)
    stories = await portal.api.get(Service.REGISTRATION, "/success-stories", token=visitor.token)
    return render(request, portal, "success_stories.html", visitor=visitor, stories=stories)
