"""A returned worker's page after the return (issue 17), linked from the file page: the support
owed after an early return (Law 69/2020 Art. 67) with a decision per item, the reintegration
outcome at 3 and 6 months, the household's poverty status, and the success story's editor with
its printable page. Registration decides every rule; this page asks and shows the answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from xkld_shared.clock import VIETNAM
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import outcomes as o
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    printable_from,
    render,
)

router = APIRouter()
ItemCode = Annotated[str, Path(pattern=r"^[a-z_]{1,60}$")]
# The stages after a return, and those of a completed contract (the service decides; these
# only spare the officer a form that would be refused).
RETURNED = ("returned_completed", "returned_early", "reintegration")
COMPLETED = ("returned_completed", "reintegration")
# What the page's forms offer to choose from.
_CHOICES = {
    "statuses": o.SUPPORT_STATUSES,
    "decisions": o.SUPPORT_DECISIONS,
    "outcomes": o.REINTEGRATION_OUTCOMES,
    "checkpoints": o.CHECKPOINTS,
    "poverty_statuses": o.POVERTY_STATUSES,
    "bases": o.POVERTY_BASES,
    "returned": RETURNED,
    "completed": COMPLETED,
}


def officers_only(visitor: Visitor) -> None:
    if not visitor.can(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER):
        raise NotAllowed


def page_of(rid: uuid.UUID) -> str:
    return f"/files/{rid}/after-return"


async def _part(portal: Portal, visitor: Visitor, path: str) -> Any:
    """A part the file's stage does not have (409) or that is not there (404) is left out."""
    try:
        return await portal.api.get(Service.REGISTRATION, path, token=visitor.token)
    except (NothingHere, Refusal):
        return None


async def _show(
    request: Request, portal: Portal, visitor: Visitor, rid: uuid.UUID, attempt: Attempt
) -> Response:
    context = await _read(portal, visitor, rid)
    today = dt.datetime.now(VIETNAM).date()
    return render(
        request,
        portal,
        "after_return.html",
        visitor=visitor,
        status_code=attempt.status,
        attempt=attempt,
        today=today.isoformat(),
        this_year=today.year,
        **_CHOICES,
        **context,
    )


async def _read(portal: Portal, visitor: Visitor, rid: uuid.UUID) -> dict[str, Any]:
    """The file and the parts after its return that its stage has."""
    base = f"/registrations/{rid}"
    file = await portal.api.get(Service.REGISTRATION, base, token=visitor.token)
    support, poverty, story = await asyncio.gather(
        _part(portal, visitor, f"{base}/return-support"),
        _part(portal, visitor, f"{base}/poverty-status"),
        _part(portal, visitor, f"{base}/success-story"),
    )
    written = (story or {}).get("story")
    return {
        "rid": rid,
        "file": file,
        "support": support,
        "poverty": poverty or [],
        "story": written,
        "story_typed": o.story_typed(written),
    }


@router.get("/files/{rid}/after-return")
async def after_return(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    return await _show(request, portal, visitor, rid, Attempt())


async def _send(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    rid: uuid.UUID,
    fid: str,
    form: dict[str, Any],
    call: tuple[str, str, Callable[[Any], dict[str, Any]]],
) -> Response:
    """Sends one form with its key; a refusal shows the page again with what was typed."""
    officers_only(visitor)
    method, path, body = call
    key = form_key_of(form)
    try:
        await portal.api.send(
            Service.REGISTRATION, method, path, token=visitor.token, json=body(form), key=key
        )
    except Refusal as refused:
        return await _show(request, portal, visitor, rid, Attempt(fid, key, form, refused))
    return finished(request, page_of(rid), key)


@router.post("/files/{rid}/after-return/support/{item_code}")
async def decide_support(
    rid: uuid.UUID,
    item_code: ItemCode,
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    form: FormDep,
) -> Response:
    path = f"/registrations/{rid}/return-support/{item_code}"
    call = ("POST", path, o.support_body)
    return await _send(request, portal, visitor, rid, f"support-{item_code}", form, call)


@router.post("/files/{rid}/after-return/reintegration")
async def record_reintegration(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    call = ("POST", f"/registrations/{rid}/reintegration-outcomes", o.reintegration_body)
    return await _send(request, portal, visitor, rid, "reintegration", form, call)


@router.post("/files/{rid}/after-return/poverty")
async def record_poverty(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    call = ("POST", f"/registrations/{rid}/poverty-status", o.poverty_body)
    return await _send(request, portal, visitor, rid, "poverty", form, call)


@router.post("/files/{rid}/after-return/story")
async def write_story(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    call = ("PUT", f"/registrations/{rid}/success-story", o.story_body)
    return await _send(request, portal, visitor, rid, "story", form, call)


@router.get("/files/{rid}/success-story")
async def printable_story(rid: uuid.UUID, portal: PortalDep, visitor: VisitorDep) -> Response:
    """Registration's printable page, passed on; it styles itself inline, as the consent form."""
    officers_only(visitor)
    path = f"/registrations/{rid}/success-story/print"
    return await printable_from(portal, visitor, Service.REGISTRATION, path)
