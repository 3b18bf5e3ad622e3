"""SMS templates (a list, and an editor with a live segment counter) and manual messages to a
course or a list of files, showing who will not receive them and why."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, NothingHere, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import labels, sms_counter
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.sms_counter import Count
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
NOTES = Service.NOTIFICATIONS
READERS = (Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.ADMIN)
EDITORS = (Role.LABOUR_OFFICER, Role.ADMIN)


def _only(visitor: Visitor, *roles: Role) -> None:
    if not visitor.can(*roles):
        raise NotAllowed


@router.get("/sms/templates")
async def templates(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _only(visitor, *READERS)
    listed = await portal.api.get(NOTES, "/sms/templates", token=visitor.token)
    return render(
        request,
        portal,
        "sms_templates.html",
        visitor=visitor,
        templates=listed,
        labels=labels,
        may_edit=visitor.can(*EDITORS),
        saved=request.query_params.get("saved"),
    )


def _preview_body(form: dict[str, Any]) -> dict[str, Any]:
    """What the service previews: the manual message's text, or the template's draft."""
    text = forms.text(form, "text")
    if forms.text(form, "counter_for") == "manual":
        return {"template_code": "manual", "variables": {"text": text or " "}}
    ucs2 = forms.yes(form, "keep_diacritics") and sms_counter.needs_ucs2(text)
    return {
        "text": text or " ",
        "ucs2": ucs2,
        "max_segments": sms_counter.MAX_SEGMENTS,
        "variables": sms_counter.sample_variables(text),
    }


async def _count(portal: Portal, visitor: Visitor, form: dict[str, Any]) -> Count | Refusal:
    """The preview of what is typed: a template's draft text, or a manual message's text."""
    limit = forms.whole(form, "max_segments")
    max_segments = limit if isinstance(limit, int) and limit >= 1 else 1
    body = _preview_body(form)
    try:
        preview = await portal.api.send(
            NOTES, "POST", "/sms/templates/preview", token=visitor.token, json=body
        )
    except Refusal as refused:
        return refused
    return sms_counter.count_of(preview, max_segments)


@router.post("/sms/counter")
async def counter(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    """The counter alone, for htmx to swap in as the officer types."""
    _only(visitor, *READERS)
    return render(
        request,
        portal,
        "sms_counter.html",
        visitor=visitor,
        count=await _count(portal, visitor, form),
        typed=forms.text(form, "text"),
        diacritics=sms_counter.needs_ucs2(forms.text(form, "text")),
        keep=forms.yes(form, "keep_diacritics"),
        manual=forms.text(form, "counter_for") == "manual",
    )


async def _template(portal: Portal, visitor: Visitor, code: str) -> dict[str, Any]:
    listed = await portal.api.get(NOTES, "/sms/templates", token=visitor.token)
    found: dict[str, Any] | None = next((t for t in listed if t["code"] == code), None)
    if found is None:
        raise NothingHere
    return found


async def _editor(
    request: Request, portal: Portal, visitor: Visitor, code: str, attempt: Attempt
) -> Response:
    template = await _template(portal, visitor, code)
    if attempt.form is None:
        attempt = Attempt("template", attempt.key("template"), _typed_from(template))
    return render(
        request,
        portal,
        "sms_template.html",
        visitor=visitor,
        status_code=attempt.status,
        tpl=template,
        labels=labels,
        attempt=attempt,
        may_edit=visitor.can(*EDITORS),
        **await _counter(portal, visitor, attempt),
    )


def _typed_from(template: dict[str, Any]) -> dict[str, Any]:
    """The editor's fields as the template now has them."""
    return {
        "text": template["text"],
        "max_segments": str(template["max_segments"]),
        "keep_diacritics": "true" if template["ucs2"] else "",
    }


async def _counter(portal: Portal, visitor: Visitor, attempt: Attempt) -> dict[str, Any]:
    """The counter under the editor, for the text typed."""
    return {
        "count": await _count(portal, visitor, dict(attempt.typed)),
        "typed": attempt.value("template", "text"),
        "diacritics": sms_counter.needs_ucs2(attempt.value("template", "text")),
        "keep": attempt.value("template", "keep_diacritics") == "true",
        "manual": False,
    }


@router.get("/sms/templates/{code}")
async def template_page(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep
) -> Response:
    _only(visitor, *READERS)
    return await _editor(request, portal, visitor, code[:40], Attempt())


def _version_body(form: dict[str, Any], code: str) -> dict[str, Any]:
    text = forms.text(form, "text")
    return {
        "code": code,
        "text": text,
        "max_segments": forms.whole(form, "max_segments"),
        "ucs2": forms.yes(form, "keep_diacritics") and sms_counter.needs_ucs2(text),
    }


@router.post("/sms/templates/{code}")
async def save_template(
    code: str, request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    _only(visitor, *EDITORS)
    key = form_key_of(form)
    body = _version_body(form, code[:40])
    try:
        await portal.api.send(
            NOTES, "POST", "/sms/template-versions", token=visitor.token, json=body, key=key
        )
    except Refusal as refused:
        typed = {k: v for k, v in form.items() if isinstance(v, str)}
        return await _editor(
            request, portal, visitor, code[:40], Attempt("template", key, typed, refused)
        )
    return finished(request, f"/sms/templates?saved={code[:40]}", key)
