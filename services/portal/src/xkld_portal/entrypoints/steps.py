"""Taking a journey step from the file page: the small form is read, sent once with its own
Idempotency-Key, and the file shown again, with the service's message in place if refused."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import N_
from xkld_portal.domain.steps import BY_PATH, Problem, Step, parse
from xkld_portal.entrypoints.file_page import load_file, show_file
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    finished,
    form_key_of,
)

router = APIRouter()


def _allowed_step(path: str, visitor: Visitor) -> Step:
    step = BY_PATH.get(path)
    if step is None:
        raise NothingHere
    if not step.roles & set(visitor.principal.roles):
        raise NotAllowed
    return step


async def _file_again(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    rid: uuid.UUID,
    shown: dict[str, Any],
    refusal: Refusal | None = None,
) -> Response:
    """The file again with the step's form open: refused by the service, or by its own
    problems (422)."""
    loaded = await load_file(portal.api, visitor, rid)
    status = refusal.status if refusal else 422
    return show_file(request, portal, visitor, loaded, refusal=refusal, status_code=status, **shown)


@router.post("/files/{rid}/steps/{path:path}")
async def take_step(
    rid: uuid.UUID,
    path: str,
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    form: FormDep,
) -> Response:
    parsed = parse(_allowed_step(path, visitor), form)
    key = form_key_of(form)
    shown = {"open_step": path, "problems": parsed.problems, "typed": form, "form_key": key}
    if parsed.problems:
        return await _file_again(request, portal, visitor, rid, shown)
    try:
        await _send(portal, visitor, f"/registrations/{rid}/{path}", parsed.body, key)
    except Refusal as refused:
        return await _file_again(request, portal, visitor, rid, shown, refused)
    return finished(request, f"/files/{rid}", key)


async def _send(portal: Portal, visitor: Visitor, path: str, body: Any, key: str) -> None:
    await portal.api.send(
        Service.REGISTRATION, "POST", path, token=visitor.token, json=body, key=key
    )


@router.post("/files/{rid}/erasure")
async def erase(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    key = form_key_of(form)
    shown = {"open_step": "erasure", "form_key": key}
    if form.get("confirm") != "true":
        missing = [Problem("confirm", N_("Tick the box to confirm"))]
        return await _file_again(request, portal, visitor, rid, shown | {"problems": missing})
    try:
        await portal.api.send(
            Service.REGISTRATION, "POST", f"/registrations/{rid}/erasure", token=visitor.token
        )
    except Refusal as refused:
        return await _file_again(request, portal, visitor, rid, shown, refused)
    return finished(request, f"/files/{rid}", key)


@router.post("/files/{rid}/sms-opt-out")
async def sms_opt_out(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    opted_out = form.get("opted_out") == "true"
    await portal.api.send(
        Service.NOTIFICATIONS,
        "POST",
        f"/sms/contacts/{rid}/opt-out",
        token=visitor.token,
        json={"opted_out": opted_out},
    )
    return finished(request, f"/files/{rid}#sms")
