"""A survey respondent who wants to go becomes a registration (issue 16): the portal's own
intake form, pre-filled from outreach's answer and carrying the respondent's id. Registration
makes one file per respondent however often the form is sent; once outreach has linked them,
this page leads to that file instead of offering the form again."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.entrypoints.intake import show_intake
from xkld_portal.entrypoints.survey_rounds import commune_officer_only
from xkld_portal.entrypoints.web import (
    Portal,
    PortalDep,
    Visitor,
    VisitorDep,
    new_form_key,
    render,
)

router = APIRouter()


def typed_from(prefill: dict[str, Any]) -> dict[str, Any]:
    """Outreach's intake body as the form's fields hold it (a yes/no as "true"/"false")."""
    typed = {k: v for k, v in prefill.items() if k != "loan_wanted"}
    if isinstance(prefill.get("loan_wanted"), bool):
        typed["loan_wanted"] = "true" if prefill["loan_wanted"] else "false"
    typed["consents"] = ["registration_processing"]
    return typed


def _converted(
    request: Request,
    portal: Portal,
    visitor: Visitor,
    refusal: Refusal | None,
    registration_id: Any,
) -> Response:
    """Outreach's refusal, or the file the respondent already became."""
    return render(
        request,
        portal,
        "survey_converted.html",
        visitor=visitor,
        status_code=refusal.status if refusal else 200,
        refusal=refusal,
        registration_id=registration_id,
    )


@router.get("/survey-respondents/{respondent_id}/intake")
async def converted_intake(
    respondent_id: uuid.UUID, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    commune_officer_only(visitor)
    try:
        answer = await portal.api.get(
            Service.OUTREACH, f"/respondents/{respondent_id}/intake", token=visitor.token
        )
    except Refusal as refused:
        return _converted(request, portal, visitor, refused, None)
    if answer.get("registration_id"):
        return _converted(request, portal, visitor, None, answer["registration_id"])
    typed = typed_from(answer["intake"])
    return await show_intake(request, portal, visitor, typed=typed, form_key=new_form_key())
