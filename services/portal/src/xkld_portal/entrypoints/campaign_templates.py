"""Message templates of outreach campaigns (issue 16): the list, and a template edited into its
next version (title, SMS text with the SMS counter, Zalo template id and named parameters, the
loudspeaker text). Templates are shared by the deployment, so every edit is a new version."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xkld_portal.application.errors import Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import campaigns as cp
from xkld_portal.domain import sms_counter
from xkld_portal.entrypoints.after_return import officers_only
from xkld_portal.entrypoints.campaigns import first_refused
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
TEMPLATES = "/message-templates"


def _path(code: str) -> str:
    return f"{TEMPLATES}/{quote(code, safe='')}"


@router.get(TEMPLATES)
async def templates_page(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    officers_only(visitor)
    shown = await portal.api.get(Service.OUTREACH, TEMPLATES, token=visitor.token)
    return render(request, portal, "campaign_templates.html", visitor=visitor, templates=shown)


def _typed(template: dict[str, Any]) -> dict[str, str]:
    """The current version as the form shows it, until the officer types something else."""
    params = template.get("zalo_params") or {}
    return {
        "title": template["title"],
        "text": template["sms_text"],
        "zalo_template_id": template.get("zalo_template_id") or "",
        "zalo_params": "\n".join(f"{k}={v}" for k, v in params.items()),
        "announcement": template["announcement"],
    }


async def _editor(
    request: Request, portal: Portal, visitor: Visitor, code: str, attempt: Attempt
) -> Response:
    shown = await portal.api.get(Service.OUTREACH, _path(code), token=visitor.token)
    if attempt.form is None:
        attempt = Attempt("template", attempt.key("template"), _typed(shown))
    return render(
        request,
        portal,
        "campaign_template.html",
        visitor=visitor,
        status_code=attempt.status,
        tpl=shown,
        attempt=attempt,
        max_segments=sms_counter.MAX_SEGMENTS,
        count=None,
        typed="",
        manual=False,
        diacritics=False,
    )


@router.get(TEMPLATES + "/{code}")
async def template_page(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    officers_only(visitor)
    return await _editor(request, portal, visitor, code, Attempt())


@router.post(TEMPLATES + "/{code}")
async def edit_template(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    officers_only(visitor)
    key = form_key_of(form)
    parsed = cp.template_body(form)
    try:
        if parsed.problems:
            raise first_refused(parsed.problems)
        await portal.api.send(
            Service.OUTREACH, "PUT", _path(code), token=visitor.token, json=parsed.body, key=key
        )
    except Refusal as refused:
        attempt = Attempt("template", key, form, refused)
        return await _editor(request, portal, visitor, code, attempt)
    return finished(request, _path(code) + "?saved=1", key)
