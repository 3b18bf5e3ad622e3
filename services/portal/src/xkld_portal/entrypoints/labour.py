"""The labour officer's eligibility queue: the province's submitted files, oldest first, each
with its decision: eligible, or rejected with a reason."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import PRIORITY_GROUPS
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    page_count,
    render,
)

router = APIRouter()
PAGE_SIZE = 25
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
_CHOICES = {"reasons": forms.REJECTION_REASONS, "priority_groups": PRIORITY_GROUPS}


def _labour_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


async def _queue(
    request: Request, portal: Portal, visitor: Visitor, page: int, attempt: Attempt
) -> Response:
    params = {"stage": "submitted", "sort": "submitted_on", "page": page, "page_size": PAGE_SIZE}
    files = await portal.api.get(
        Service.REGISTRATION, "/registrations", token=visitor.token, params=params
    )
    return render(
        request,
        portal,
        "eligibility.html",
        visitor=visitor,
        status_code=attempt.status,
        files=files,
        pages=page_count(int(files["total"]), PAGE_SIZE),
        attempt=attempt,
        **_CHOICES,
    )


@router.get("/eligibility")
async def queue(
    request: Request, portal: PortalDep, visitor: VisitorDep, page: PageNumber = 1
) -> Response:
    _labour_only(visitor)
    return await _queue(request, portal, visitor, page, Attempt())


def _page_of(form: dict[str, Any]) -> int:
    """The queue's page the form was sent from (the first if it says none)."""
    typed_page = forms.text(form, "page")
    return int(typed_page) if typed_page.isdigit() and int(typed_page) > 0 else 1


async def _send(
    portal: Portal, visitor: Visitor, path: str, body: dict[str, Any], key: str
) -> None:
    await portal.api.send(
        Service.REGISTRATION, "POST", path, token=visitor.token, json=body, key=key
    )


async def _decide(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    form: dict[str, Any],
    decision: tuple[str, uuid.UUID, dict[str, Any]],
) -> Response:
    """`decision` is (step, file, body); the form is named after both, so a refusal shows at the
    form that was sent and no other."""
    _labour_only(visitor)
    step, rid, body = decision
    key = form_key_of(form)
    page = _page_of(form)
    try:
        await _send(portal, visitor, f"/registrations/{rid}/{step}", body, key)
    except Refusal as refused:
        attempt = Attempt(f"{step}-{rid}", key, form, refused)
        return await _queue(request, portal, visitor, page, attempt)
    return finished(request, f"/eligibility?page={page}", key)


@router.post("/eligibility/{rid}/eligible")
async def eligible(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    return await _decide(request, portal, visitor, form, ("eligibility", rid, {}))


@router.post("/eligibility/{rid}/rejection")
async def reject(
    rid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    body = forms.rejection_body(form)
    return await _decide(request, portal, visitor, form, ("rejection", rid, body))
