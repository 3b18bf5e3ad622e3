"""The yearly course plan (đặt hàng): the year's lines with the courses opened for each and the
places taken; the labour officer adds, edits and withdraws lines. A new line's id is made when
its form is drawn and travels in a hidden field, so sending the form twice sets the same line.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import course_plan as plan
from xkld_portal.entrypoints.progress import year_of
from xkld_portal.entrypoints.staff_common import (
    Attempt,
    answer_or_refusal,
    finished,
    form_key_of,
    refusal,
)
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
REG = Service.REGISTRATION
Text = Annotated[str | None, Query(max_length=20)]
COMMUNE = re.compile(r"^\d{5}$")


def _readers_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER, Role.TRAINING_STAFF):
        raise NotAllowed


def _planners_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


def _commune(asked: str | None) -> str | None:
    typed = (asked or "").strip()
    return typed if COMMUNE.match(typed) else None


async def fetch_plan(
    portal: Portal, visitor: Visitor, year: int, commune: str | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {"year": year} | ({"commune_code": commune} if commune else {})
    answer: dict[str, Any] = await portal.api.get(
        REG, "/course-plan", token=visitor.token, params=params
    )
    return answer


@router.get("/course-plan")
async def plan_page(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    year: Text = None,
    commune: Text = None,
) -> Response:
    _readers_only(visitor)
    shown_year, shown_commune = year_of(year), _commune(commune)
    query = {"year": shown_year, "commune": shown_commune or ""}
    answer, refused = await answer_or_refusal(
        fetch_plan(portal, visitor, shown_year, shown_commune)
    )
    return render(
        request,
        portal,
        "course_plan.html",
        visitor=visitor,
        status_code=refused.status if refused else 200,
        query=query,
        may_plan=visitor.can(Role.LABOUR_OFFICER),
        places_left=plan.places_left,
        answer=answer,
        refusal=refused,
    )


def _line_form(
    request: Request, portal: Portal, visitor: Visitor, line: dict[str, Any], attempt: Attempt
) -> Response:
    """`line` holds its id, whether it is new, and its fields as text."""
    return render(
        request,
        portal,
        "course_plan_line.html",
        visitor=visitor,
        status_code=attempt.status,
        line=line,
        attempt=attempt,
    )


@router.get("/course-plan/lines/new")
async def new_line(
    request: Request, portal: PortalDep, visitor: VisitorDep, year: Text = None
) -> Response:
    _planners_only(visitor)
    # The id is made once, here: a second send of this form is the same line, not a copy.
    line = {"line_id": str(uuid.uuid4()), "new": True, "typed": {"plan_year": str(year_of(year))}}
    return _line_form(request, portal, visitor, line, Attempt())


async def _existing(
    portal: Portal, visitor: Visitor, line_id: uuid.UUID, year: str | None
) -> dict[str, Any]:
    found = plan.find_line(await fetch_plan(portal, visitor, year_of(year)), line_id)
    if found is None:
        raise NothingHere
    return found


@router.get("/course-plan/lines/{line_id}/edit")
async def edit_line(
    line_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, year: Text = None
) -> Response:
    _planners_only(visitor)
    found = await _existing(portal, visitor, line_id, year)
    line = {"line_id": str(line_id), "new": False, "typed": plan.line_typed(found)}
    return _line_form(request, portal, visitor, line, Attempt())


def _outside_scope() -> Refusal:
    return refusal(
        "commune_code",
        "Xã/phường này không thuộc tỉnh bạn phụ trách: bạn chỉ lập kế hoạch cho xã/phường "
        "trong phạm vi của mình",
        "This commune is outside your province: you may only plan for the communes in your scope",
        status=403,
    )


@router.post("/course-plan/lines")
async def set_line(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _planners_only(visitor)
    key = form_key_of(form)
    body = plan.line_body(form)
    try:
        await _put_line(portal, visitor, _sent_line_id(form), body, key)
    except Refusal as refused:
        attempt = Attempt("line", key, form, refused)
        return _line_form(request, portal, visitor, _line_sent_back(form), attempt)
    return finished(request, f"/course-plan?year={year_of(str(body['plan_year']))}", key)


def _sent_line_id(form: dict[str, Any]) -> uuid.UUID:
    line_id = plan.line_id_of(str(form.get("line_id") or ""))
    if line_id is None:
        raise refusal("plan_year", "Biểu mẫu đã cũ: hãy mở lại", "The form is stale: open it again")
    return line_id


async def _put_line(
    portal: Portal, visitor: Visitor, line_id: uuid.UUID, body: dict[str, Any], key: str
) -> None:
    path = f"/course-plan/lines/{line_id}"
    try:
        await portal.api.send(REG, "PUT", path, token=visitor.token, json=body, key=key)
    except NotAllowed:
        raise _outside_scope() from None


def _line_sent_back(form: dict[str, Any]) -> dict[str, Any]:
    """A refused line's form is drawn again from what was typed, with the same id."""
    line_id = plan.line_id_of(str(form.get("line_id") or ""))
    return {"line_id": str(line_id or ""), "new": form.get("new") == "true", "typed": {}}


@router.get("/course-plan/lines/{line_id}/withdraw")
async def confirm_withdrawal(
    line_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, year: Text = None
) -> Response:
    _planners_only(visitor)
    found = await _existing(portal, visitor, line_id, year)
    return _withdrawal(request, portal, visitor, found, Attempt())


def _withdrawal(
    request: Request, portal: Portal, visitor: Visitor, line: dict[str, Any], attempt: Attempt
) -> Response:
    return render(
        request,
        portal,
        "course_plan_withdraw.html",
        visitor=visitor,
        status_code=attempt.status,
        line=line,
        attempt=attempt,
    )


@router.post("/course-plan/lines/{line_id}/withdraw")
async def withdraw_line(
    line_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _planners_only(visitor)
    key = form_key_of(form)
    year = str(form.get("plan_year") or "")
    try:
        await portal.api.send(
            REG, "POST", f"/course-plan/lines/{line_id}/withdraw", token=visitor.token, key=key
        )
    except (Refusal, NotAllowed) as refused:
        found = await _existing(portal, visitor, line_id, year)
        said = refused if isinstance(refused, Refusal) else _outside_scope()
        return _withdrawal(request, portal, visitor, found, Attempt("withdraw", key, form, said))
    return finished(request, f"/course-plan?year={year_of(year)}", key)


async def plan_lines_of(portal: Portal, visitor: Visitor, year: int) -> list[dict[str, Any]]:
    """The open lines of a year, for the course form's choice; none when the plan cannot be
    read (the course may be opened without a line)."""
    try:
        answer = await fetch_plan(portal, visitor, year)
    except (Refusal, NotAllowed, NothingHere):
        return []
    return [dict(line) for line in plan.open_lines(answer.get("lines") or [])]
