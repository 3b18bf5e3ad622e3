"""Taking a journey step from the file page: the small form is read, sent once with its own
Idempotency-Key, and the file shown again, with the service's message in place if refused."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import N_
from xkld_portal.domain.steps import BY_PATH, Problem, parse
from xkld_portal.entrypoints.file_page import load_file, show_file
from xkld_portal.entrypoints.web import (
    FormDep,
    PortalDep,
    VisitorDep,
    finished,
    form_key_of,
)

router = APIRouter()


@router.post("/files/{rid}/steps/{path:path}")
async def take_step(
    rid: uuid.UUID,
    path: str,
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    form: FormDep,
) -> Response:
    step = BY_PATH.get(path)
    if step is None:
        raise NothingHere
    if not step.roles & set(visitor.principal.roles):
        raise NotAllowed
    key = form_key_of(form)
    parsed = parse(step, form)
    refusal: Refusal | None = None
    if not parsed.problems:
        try:
            await portal.api.send(
                Service.REGISTRATION,
                "POST",
                f"/registrations/{rid}/{path}",
                token=visitor.token,
                json=parsed.body,
                key=key,
            )
            return finished(request, f"/files/{rid}", key)
        except Refusal as refused:
            refusal = refused
    loaded = await load_file(portal.api, visitor, rid)
    return show_file(
        request,
        portal,
        visitor,
        loaded,
        open_step=path,
        refusal=refusal,
        problems=parsed.problems,
        typed=form,
        form_key=key,
        status_code=refusal.status if refusal else 422,
    )


@router.post("/files/{rid}/erasure")
async def erase(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    key = form_key_of(form)
    if form.get("confirm") != "true":
        loaded = await load_file(portal.api, visitor, rid)
        missing = [Problem("confirm", N_("Tick the box to confirm"))]
        return show_file(
            request,
            portal,
            visitor,
            loaded,
            open_step="erasure",
            problems=missing,
            form_key=key,
            status_code=422,
        )
    try:
        await portal.api.send(
            Service.REGISTRATION, "POST", f"/registrations/{rid}/erasure", token=visitor.token
        )
    except Refusal as refused:
        loaded = await load_file(portal.api, visitor, rid)
        return show_file(
            request,
            portal,
            visitor,
            loaded,
            open_step="erasure",
            refusal=refused,
            form_key=key,
            status_code=refused.status,
        )
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
