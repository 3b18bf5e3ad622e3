"""The survey's roll-ups as tables, narrowed by commune, year and round, with what they
suggest: the course plan (demand per trade against planned places) and the target (people
wanting to go, per market). Every figure is outreach's; the portal only lays them out."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.clock import vietnam_today

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import labels
from xkld_portal.domain import survey as sv
from xkld_portal.domain.staff_forms import whole_within
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
Asked = Annotated[str | None, Query(max_length=40)]
_COMMUNE = re.compile(r"^\d{5}$")
_ROUND = re.compile(r"^[0-9a-fA-F-]{36}$")


def _year(asked: str | None) -> int | None:
    return whole_within(asked, 2000, 2100)


def _size(asked: str | None) -> int:
    return whole_within(asked, 1, 500) or 25


def _filters(commune: str | None, year: str | None, round_id: str | None) -> dict[str, Any]:
    """Only what outreach would take: a bad filter is dropped (and so shown empty), not sent."""
    chosen: dict[str, Any] = {}
    if commune and _COMMUNE.match(commune.strip()):
        chosen["commune_code"] = commune.strip()
    if (y := _year(year)) is not None:
        chosen["year"] = y
    if round_id and _ROUND.match(round_id.strip()):
        chosen["round_id"] = round_id.strip()
    return chosen


async def _rollups(
    portal: Portal, visitor: Visitor, chosen: dict[str, Any], planned: dict[str, Any]
) -> dict[str, Any]:
    """The three tables; a refusal (a bad filter) leaves what is not read yet empty."""
    wide = {k: v for k, v in chosen.items() if k != "round_id"}  # plan and target: no round
    context: dict[str, Any] = {"rollups": None, "plan": None, "target": None, "refusal": None}
    try:
        context["rollups"] = await _outreach(portal, visitor, "/survey-rollups", chosen)
        context["plan"] = await _outreach(
            portal, visitor, "/survey-rollups/course-plan", wide | planned
        )
        context["target"] = await _outreach(portal, visitor, "/survey-rollups/target", wide)
    except Refusal as refused:
        context["refusal"] = refused
    return context


async def _outreach(portal: Portal, visitor: Visitor, path: str, params: dict[str, Any]) -> Any:
    return await portal.api.get(Service.OUTREACH, path, token=visitor.token, params=params)


def _page(request: Request, portal: Portal, visitor: Visitor, context: dict[str, Any]) -> Response:
    refusal = context["refusal"]
    return render(
        request,
        portal,
        "survey_rollups.html",
        visitor=visitor,
        status_code=refusal.status if refusal else 200,
        communes=sorted(visitor.principal.scope.communes),
        tables=sv.ROLLUP_TABLES,
        labels=labels,
        **context,
    )


@router.get("/survey-rollups")
async def rollups_page(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    commune_code: Asked = None,
    year: Asked = None,
    round_id: Asked = None,
    plan_year: Asked = None,
    course_size: Asked = None,
) -> Response:
    officers_only(visitor)
    chosen = _filters(commune_code, year, round_id)
    plan_for = _year(plan_year) or vietnam_today().year
    planned = {"plan_year": plan_for, "course_size": _size(course_size)}
    rounds = await portal.api.get(Service.OUTREACH, "/survey-rounds", token=visitor.token)
    context = await _rollups(portal, visitor, chosen, planned)
    shown = {"chosen": chosen, "planned": planned, "rounds": rounds}
    return _page(request, portal, visitor, context | shown)
