"""The commune officer's screens for trainees who stay (học viên học nghề): the list with a
search by name or CCCD (a POST, so neither lands in a URL), the intake form, a trainee's page
with their one history and the employment-outcome form, and the reminders of outcomes due.
Labour officers and training centres may read the list and the pages; the services decide."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.clock import VIETNAM
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import labels, rural
from xkld_portal.domain.steps import Problem
from xkld_portal.entrypoints.staff_common import Attempt
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    finished,
    form_key_of,
    form_status,
    lookup_of,
    new_form_key,
    page_count,
    problem_messages,
    render,
)

router = APIRouter()
REG = Service.REGISTRATION
PAGE_SIZE = 25
DUPLICATE = "duplicate_trainee"
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def _readers_only(visitor: Visitor) -> None:
    if not visitor.can(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF):
        raise NotAllowed


def _officer_only(visitor: Visitor) -> None:
    if not visitor.can(Role.COMMUNE_OFFICER):
        raise NotAllowed


def _today() -> str:
    return dt.datetime.now(VIETNAM).date().isoformat()


async def _found(portal: Portal, visitor: Visitor, page: int, lookup: dict[str, str]) -> Any:
    """A page of trainees: a search by name or CCCD is posted, the list is read."""
    query = {"page": page, "page_size": PAGE_SIZE}
    if lookup:
        return await portal.api.send(
            REG, "POST", "/trainees/search", token=visitor.token, json=query | lookup
        )
    return await portal.api.get(REG, "/trainees", token=visitor.token, params=query)


async def _list(
    request: Request, portal: Portal, visitor: Visitor, page: int, lookup: dict[str, str]
) -> Response:
    found = await _found(portal, visitor, page, lookup)
    return render(
        request,
        portal,
        "trainees.html",
        visitor=visitor,
        found=found,
        lookup=lookup,
        pages=page_count(int(found["total"]), PAGE_SIZE),
        groups=rural.SUPPORT_GROUPS,
    )


@router.get("/trainees")
async def trainees(
    request: Request, portal: PortalDep, visitor: VisitorDep, page: PageNumber = 1
) -> Response:
    _readers_only(visitor)
    return await _list(request, portal, visitor, page, {})


@router.post("/trainees/search")
async def search(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _readers_only(visitor)
    return await _list(request, portal, visitor, _page_of(form), lookup_of(form))


def _page_of(form: dict[str, Any]) -> int:
    """The list's page the search was sent from (the first if it says none)."""
    typed_page = str(form.get("page") or "1")
    return int(typed_page) if typed_page.isdigit() and int(typed_page) > 0 else 1


async def _intake(
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
    return render(
        request,
        portal,
        "trainee_new.html",
        visitor=visitor,
        status_code=form_status(refusal, problems),
        typed=typed,
        form_key=form_key,
        refusal=refusal,
        problems=problem_messages(problems),
        existing=existing or [],
        labels=labels,
        groups=rural.SUPPORT_GROUPS,
        purposes=rural.TRAINEE_PURPOSES,
    )


@router.get("/trainees/new")
async def intake_page(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _officer_only(visitor)
    typed = {"consents": ["registration_processing"]}
    return await _intake(request, portal, visitor, typed=typed, form_key=new_form_key())


@router.post("/trainees/new")
async def take_in(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _officer_only(visitor)
    key = form_key_of(form)
    parsed = rural.trainee_body(form)
    if parsed.problems:
        return await _intake(
            request, portal, visitor, typed=form, form_key=key, problems=parsed.problems
        )
    try:
        made = await _send(portal, visitor, "/trainees", parsed.body, key)
    except Refusal as refused:
        existing = await _existing_if_duplicate(portal, visitor, parsed.body, refused)
        return await _intake(
            request, portal, visitor, typed=form, form_key=key, refusal=refused, existing=existing
        )
    return finished(request, f"/trainees/{made['trainee_id']}", key)


async def _send(portal: Portal, visitor: Visitor, path: str, body: dict[str, Any], key: str) -> Any:
    return await portal.api.send(REG, "POST", path, token=visitor.token, json=body, key=key)


async def _existing_if_duplicate(
    portal: Portal, visitor: Visitor, body: dict[str, Any], refused: Refusal
) -> list[dict[str, Any]]:
    if refused.code != DUPLICATE:
        return []
    return await _existing(portal, visitor, str(body["cccd"]))


async def _existing(portal: Portal, visitor: Visitor, cccd: str) -> list[dict[str, Any]]:
    """The trainee this CCCD already is, when they are in this officer's communes."""
    try:
        found = await portal.api.send(
            REG, "POST", "/trainees/search", token=visitor.token, json={"cccd": cccd}
        )
    except Refusal:
        return []
    items: list[dict[str, Any]] = found["items"]
    return items


@router.get("/trainees/due")
async def due(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _officer_only(visitor)
    listed = await portal.api.get(REG, "/trainees/outcomes-due", token=visitor.token)
    return render(request, portal, "trainees_due.html", visitor=visitor, due=listed)


def _finished_courses(history: dict[str, Any]) -> list[tuple[str, str]]:
    """The courses the trainee completed, as (id, code): the outcome form's choices."""
    completed = [c for c in history["courses"] if c.get("completed_on")]
    return [(c["course_id"], c["course_code"]) for c in completed]


async def _trainee_page(
    request: Request, portal: Portal, visitor: Visitor, tid: uuid.UUID, attempt: Attempt
) -> Response:
    summary = await portal.api.get(REG, f"/trainees/{tid}", token=visitor.token)
    history = await portal.api.get(REG, f"/trainees/{tid}/history", token=visitor.token)
    return render(
        request,
        portal,
        "trainee.html",
        visitor=visitor,
        status_code=attempt.status,
        trainee=summary,
        history=history,
        finished_courses=_finished_courses(history),
        attempt=attempt,
        may_record=visitor.can(Role.COMMUNE_OFFICER),
        today=_today(),
        labels=labels,
        rural=rural,
        purposes=rural.TRAINEE_PURPOSES,
    )


@router.get("/trainees/{tid}")
async def trainee_page(
    tid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    _readers_only(visitor)
    return await _trainee_page(request, portal, visitor, tid, Attempt())


@router.post("/trainees/{tid}/outcomes")
async def record_outcome(
    tid: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    """Recording an outcome again replaces it (the service keeps one per course), so a resent
    form changes nothing more; the key is still sent, as with every form."""
    _officer_only(visitor)
    key = form_key_of(form)
    body = rural.outcome_body(form)
    try:
        await _send(portal, visitor, f"/trainees/{tid}/employment-outcomes", body, key)
    except Refusal as refused:
        attempt = Attempt("outcome", key, form, refused)
        return await _trainee_page(request, portal, visitor, tid, attempt)
    return finished(request, f"/trainees/{tid}", key)
