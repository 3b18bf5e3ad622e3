"""A worker's file: details, the journey with a button for exactly the next allowed steps, the
departure checklist, the timeline, and the SMS sent, with the opt-out switch."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Api, Service
from xkld_portal.domain import labels
from xkld_portal.domain.history import history_lines
from xkld_portal.domain.steps import COST_LINES, Problem, Step, offered
from xkld_portal.entrypoints.web import (
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    printable_from,
    problem_messages,
    render,
)

router = APIRouter()
SMS_READERS = (Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER)


async def _optional(call: Any) -> Any:
    """Parts of the page another service may not show this role: left out, not an error."""
    try:
        return await call
    except (NotAllowed, NothingHere):
        return None


async def _reference(api: Api, visitor: Visitor, steps: list[Step]) -> dict[str, Any]:
    sources = {a.source for s in steps for a in s.asks} - {"fixed"}
    paths = {"enterprises": "/enterprises", "markets": "/markets", "courses": "/courses"}
    wanted = {s: paths[s] for s in sources if s in paths}
    got = await asyncio.gather(
        *(_optional(api.get(Service.REGISTRATION, p, token=visitor.token)) for p in wanted.values())
    )
    return dict(zip(wanted, got, strict=True))


async def _timeline_and_sms(api: Api, visitor: Visitor, rid: uuid.UUID) -> tuple[Any, Any, Any]:
    """The timeline, and the SMS sent and the contact for the roles that read them."""
    path = f"/registrations/{rid}"
    sms = visitor.can(*SMS_READERS)
    timeline, messages, contact = await asyncio.gather(
        _optional(api.get(Service.REGISTRATION, f"{path}/timeline", token=visitor.token)),
        _optional(api.get(Service.NOTIFICATIONS, f"/sms/messages/{rid}", token=visitor.token))
        if sms
        else asyncio.sleep(0, None),
        _optional(api.get(Service.NOTIFICATIONS, f"/sms/contacts/{rid}", token=visitor.token))
        if sms
        else asyncio.sleep(0, None),
    )
    return timeline, messages, contact


def _steps(visitor: Visitor, file: dict[str, Any], journey: dict[str, Any]) -> list[Step]:
    """The next steps this visitor may take; an erased file is not erased twice."""
    steps = offered(journey["next_steps"], frozenset(visitor.principal.roles))
    if file.get("erased_at"):
        steps = [s for s in steps if s.path != "erasure"]
    return steps


async def load_file(api: Api, visitor: Visitor, rid: uuid.UUID) -> dict[str, Any]:
    path = f"/registrations/{rid}"
    file, journey = await asyncio.gather(
        api.get(Service.REGISTRATION, path, token=visitor.token),
        api.get(Service.REGISTRATION, f"{path}/journey", token=visitor.token),
    )
    timeline, messages, contact = await _timeline_and_sms(api, visitor, rid)
    steps = _steps(visitor, file, journey)
    return {
        "file": file,
        "journey": journey,
        "history": history_lines(timeline or []),
        "messages": messages,
        "contact": contact,
        "steps": steps,
        "may_erase": "erasure" in journey["next_steps"] and not file.get("erased_at"),
        "reference": await _reference(api, visitor, steps),
    }


def show_file(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    loaded: dict[str, Any],
    *,
    open_step: str | None = None,
    refusal: Refusal | None = None,
    problems: list[Problem] | None = None,
    typed: dict[str, Any] | None = None,
    form_key: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        portal,
        "file.html",
        visitor=visitor,
        status_code=status_code,
        labels=labels,
        cost_lines=COST_LINES,
        open_step=open_step,
        refusal=refusal,
        problems=problem_messages(problems),
        typed=typed or {},
        form_key=form_key,
        **loaded,
    )


@router.get("/files/{rid}")
async def file_page(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    loaded = await load_file(portal.api, visitor, rid)
    return show_file(request, portal, visitor, loaded)


@router.get("/files/{rid}/consent-form")
async def consent_form(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    path = f"/registrations/{rid}/consents/print"
    return await printable_from(portal, visitor, Service.REGISTRATION, path)
