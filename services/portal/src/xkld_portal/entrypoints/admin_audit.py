"""The administrator's audit viewer: every service's trail (its `GET /audit`), filtered and
merged by time. It shows who did what to which record and which fields changed, never the
values: the administrator sees no worker's personal data."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal, Unavailable
from xkld_portal.application.ports import Api, Service
from xkld_portal.domain import audit_names
from xkld_portal.entrypoints.web import Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
# Every trail: identity's accounts and each service's records.
AUDITED = (
    Service.IDENTITY,
    Service.REGISTRATION,
    Service.LOANS,
    Service.NOTIFICATIONS,
    Service.REPORTING,
    Service.OUTREACH,
)
SHOWN = 100
Text = Annotated[str, Query(max_length=128)]


async def _trail(
    api: Api, visitor: Visitor, service: Service, params: dict[str, Any]
) -> list[dict[str, Any]] | Refusal | None:
    """One service's rows; a refusal (a bad filter) to show, or None if it did not answer."""
    try:
        page = await api.get(service, "/audit", token=visitor.token, params=params)
    except Refusal as refused:
        return refused
    except Unavailable:
        return None
    rows: list[dict[str, Any]] = page["rows"]
    return [row | {"service": service.value} for row in rows]


def _when(row: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(row["occurred_at"]))


@router.get("/admin/audit")
async def audit(
    request: Request,
    portal: PortalDep,
    visitor: VisitorDep,
    actor: Text = "",
    entity_type: Text = "",
    action: Text = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    service: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    if not visitor.can(Role.ADMIN):
        raise NotAllowed
    chosen = {"actor": actor, "entity_type": entity_type, "action": action}
    chosen |= {"since": since, "until": until}
    trails = await _trails(portal.api, visitor, chosen, service)
    return _shown(request, portal, visitor, trails, chosen | {"service": service})


async def _trails(
    api: Api, visitor: Visitor, chosen: dict[str, str], service: str
) -> dict[str, Any]:
    """The asked services' rows merged, newest first, with a refusal and who did not answer."""
    params = {k: v.strip() for k, v in chosen.items() if v.strip()} | {"limit": SHOWN}
    asked = [s for s in AUDITED if service in ("", s.value)]
    answers = await asyncio.gather(*(_trail(api, visitor, s, params) for s in asked))
    rows = [row for a in answers if isinstance(a, list) for row in a]
    rows.sort(key=_when, reverse=True)
    refusal = next((a for a in answers if isinstance(a, Refusal)), None)
    silent = [s.value for s, a in zip(asked, answers, strict=True) if a is None]
    return {"rows": rows, "refusal": refusal, "silent": silent}


def _shown(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    trails: dict[str, Any],
    filters: dict[str, str],
) -> Response:
    refusal, rows = trails["refusal"], trails["rows"]
    return render(
        request,
        portal,
        "admin_audit.html",
        visitor=visitor,
        status_code=refusal.status if refusal else 200,
        rows=rows[:SHOWN],
        more=len(rows) > SHOWN,
        filters=filters,
        services=[s.value for s in AUDITED],
        names=audit_names,
        refusal=refusal,
        silent=trails["silent"],
    )
