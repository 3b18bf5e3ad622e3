"""Recording a household of a survey round: the hamlet and 1 to 20 members, each with the
survey's answers and their consent to be contacted. The form grows a member at a time: with
htmx the new member's fields are fetched into the form; without JavaScript the "add a member"
button posts the form back and it returns with one empty member more, nothing sent."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import labels
from xkld_portal.domain import survey as sv
from xkld_portal.entrypoints.staff_common import finished, form_key_of
from xkld_portal.entrypoints.survey_rounds import commune_officer_only, round_path
from xkld_portal.entrypoints.web import (
    FormDep,
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    form_status,
    new_form_key,
    problem_messages,
    render,
)

router = APIRouter()
NEW = "/survey-rounds/{round_id}/households/new"


async def _markets(portal: Portal, visitor: Visitor) -> list[dict[str, Any]]:
    markets: list[dict[str, Any]] = await portal.api.get(
        Service.REGISTRATION, "/markets", token=visitor.token
    )
    return [m for m in markets if m.get("active")]


def _choices(markets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "labels": labels,
        "age_bands": {band: band for band in sv.AGE_BANDS},
        "work": sv.CURRENT_WORK,
        "when": sv.ABROAD_WHEN,
        "markets": markets,
    }


async def _form(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    round_id: uuid.UUID,
    *,
    typed: dict[str, Any],
    members: list[dict[str, Any]],
    form_key: str,
    problems: dict[str, str] | None = None,
    refused: Refusal | None = None,
) -> Response:
    shown = await portal.api.get(Service.OUTREACH, round_path(round_id), token=visitor.token)
    return render(
        request,
        portal,
        "survey_household.html",
        visitor=visitor,
        status_code=form_status(refused, problems),
        round=shown,
        typed=typed,
        members=members,
        form_key=form_key,
        problems=problems or {},
        refusal=refused,
        max_members=sv.MAX_MEMBERS,
        **_choices(await _markets(portal, visitor)),
    )


@router.get(NEW)
async def household_form(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    commune_officer_only(visitor)
    return await _form(
        request, portal, visitor, round_id, typed={}, members=[{}], form_key=new_form_key()
    )


@router.get("/survey-rounds/{round_id}/households/member")
async def member_fields(
    round_id: uuid.UUID,
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    n: Annotated[int, Query(ge=1, lt=sv.MAX_MEMBERS)],
) -> Response:
    """One more member's fields (htmx), and the button that will ask for the next one."""
    commune_officer_only(visitor)
    return render(
        request,
        portal,
        "survey_member_more.html",
        visitor=visitor,
        round_id=round_id,
        i=n,
        member={},
        problems={},
        refusal=None,
        max_members=sv.MAX_MEMBERS,
        **_choices(await _markets(portal, visitor)),
    )


@router.post(NEW)
async def record_household(
    round_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    commune_officer_only(visitor)
    key = form_key_of(form)
    grow = form.get("grow") == "1"
    members = sv.members_typed(form, grow)
    parsed = sv.household_body(form)
    if grow or parsed.problems:
        problems = {} if grow else problem_messages(parsed.problems)
        return await _form(
            request, portal, visitor, round_id,
            typed=form, members=members, form_key=key, problems=problems,
        )  # fmt: skip
    try:
        await _send_household(portal, visitor, round_id, parsed.body, key)
    except Refusal as refused:
        return await _form(
            request, portal, visitor, round_id,
            typed=form, members=members, form_key=key, refused=refused,
        )  # fmt: skip
    return finished(request, round_path(round_id), key)


async def _send_household(
    portal: Portal, visitor: Visitor, round_id: uuid.UUID, body: dict[str, Any], key: str
) -> None:
    path = f"{round_path(round_id)}/households"
    await portal.api.send(Service.OUTREACH, "POST", path, token=visitor.token, json=body, key=key)
