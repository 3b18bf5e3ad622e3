"""Each role's home: the commune's files by stage and what is due, or the role's own work."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.ports import Service
from xkld_portal.domain.labels import ROLES, STAGES
from xkld_portal.domain.reports import REPORTS
from xkld_portal.entrypoints.web import PortalDep, VisitorDep, render

router = APIRouter()


@router.get("/")
async def home(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    if visitor.can(Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER):
        overview = await portal.api.get(
            Service.REGISTRATION, "/registrations/overview", token=visitor.token
        )
        return render(
            request, portal, "home.html", visitor=visitor, overview=overview, stages=STAGES
        )
    if visitor.can(Role.TRAINING_STAFF):
        courses = await portal.api.get(Service.REGISTRATION, "/courses", token=visitor.token)
        return render(request, portal, "home_training.html", visitor=visitor, courses=courses)
    if visitor.can(Role.REPORT_VIEWER):
        return render(request, portal, "home_reports.html", visitor=visitor, reports=REPORTS)
    return render(request, portal, "home_other.html", visitor=visitor, roles=ROLES)
