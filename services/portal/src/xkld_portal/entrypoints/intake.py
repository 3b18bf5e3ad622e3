"""A new file: every intake field, the commune picker, priority groups and consents, sent once
with the form's own Idempotency-Key; the service's message shown beside the field it concerns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import labels
from xkld_portal.domain.intake import PURPOSES, intake_body
from xkld_portal.domain.steps import Problem
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    finished,
    form_key_of,
    form_status,
    new_form_key,
    problem_messages,
    render,
)

router = APIRouter()
DUPLICATE = "duplicate_active_registration"


async def _show(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    *,
    typed: dict[str, Any],
    form_key: str,
    refusal: Refusal | None = None,
    problems: list[Problem] | None = None,
    existing: list[dict[str, Any]] | None = None,
) -> Response:
    markets = await portal.api.get(Service.REGISTRATION, "/markets", token=visitor.token)
    return render(
        request,
        portal,
        "intake.html",
        visitor=visitor,
        status_code=form_status(refusal, problems),
        typed=typed,
        form_key=form_key,
        refusal=refusal,
        problems=problem_messages(problems),
        existing=existing or [],
        markets=markets,
        labels=labels,
        purposes=PURPOSES,
    )


show_intake = _show  # the survey's conversion shows this same form, pre-filled


@router.get("/files/new")
async def intake_page(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    typed = {"consents": ["registration_processing"]}
    return await _show(request, portal, visitor, typed=typed, form_key=new_form_key())


@router.post("/files/new")
async def submit(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    key = form_key_of(form)
    parsed = intake_body(form)
    if parsed.problems:
        return await _show(
            request, portal, visitor, typed=form, form_key=key, problems=parsed.problems
        )
    try:
        created = await _send(portal, visitor, parsed.body, key)
    except Refusal as refused:
        existing = await _existing_if_duplicate(portal, visitor, parsed.body, refused)
        return await _show(
            request, portal, visitor, typed=form, form_key=key, refusal=refused, existing=existing
        )
    return finished(request, f"/files/{created['registration_id']}", key)


async def _send(portal: Portal, visitor: Visitor, body: dict[str, Any], key: str) -> Any:
    return await portal.api.send(
        Service.REGISTRATION, "POST", "/registrations", token=visitor.token, json=body, key=key
    )


async def _existing_if_duplicate(
    portal: Portal, visitor: Visitor, body: dict[str, Any], refused: Refusal
) -> list[dict[str, Any]]:
    return await _existing(portal, visitor, body) if refused.code == DUPLICATE else []


async def _existing(portal: Portal, visitor: Visitor, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The file this CCCD already has, when it is in this officer's scope (else nothing)."""
    found = await portal.api.send(
        Service.REGISTRATION,
        "POST",
        "/registrations/search",
        token=visitor.token,
        json={"cccd": body["cccd"], "page_size": 5},
    )
    items: list[dict[str, Any]] = found["items"]
    return items


@router.get("/communes/suggest")
async def suggest_communes(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    commune_code: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    found = []
    if commune_code.strip():
        found = await portal.api.get(
            Service.REGISTRATION,
            "/communes",
            token=visitor.token,
            params={"q": commune_code.strip()},
        )
    return render(request, portal, "commune_suggestions.html", visitor=visitor, found=found)
