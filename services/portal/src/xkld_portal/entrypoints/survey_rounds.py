"""The labour-demand survey's rounds (issue 16): the rounds of the reader's area, a round
opened by the commune officer for one of their communes, a round's households and members, and
the round closed. Outreach scopes every answer; the portal shows what it answers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import labels
from xkld_portal.domain import survey as sv
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of, refusal
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
ROUNDS = "/survey-rounds"


def commune_officer_only(visitor: Visitor) -> None:
    """Recording is the commune's work; the labour officer reads the province's rounds."""
    if not visitor.can(Role.COMMUNE_OFFICER):
        raise NotAllowed


def round_path(round_id: uuid.UUID | str) -> str:
    return f"{ROUNDS}/{round_id}"


async def _rounds(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    rounds = await portal.api.get(Service.OUTREACH, ROUNDS, token=visitor.token)
    return render(
        request,
        portal,
        "survey_rounds.html",
        visitor=visitor,
        status_code=attempt.status,
        rounds=rounds,
        communes=sorted(visitor.principal.scope.communes),
        statuses=sv.ROUND_STATUS,
        attempt=attempt,
    )


@router.get(ROUNDS)
async def rounds_page(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    officers_only(visitor)
    return await _rounds(request, portal, visitor, Attempt())


@router.post(ROUNDS)
async def open_round(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    commune_officer_only(visitor)
    key = form_key_of(form)
    parsed = sv.round_body(form)
    try:
        if parsed.problems:
            first = parsed.problems[0].name
            raise refusal(first, "Trường này bắt buộc", "This field is required")
        opened = await portal.api.send(
            Service.OUTREACH, "POST", ROUNDS, token=visitor.token, json=parsed.body, key=key
        )
    except Refusal as refused:
        return await _rounds(request, portal, visitor, Attempt("round", key, form, refused))
    return finished(request, round_path(opened["round_id"]), key)


async def _round(
    request: Request, portal: Portal, visitor: Visitor, round_id: uuid.UUID, attempt: Attempt
) -> Response:
    shown = await portal.api.get(Service.OUTREACH, round_path(round_id), token=visitor.token)
    return render(
        request,
        portal,
        "survey_round.html",
        visitor=visitor,
        status_code=attempt.status,
        round=shown,
        statuses=sv.ROUND_STATUS,
        work=sv.CURRENT_WORK,
        when=sv.ABROAD_WHEN,
        labels=labels,
        attempt=attempt,
    )


@router.get(ROUNDS + "/{round_id}")
async def round_page(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    return await _round(request, portal, visitor, round_id, Attempt())


@router.post(ROUNDS + "/{round_id}/close")
async def close_round(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    commune_officer_only(visitor)
    key = form_key_of(form)
    try:
        # Not keyed by outreach: a second close is its 409, shown like any refusal.
        await portal.api.send(
            Service.OUTREACH, "POST", f"{round_path(round_id)}/close", token=visitor.token
        )
    except Refusal as refused:
        attempt = Attempt("close", key, form, refused)
        return await _round(request, portal, visitor, round_id, attempt)
    return finished(request, round_path(round_id), key)
