"""The list of files: filters by stage, market, priority group, hamlet and dates, pages, and a
search by name (accents optional) or CCCD, sent by POST so neither lands in a URL or a log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import PRIORITY_GROUPS, STAGES
from xkld_portal.entrypoints.web import (
    FormDep,
    PortalDep,
    Visitor,
    VisitorDep,
    lookup_of,
    render,
)

router = APIRouter()
_FILTERS = ("stage", "market", "priority_group", "hamlet", "submitted_from", "submitted_to")


class ListQuery(BaseModel):
    stage: str | None = Field(None, max_length=40)
    market: str | None = Field(None, max_length=40)
    priority_group: str | None = Field(None, max_length=40)
    hamlet: str | None = Field(None, max_length=100)
    submitted_from: str | None = Field(None, max_length=10)
    submitted_to: str | None = Field(None, max_length=10)
    page: int = Field(1, ge=1, le=100_000)


def _chosen(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in _FILTERS and v not in (None, "")}


async def _found(
    portal: PortalDep, visitor: Visitor, query: dict[str, Any], lookup: dict[str, str] | None
) -> Any:
    """The page of files: a search by name or CCCD is posted, a filtered list is read."""
    if lookup:
        return await portal.api.send(
            Service.REGISTRATION,
            "POST",
            "/registrations/search",
            token=visitor.token,
            json=query | lookup,
        )
    return await portal.api.get(
        Service.REGISTRATION, "/registrations", token=visitor.token, params=query
    )


async def _page(
    request: Request,
    portal: PortalDep,
    visitor: Visitor,
    filters: dict[str, Any],
    page: int,
    lookup: dict[str, str] | None = None,
) -> Response:
    query = filters | {"page": page, "page_size": 25}
    found = await _found(portal, visitor, query, lookup)
    markets = await portal.api.get(Service.REGISTRATION, "/markets", token=visitor.token)
    return render(
        request,
        portal,
        "files.html",
        visitor=visitor,
        found=found,
        filters=filters,
        lookup=lookup or {},
        markets=markets,
        stages=STAGES,
        groups=PRIORITY_GROUPS,
    )


@router.get("/files")
async def list_files(
    request: Request, portal: PortalDep, visitor: VisitorDep, q: Annotated[ListQuery, Query()]
) -> Response:
    return await _page(request, portal, visitor, _chosen(q.model_dump()), q.page)


@router.post("/files/search")
async def search_files(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    lookup = lookup_of(form)
    page = int(str(form.get("page") or "1")) if str(form.get("page") or "1").isdigit() else 1
    return await _page(request, portal, visitor, _chosen(form), page, lookup)
